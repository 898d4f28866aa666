# SSD tuning (guide, optimization 5): "better SSD longevity with async trim", "reduced write
# amplification" and lower swap preference.
{
  boot.kernel.sysctl = {
    "vm.swappiness" = 10;
  };

  fileSystems."/".options = [ "noatime" "nodiratime" "discard=async" ];
}
