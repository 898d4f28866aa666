# Binary caches (guide, optimization 4): "downloads pre-built packages instead of building
# locally", "significantly faster for common packages".
{
  nix.settings = {
    substituters = [
      "https://cache.nixos.org"
    ];
    trusted-public-keys = [
      "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="
    ];
  };
}
