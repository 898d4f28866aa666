# nixpkgs nixos/modules/tasks/filesystems.nix, read at
# 0148e16d1446003704803ecabb5a00cfea7d8568 (a 2025 text of the 25.05 line): `fileSystems`,
# an attribute set of submodules named by mount point (mountPoint defaults to the name,
# fsType "auto", options [ "defaults" ], device null), and the options NixOS adds itself:
# `x-initrd.mount` on what stage 1 mounts (utils.fsNeededForBoot), `x-systemd.growfs` and
# `x-systemd.makefs` with autoResize and autoFormat. Entries with `enable = false` are
# dropped (the option's apply). Undeclared entry attributes stay freeform.
{ config, lib, modulesPath, ... }:
let
  inherit (lib) mkOption types mkIf mkDefault mkMerge;
  nonEmptyStr = types.addCheck types.str (s: builtins.match "[ \t\n]*" s == null)
    // { description = "string (with check: non-empty)"; };
  nonEmptyWithoutTrailingSlash = types.addCheck types.str (s: builtins.match "[ \t\n]*" s == null && builtins.match ".+/" s == null)
    // { description = "string (with check: non-empty without trailing slash)"; };
  specialFSTypes = [ "proc" "sysfs" "tmpfs" "ramfs" "devtmpfs" "devpts" ];
  escape = builtins.replaceStrings [ " " "\t" ] [ "\\040" "\\011" ];
  # nixos/lib/utils.nix: what stage 1 mounts before switching to the real root.
  pathsNeededForBoot = [ "/" "/nix" "/nix/store" "/var" "/var/log" "/var/lib" "/var/lib/nixos" "/etc" "/usr" ];
  fsNeededForBoot = fs: fs.neededForBoot || builtins.elem fs.mountPoint pathsNeededForBoot;

  coreFileSystemOpts = { name, config, ... }: {
    freeformType = types.freeform;
    options = {
      enable = lib.mkEnableOption "the filesystem mount" // { default = true; };
      mountPoint = mkOption { example = "/mnt/usb"; type = nonEmptyWithoutTrailingSlash; default = name; };
      stratis.poolUuid = mkOption { type = types.uniq (types.nullOr types.str); default = null; };
      device = mkOption { default = null; example = "/dev/sda"; type = types.nullOr nonEmptyStr; };
      fsType = mkOption { default = "auto"; example = "ext3"; type = nonEmptyStr; };
      options = mkOption { default = [ "defaults" ]; example = [ "data=journal" ]; type = types.nonEmptyListOf nonEmptyStr; };
      depends = mkOption { default = [ ]; example = [ "/persist" ]; type = types.listOf nonEmptyWithoutTrailingSlash; };
    };
    config.device = mkIf (builtins.elem config.fsType specialFSTypes) (mkDefault config.fsType);
  };

  fileSystemOpts = { config, ... }: {
    options = {
      label = mkOption { default = null; example = "root-partition"; type = types.nullOr nonEmptyStr; };
      autoFormat = mkOption { default = false; type = types.bool; };
      formatOptions = mkOption { visible = false; type = types.unspecified; default = null; };
      autoResize = mkOption { default = false; type = types.bool; };
      noCheck = mkOption { default = false; type = types.bool; };
    };
    config.device = mkIf (config.label != null) (mkDefault "/dev/disk/by-label/${escape config.label}");
    config.options = mkMerge [
      (mkIf config.autoResize [ "x-systemd.growfs" ])
      (mkIf config.autoFormat [ "x-systemd.makefs" ])
      (mkIf (fsNeededForBoot config) [ "x-initrd.mount" ])
    ];
  };
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/tasks/filesystems.nix";
  key = "${modulesPath}/tasks/filesystems.nix";
  options.fileSystems = mkOption {
    default = { };
    type = types.attrsOf (types.submodule [ coreFileSystemOpts fileSystemOpts ]);
    apply = lib.filterAttrs (_: fs: fs.enable);
  };
}
