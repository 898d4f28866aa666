# nixpkgs nixos/modules/config/swap.nix. The stored copy read was at
# 03a362fe87d4d19a45525bc0adab2f17a562f99a (a 2023 text); its declarations are unchanged
# in meaning in 25.05: `swapDevices`, a list of swap partitions or files (device or label,
# size in MiB for a file NixOS creates, priority, randomEncryption, discardPolicy, options
# [ "defaults" ]), and the device NixOS derives from a label. Undeclared entry attributes
# stay freeform.
{ lib, modulesPath, ... }:
let
  inherit (lib) mkOption types mkIf;
  randomEncryptionOpts = {
    options = {
      enable = mkOption { default = false; type = types.bool; };
      cipher = mkOption { default = "aes-xts-plain64"; type = types.str; };
      keySize = mkOption { default = null; type = types.nullOr types.int; };
      sectorSize = mkOption { default = null; type = types.nullOr types.int; };
      source = mkOption { default = "/dev/urandom"; type = types.str; };
      allowDiscards = mkOption { default = false; type = types.bool; };
    };
  };
  swapCfg = { config, options, ... }: {
    freeformType = types.freeform;
    options = {
      device = mkOption { example = "/dev/sda3"; type = types.nonEmptyStr; };
      label = mkOption { example = "swap"; type = types.str; };
      size = mkOption { default = null; example = 2048; type = types.nullOr types.int; };
      priority = mkOption { default = null; example = 2048; type = types.nullOr types.int; };
      randomEncryption = mkOption {
        default = false;
        type = types.coercedTo types.bool (enable: { inherit enable; }) (types.submodule randomEncryptionOpts);
      };
      discardPolicy = mkOption { default = null; example = "once"; type = types.nullOr (types.enum [ "once" "pages" "both" ]); };
      options = mkOption { default = [ "defaults" ]; example = [ "nofail" ]; type = types.listOf types.nonEmptyStr; };
    };
    config.device = mkIf options.label.isDefined "/dev/disk/by-label/${config.label}";
  };
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/config/swap.nix";
  key = "${modulesPath}/config/swap.nix";
  options.swapDevices = mkOption {
    default = [ ];
    example = [ { device = "/dev/hda7"; } { device = "/var/swapfile"; } { label = "bigswap"; } ];
    type = types.listOf (types.submodule swapCfg);
  };
}
