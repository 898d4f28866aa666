# nixpkgs nixos/modules/config/zram.nix. The stored copy read was at
# 05924f714f31ff83bd10ed1710638688999c3725 (a 2023 text with merge markers, not 25.05);
# the declarations below are NixOS 25.05's as the project's Rust side transcribed them
# (src/scenario/nixos.rs): enable, swapDevices 1, memoryPercent 50, memoryMax null,
# priority 5, algorithm "zstd" (a known algorithm or any string), writebackDevice null,
# the removed zramSwap.numDevices, and the zram-generator sections NixOS derives.
{ config, lib, modulesPath, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.zramSwap;
  devices = map (nr: "zram${toString nr}") (lib.range 0 (cfg.swapDevices - 1));
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/config/zram.nix";
  key = "${modulesPath}/config/zram.nix";
  imports = [
    (lib.mkRemovedOptionModule [ "zramSwap" "numDevices" ] "Using ZRAM devices as general purpose ephemeral block devices is no longer supported")
  ];

  options.zramSwap = {
    enable = mkOption { default = false; type = types.bool; };
    swapDevices = mkOption { default = 1; type = types.int; };
    memoryPercent = mkOption { default = 50; type = types.int; };
    memoryMax = mkOption { default = null; type = types.nullOr types.int; };
    priority = mkOption { default = 5; type = types.int; };
    algorithm = mkOption {
      default = "zstd";
      example = "lz4";
      type = types.either (types.enum [ "842" "lzo" "lzo-rle" "lz4" "lz4hc" "zstd" ]) types.str;
    };
    writebackDevice = mkOption { default = null; example = "/dev/zvol/tarta-zoot/swap-writeback"; type = types.nullOr types.path; };
  };

  config = lib.mkIf cfg.enable {
    assertions = [ {
      assertion = cfg.writebackDevice == null || cfg.swapDevices <= 1;
      message = "A single writeback device cannot be shared among multiple zram devices";
    } ];
    services.zram-generator.enable = true;
    services.zram-generator.settings = lib.listToAttrs (map (dev: {
      name = dev;
      value =
        let size = "${toString cfg.memoryPercent} / 100 * ram";
        in {
          zram-size = if cfg.memoryMax != null then "min(${size}, ${toString cfg.memoryMax} / 1024 / 1024)" else size;
          compression-algorithm = cfg.algorithm;
          swap-priority = cfg.priority;
        } // lib.optionalAttrs (cfg.writebackDevice != null) { writeback-device = cfg.writebackDevice; };
    }) devices);
  };
}
