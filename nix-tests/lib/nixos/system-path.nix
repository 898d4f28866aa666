# nixpkgs nixos/modules/config/system-path.nix (not read here: written from NixOS 25.05's
# option documentation): `environment.systemPackages` and `environment.defaultPackages`, and
# the packages every NixOS system has (requiredPackages, then the default perl, rsync and
# strace). Packages are opaque names here.
{ config, lib, modulesPath, ... }:
let
  inherit (lib) mkOption types;
  required = [ "acl" "attr" "bashInteractive" "bzip2" "coreutils-full" "cpio" "curl" "diffutils"
    "findutils" "gawk" "libc" "getent" "getconf" "gnugrep" "gnupatch" "gnused" "gnutar" "gzip" "xz"
    "less" "libcap" "ncurses" "netcat" "openssh" "mkpasswd" "procps" "su" "time" "util-linux"
    "which" "zstd" ];
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/config/system-path.nix";
  key = "${modulesPath}/config/system-path.nix";
  options.environment = {
    systemPackages = mkOption { type = types.listOf types.package; default = [ ]; };
    defaultPackages = mkOption {
      type = types.listOf types.package;
      default = map lib.opaquePackage [ "perl" "rsync" "strace" ];
    };
  };
  config.environment.systemPackages = map lib.opaquePackage required ++ config.environment.defaultPackages;
}
