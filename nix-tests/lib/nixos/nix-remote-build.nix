# nixpkgs nixos/modules/config/nix-remote-build.nix, read at
# 082d7bfc0ee52105bbb19d5035eae68608ebd242 (release-25.05 content): `nix.distributedBuilds`,
# `nix.buildMachines` (entries kept as freeform data), and `builders = null` in nix.conf
# unless builds are distributed.
{ config, lib, modulesPath, ... }:
let
  cfg = config.nix;
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/config/nix-remote-build.nix";
  key = "${modulesPath}/config/nix-remote-build.nix";
  options.nix = {
    distributedBuilds = lib.mkOption { type = lib.types.bool; default = false; };
    buildMachines = lib.mkOption {
      type = lib.types.listOf (lib.types.submodule { freeformType = lib.types.freeform; });
      default = [ ];
    };
  };
  config = lib.mkIf cfg.enable {
    nix.settings = lib.mkIf (!cfg.distributedBuilds) { builders = null; };
  };
}
