# nixpkgs nixos/modules/services/system/nix-daemon.nix, as the project's Rust side recorded
# reading it at 025640dcb7270faa6fe80089fda831b89f3824a9 (release-25.05 content,
# src/scenario/nixos.rs; not re-read for this file): `nix.enable` and
# `nix.package` (an opaque package here), and `sandbox-fallback = false`, which NixOS sets
# for every Nix >= 2.3.
{ config, lib, modulesPath, ... }:
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/services/system/nix-daemon.nix";
  key = "${modulesPath}/services/system/nix-daemon.nix";
  options.nix = {
    enable = lib.mkOption { type = lib.types.bool; default = true; };
    package = lib.mkOption { type = lib.types.package; default = lib.opaquePackage "nix"; };
  };
  config = lib.mkIf config.nix.enable {
    nix.settings.sandbox-fallback = false;
  };
}
