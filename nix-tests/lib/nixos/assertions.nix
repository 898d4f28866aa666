# nixpkgs nixos/modules/misc/assertions.nix: the `assertions` that fail an evaluation and
# the `warnings` it prints. Not read here (no stored 25.05 text was looked up); declared as
# NixOS declares them: internal lists, empty by default.
{ lib, modulesPath, ... }:
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/misc/assertions.nix";
  key = "${modulesPath}/misc/assertions.nix";
  options = {
    assertions = lib.mkOption {
      type = lib.types.listOf lib.types.unspecified;
      internal = true;
      default = [ ];
      description = "Conditions that must hold; the evaluation fails with each failed one's message.";
    };
    warnings = lib.mkOption {
      internal = true;
      default = [ ];
      type = lib.types.listOf lib.types.str;
      description = "Warnings printed when the configuration is built.";
    };
  };
}
