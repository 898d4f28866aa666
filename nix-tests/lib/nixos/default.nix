# NixOS's own modules, as far as this evaluator knows them: for each nixpkgs file it
# stands for, the declarations (types, defaults) of the options the Debian backend
# realizes and the definitions NixOS itself makes for them. Each file sets the `_file` and
# `key` of its nixpkgs file under `modulesPath`, so messages name that file and
# `disabledModules` disables it as in NixOS. They are listed as paths at the head of the
# module list, as NixOS's module-list.nix is (the order decides list concatenation). The
# last module makes every undeclared path freeform data.
{ lib, modulesPath }:
[
  ./assertions.nix
  ./nix.nix
  ./nix-daemon.nix
  ./nix-remote-build.nix
  ./zram.nix
  ./sysctl.nix
  ./filesystems.nix
  ./stage-1.nix
  ./swap.nix
  ./sshd.nix
  ./users-groups.nix
  ./sudo.nix
  ./network-interfaces.nix
  ./system-path.nix
  {
    _file = "${modulesPath}/freeform";
    key = "${modulesPath}/freeform";
    _module.freeformType = lib.types.freeform;
  }
]
