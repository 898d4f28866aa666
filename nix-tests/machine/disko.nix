# The guide's current disk, as disko lays it out: one virtio disk, GPT, an ESP and one Btrfs
# partition whose subvolumes hold /, /nix and /home, each mounted noatime with the v2 free
# space cache. A plain attribute set, so it is at once a NixOS module (configuration.nix
# imports it) and data that `nix-instantiate --eval --strict --json` reads without nixpkgs.
{
  disko.devices.disk.main = {
    type = "disk";
    device = "/dev/vda";
    imageSize = "4G";
    content = {
      type = "gpt";
      partitions = {
        ESP = {
          priority = 1;
          size = "256M";
          type = "EF00";
          content = {
            type = "filesystem";
            format = "vfat";
            mountpoint = "/boot";
            mountOptions = [ "umask=0077" ];
          };
        };
        root = {
          size = "100%";
          content = {
            type = "btrfs";
            extraArgs = [ "-f" ];
            subvolumes = {
              "/root" = {
                mountpoint = "/";
                mountOptions = [ "noatime" "space_cache=v2" ];
              };
              "/nix" = {
                mountpoint = "/nix";
                mountOptions = [ "noatime" "space_cache=v2" ];
              };
              "/home" = {
                mountpoint = "/home";
                mountOptions = [ "noatime" "space_cache=v2" ];
              };
            };
          };
        };
      };
    };
  };
}
