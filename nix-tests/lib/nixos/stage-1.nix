# nixpkgs nixos/modules/system/boot/stage-1.nix (not read here: the declaration is the one
# NixOS has had for years): `fileSystems.<name>.neededForBoot`, which makes stage 1 mount
# a file system (filesystems.nix then adds `x-initrd.mount`).
{ lib, modulesPath, ... }:
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/system/boot/stage-1.nix";
  key = "${modulesPath}/system/boot/stage-1.nix";
  options.fileSystems = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options.neededForBoot = lib.mkOption { default = false; type = lib.types.bool; };
    });
  };
}
