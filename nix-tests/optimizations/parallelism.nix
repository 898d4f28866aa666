# Nix build parallelism (guide, optimization 2): "faster parallel builds" and "better CPU
# utilization", at the price of memory during large builds.
{
  nix.settings = {
    max-jobs = "auto";
    cores = 0;
  };
}
