# nixpkgs nixos/modules/config/users-groups.nix (not read here: written from NixOS 25.05's
# option documentation): `users.users.<name>` (a normal user gets the `users` group,
# /home/<name>, createHome and the default shell by mkDefault), `users.groups.<name>`,
# `users.mutableUsers`, `users.defaultUserShell`, and the accounts NixOS always defines
# (root, nobody, and the groups root, wheel, users and nogroup of the larger set it has).
# Undeclared user and group attributes stay freeform.
{ config, lib, modulesPath, ... }:
let
  inherit (lib) mkOption types mkIf mkDefault mkMerge;
  cfg = config.users;
  shortName = what: x: assert (builtins.stringLength x < 32 || abort "${what} '${x}' is longer than 31 characters which is not allowed!"); x;

  userOpts = { name, config, ... }: {
    freeformType = types.freeform;
    options = {
      name = mkOption { type = types.passwdEntry types.str; apply = shortName "Username"; };
      description = mkOption { type = types.passwdEntry types.str; default = ""; example = "Alice Q. User"; };
      uid = mkOption { type = types.nullOr types.int; default = null; };
      isSystemUser = mkOption { type = types.bool; default = false; };
      isNormalUser = mkOption { type = types.bool; default = false; };
      group = mkOption { type = types.str; apply = shortName "Group name"; default = ""; };
      extraGroups = mkOption { type = types.listOf types.str; default = [ ]; };
      home = mkOption { type = types.passwdEntry types.path; default = "/var/empty"; };
      homeMode = mkOption { type = types.strMatching "[0-7]{1,5}"; default = "700"; };
      createHome = mkOption { type = types.bool; default = false; };
      useDefaultShell = mkOption { type = types.bool; default = false; };
      shell = mkOption {
        type = types.nullOr (types.either types.shellPackage (types.passwdEntry types.path));
        default = lib.opaquePackage "shadow";
      };
      hashedPassword = mkOption { type = types.nullOr (types.passwdEntry types.str); default = null; };
      password = mkOption { type = types.nullOr types.str; default = null; };
      hashedPasswordFile = mkOption { type = types.nullOr types.str; default = null; };
      initialHashedPassword = mkOption { type = types.nullOr (types.passwdEntry types.str); default = null; };
      initialPassword = mkOption { type = types.nullOr types.str; default = null; };
      packages = mkOption { type = types.listOf types.package; default = [ ]; };
      linger = mkOption { type = types.bool; default = false; };
      autoSubUidGidRange = mkOption { type = types.bool; default = false; };
    };
    config = mkMerge [
      { name = mkDefault name; shell = mkIf config.useDefaultShell (mkDefault cfg.defaultUserShell); }
      (mkIf config.isNormalUser {
        group = mkDefault "users";
        createHome = mkDefault true;
        home = mkDefault "/home/${config.name}";
        homeMode = mkDefault "700";
        useDefaultShell = mkDefault true;
        isSystemUser = mkDefault false;
        autoSubUidGidRange = mkDefault true;
      })
      (mkIf (!cfg.mutableUsers && config.initialPassword != null) { password = mkDefault config.initialPassword; })
      (mkIf (!cfg.mutableUsers && config.initialHashedPassword != null) { hashedPassword = mkDefault config.initialHashedPassword; })
    ];
  };

  groupOpts = { name, ... }: {
    freeformType = types.freeform;
    options = {
      name = mkOption { type = types.passwdEntry types.str; default = name; };
      gid = mkOption { type = types.nullOr types.int; default = null; };
      members = mkOption { type = types.listOf (types.passwdEntry types.str); default = [ ]; };
    };
  };
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/config/users-groups.nix";
  key = "${modulesPath}/config/users-groups.nix";
  options.users = {
    users = mkOption { default = { }; type = types.attrsOf (types.submodule userOpts); };
    groups = mkOption { default = { }; type = types.attrsOf (types.submodule groupOpts); };
    mutableUsers = mkOption { type = types.bool; default = true; };
    defaultUserShell = mkOption {
      type = types.either types.path types.shellPackage;
      default = lib.opaquePackage "bashInteractive";
    };
    defaultUserHome = mkOption { type = types.str; default = "/home"; };
    allowNoPasswordLogin = mkOption { type = types.bool; default = false; };
  };

  config.users = {
    users.root = {
      uid = 0;
      description = "System administrator";
      home = "/root";
      shell = mkDefault cfg.defaultUserShell;
      group = "root";
    };
    users.nobody = {
      uid = 65534;
      isSystemUser = true;
      description = "Unprivileged account (don't use!)";
      group = "nogroup";
    };
    groups = {
      root.gid = 0;
      wheel.gid = 1;
      users.gid = 100;
      nogroup.gid = 65534;
    };
  };
}
