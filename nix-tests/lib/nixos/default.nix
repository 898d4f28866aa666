# NixOS's own modules, as far as this evaluator knows them: for each nixpkgs file below,
# the declarations (types, defaults) of the options the Debian backend realizes and the
# definitions NixOS itself makes for them. Each module gets the `_file` and `key` of its
# nixpkgs file under `modulesPath`, so messages name that file and `disabledModules`
# disables it as in NixOS. The last module makes every undeclared path freeform data.
{ lib, modulesPath }:
let
  sources = {
    "misc/assertions.nix" = ./assertions.nix;
    "config/nix.nix" = ./nix.nix;
    "services/system/nix-daemon.nix" = ./nix-daemon.nix;
    "config/nix-remote-build.nix" = ./nix-remote-build.nix;
    "config/zram.nix" = ./zram.nix;
    "config/sysctl.nix" = ./sysctl.nix;
    "tasks/filesystems.nix" = ./filesystems.nix;
    "system/boot/stage-1.nix" = ./stage-1.nix;
    "config/swap.nix" = ./swap.nix;
    "services/networking/ssh/sshd.nix" = ./sshd.nix;
    "config/users-groups.nix" = ./users-groups.nix;
    "security/sudo.nix" = ./sudo.nix;
    "tasks/network-interfaces.nix" = ./network-interfaces.nix;
    "config/system-path.nix" = ./system-path.nix;
  };
  asNixpkgsFile = relative: source: {
    _file = "${modulesPath}/${relative}";
    key = "${modulesPath}/${relative}";
    imports = [ (import source) ];
  };
in
lib.mapAttrsToList asNixpkgsFile sources ++ [
  {
    _file = "${modulesPath}/freeform";
    key = "${modulesPath}/freeform";
    _module.freeformType = lib.types.freeform;
  }
]
