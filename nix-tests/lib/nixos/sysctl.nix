# nixpkgs nixos/modules/config/sysctl.nix. The stored copy read was at
# 05924f714f31ff83bd10ed1710638688999c3725 (older than 25.05); 25.05's shape, as the
# project's Rust side transcribed it (src/scenario/nixos.rs): `boot.kernel.sysctl` is a
# submodule whose freeform values are unique (a second definition fails even when equal:
# mergeOneOption after the priorities are applied), `net.core.rmem_max`/`wmem_max` take the
# highest of their definitions (null wins), and NixOS's own two mkDefaults.
{ lib, modulesPath, ... }:
let
  inherit (lib) mkOption types mkDefault;
  isSysctlAtom = x: builtins.isBool x || builtins.isString x || builtins.isInt x || x == null;
  sysctlOption = types.mkOptionType {
    name = "sysctl option value";
    check = val: isSysctlAtom val || (val._type or "" == "override" && isSysctlAtom val.content);
    merge = loc: defs: lib.mergeOneOption loc (lib.filterOverrides defs);
  };
  highestValueType = types.ints.unsigned // {
    merge = loc: defs: builtins.foldl' (a: b: if b.value == null then null else lib.max a b.value) 0 (lib.filterOverrides defs);
  };
  highest = mkOption {
    type = types.nullOr highestValueType;
    default = null;
    description = "In case of conflicting values, the highest will be used.";
  };
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/config/sysctl.nix";
  key = "${modulesPath}/config/sysctl.nix";
  options.boot.kernel.sysctl = mkOption {
    type = types.submodule {
      freeformType = types.attrsOf sysctlOption;
      options."net.core.rmem_max" = highest;
      options."net.core.wmem_max" = highest;
    };
    default = { };
    example = lib.literalExpression ''{ "net.ipv4.tcp_syncookies" = false; "vm.swappiness" = 60; }'';
  };

  config = {
    # Hide kernel pointers from unprivileged users.
    boot.kernel.sysctl."kernel.kptr_restrict" = mkDefault 1;
    # For applications that map a lot of memory, like games.
    boot.kernel.sysctl."vm.max_map_count" = mkDefault 1048576;
  };
}
