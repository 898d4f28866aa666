# Test-only: what a NixOS module sets, as plain data for tests/integration/options.rs to check
# against the index of declared options. The module is called with stub arguments (no
# nixpkgs): `lib` has only what the project's modules use, `pkgs` is empty (packages sit in
# lists, which stay unevaluated), and `config.fileSystems` has one `<name>` entry.
# mkForce/mkDefault/mkIf are unwrapped; lists and functions become markers.
{ file }:
let
  lib = {
    mkOverride = priority: content: {
      _type = "override";
      inherit priority content;
    };
    mkForce = lib.mkOverride 50;
    mkDefault = lib.mkOverride 1000;
    mkIf = condition: content: {
      _type = "if";
      inherit condition content;
    };
    inherit (builtins) mapAttrs;
  };
  config.fileSystems."<name>".options = [ ];
  unwrap =
    value:
    if
      builtins.isAttrs value
      && builtins.elem (value._type or null) [
        "override"
        "if"
      ]
    then
      unwrap value.content
    else
      value;
  tree =
    value:
    let
      plain = unwrap value;
    in
    if builtins.isAttrs plain then
      builtins.mapAttrs (_: tree) plain
    else if builtins.isList plain then
      "<list>"
    else if builtins.isFunction plain then
      "<function>"
    else if builtins.isPath plain then
      toString plain
    else
      plain;
  module = import file;
in
tree (
  if builtins.isFunction module then
    module {
      inherit lib config;
      pkgs = { };
      modulesPath = "/modulesPath";
    }
  else
    module
)
