# nixpkgs nixos/modules/config/nix.nix, read at 013635633ffe11f70df1d639f563f21c42c1f778
# (release-25.05 content): `nix.settings` (a submodule whose freeformType takes any Nix
# setting: an atom or a list of atoms), its declared keys and defaults, `nix.extraOptions`,
# the renamed pre-22.05 options (nix.maxJobs -> nix.settings.max-jobs, ...), and NixOS's
# own settings: the cache.nixos.org key, root as trusted user, cache.nixos.org as the last
# substituter (mkAfter) and the system features (mkDefault; no `gccarch-*`, the generic
# x86_64-linux platform has no gcc.arch).
{ config, lib, modulesPath, ... }:
let
  inherit (lib) mkOption types mkIf mkAfter mkDefault;
  cfg = config.nix;

  legacyConfMappings = {
    useSandbox = "sandbox";
    buildCores = "cores";
    maxJobs = "max-jobs";
    sandboxPaths = "extra-sandbox-paths";
    binaryCaches = "substituters";
    trustedBinaryCaches = "trusted-substituters";
    binaryCachePublicKeys = "trusted-public-keys";
    autoOptimiseStore = "auto-optimise-store";
    requireSignedBinaryCaches = "require-sigs";
    trustedUsers = "trusted-users";
    allowedUsers = "allowed-users";
    systemFeatures = "system-features";
  };

  # nix.nix's semanticConfType: what a nix.conf value can be.
  semanticConfType =
    let
      confAtom = types.nullOr (types.oneOf [ types.bool types.int types.float types.str types.path types.package ])
        // { description = "Nix config atom (null, bool, int, float, str, path or package)"; };
    in types.attrsOf (types.either confAtom (types.listOf confAtom));

  listOfStr = example: mkOption { type = types.listOf types.str; inherit example; };
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/config/nix.nix";
  key = "${modulesPath}/config/nix.nix";
  imports = [
    (lib.mkRenamedOptionModuleWith { sinceRelease = 2003; from = [ "nix" "useChroot" ]; to = [ "nix" "useSandbox" ]; })
    (lib.mkRenamedOptionModuleWith { sinceRelease = 2003; from = [ "nix" "chrootDirs" ]; to = [ "nix" "sandboxPaths" ]; })
  ] ++ lib.mapAttrsToList (oldConf: newConf: lib.mkRenamedOptionModuleWith {
    sinceRelease = 2205;
    from = [ "nix" oldConf ];
    to = [ "nix" "settings" newConf ];
  }) legacyConfMappings;

  options.nix = {
    checkConfig = mkOption { type = types.bool; default = true; };
    checkAllErrors = mkOption { type = types.bool; default = true; };
    extraOptions = mkOption { type = types.lines; default = ""; };
    settings = mkOption {
      default = { };
      type = types.submodule {
        freeformType = semanticConfType;
        options = {
          max-jobs = mkOption { type = types.either types.int (types.enum [ "auto" ]); default = "auto"; example = 64; };
          auto-optimise-store = mkOption { type = types.bool; default = false; example = true; };
          cores = mkOption { type = types.int; default = 0; example = 64; };
          sandbox = mkOption { type = types.either types.bool (types.enum [ "relaxed" ]); default = true; };
          extra-sandbox-paths = mkOption { type = types.listOf types.str; default = [ ]; example = [ "/dev" "/proc" ]; };
          substituters = mkOption { type = types.listOf types.str; };
          trusted-substituters = mkOption { type = types.listOf types.str; default = [ ]; example = [ "https://hydra.nixos.org/" ]; };
          require-sigs = mkOption { type = types.bool; default = true; };
          trusted-public-keys = listOfStr [ "hydra.nixos.org-1:CNHJZBh9K4tP3EKF6FkkgeVYsS3ohTl+oS0Qa8bezVs=" ];
          trusted-users = listOfStr [ "root" "alice" "@wheel" ];
          system-features = listOfStr [ "kvm" "big-parallel" "gccarch-skylake" ];
          allowed-users = mkOption { type = types.listOf types.str; default = [ "*" ]; example = [ "@wheel" "@builders" "alice" "bob" ]; };
        };
      };
    };
  };

  config = mkIf cfg.enable {
    nix.settings = {
      trusted-public-keys = [ "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=" ];
      trusted-users = [ "root" ];
      substituters = mkAfter [ "https://cache.nixos.org/" ];
      system-features = mkDefault [ "nixos-test" "benchmark" "big-parallel" "kvm" ];
    };
  };
}
