# nixpkgs nixos/modules/security/sudo.nix (not read here: written from NixOS 25.05's option
# documentation): `security.sudo.*`, and the two rules NixOS puts first: root may run
# anything (mkOrder 400), and so may `wheel`, without a password when
# wheelNeedsPassword = false (mkOrder 600), each with the default options (SETENV).
{ config, lib, modulesPath, ... }:
let
  inherit (lib) mkOption types mkIf mkMerge mkOrder;
  cfg = config.security.sudo;
  commandOptions = [ "NOPASSWD" "PASSWD" "NOEXEC" "EXEC" "SETENV" "NOSETENV" "LOG_INPUT" "NOLOG_INPUT" "LOG_OUTPUT" "NOLOG_OUTPUT" "MAIL" "NOMAIL" "FOLLOW" "NOFLLOW" "INTERCEPT" "NOINTERCEPT" ];
  rule = {
    options = {
      users = mkOption { type = types.listOf (types.either types.str types.int); default = [ ]; };
      groups = mkOption { type = types.listOf (types.either types.str types.int); default = [ ]; };
      host = mkOption { type = types.str; default = "ALL"; };
      runAs = mkOption { type = types.str; default = "ALL:ALL"; };
      commands = mkOption {
        type = types.listOf (types.either types.str (types.submodule {
          options.command = mkOption { type = types.str; };
          options.options = mkOption { type = types.listOf (types.enum commandOptions); default = [ ]; };
        }));
      };
    };
  };
  defaultRule = { users ? [ ], groups ? [ ], opts ? [ ] }: [
    { inherit users groups; commands = [ { command = "ALL"; options = opts ++ cfg.defaultOptions; } ]; }
  ];
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/security/sudo.nix";
  key = "${modulesPath}/security/sudo.nix";
  options.security.sudo = {
    enable = mkOption { type = types.bool; default = true; };
    package = mkOption { type = types.package; default = lib.opaquePackage "sudo"; };
    wheelNeedsPassword = mkOption { type = types.bool; default = true; };
    execWheelOnly = mkOption { type = types.bool; default = false; };
    keepTerminfo = mkOption { type = types.bool; default = true; };
    defaultOptions = mkOption { type = types.listOf types.str; default = [ "SETENV" ]; };
    extraRules = mkOption { type = types.listOf (types.submodule rule); default = [ ]; };
    extraConfig = mkOption { type = types.lines; default = ""; };
  };

  config = mkIf cfg.enable {
    security.sudo.extraRules = mkMerge [
      (mkOrder 400 (defaultRule { users = [ "root" ]; }))
      (mkOrder 600 (defaultRule { groups = [ "wheel" ]; opts = lib.optional (!cfg.wheelNeedsPassword) "NOPASSWD"; }))
    ];
  };
}
