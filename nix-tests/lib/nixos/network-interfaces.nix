# nixpkgs nixos/modules/tasks/network-interfaces.nix (not read here: written from NixOS
# 25.05's option documentation), the options the project's machine sets:
# `networking.hostName` (a valid host name or empty, "nixos" by default: the distroId),
# `networking.domain` and `networking.enableIPv6`. Everything else under `networking` stays
# freeform.
{ lib, modulesPath, ... }:
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/tasks/network-interfaces.nix";
  key = "${modulesPath}/tasks/network-interfaces.nix";
  options.networking = {
    hostName = lib.mkOption {
      default = "nixos";
      type = lib.types.strMatching "^$|^[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$";
    };
    domain = lib.mkOption { default = null; type = lib.types.nullOr lib.types.str; };
    enableIPv6 = lib.mkOption { default = true; type = lib.types.bool; };
  };
}
