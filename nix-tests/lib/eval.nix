# The entry point: one NixOS configuration, evaluated without nixpkgs.
#
#   nix-instantiate --eval --strict --json nix-tests/lib/eval.nix \
#     --arg modules '[ /abs/machine/configuration.nix /abs/optimizations/zram.nix ]'
#
# gives { config; definitions; warnings; skipped; } (see README.md of this directory):
# the merged configuration with NixOS 25.05's defaults for the options nixos/ declares,
# every leaf definition the given modules (and their imports) make, NixOS's warnings, and
# the imports of nixpkgs' own files that were not evaluated. Errors are throws worded as
# NixOS words them. Failed assertions fail the evaluation, as nixos-rebuild does.
{ modules ? [ ], modulesPath ? "<nixpkgs>/nixos/modules", specialArgs ? { } }:
let
  lib = import ./lib.nix;
  nixos = import ./nixos { inherit lib modulesPath; };
  result = lib.evalModules {
    # NixOS's own modules first, as eval-config.nix puts them.
    modules = nixos ++ modules;
    specialArgs = specialArgs // { inherit modulesPath; };
  };
  inherit (result) config;

  # NixOS's own definitions are not the given modules': they are left out.
  fromNixos = file: lib.hasPrefix (modulesPath + "/") file || file == lib.internalFile;
  moduleIndex = builtins.listToAttrs (lib.imap0 (i: m: { name = m._file; value = i; }) result.modules);
  indexOf = def: moduleIndex.${def.file} or 1000000;
  # In module order (the order modules are collected in), then by path; builtins.sort is
  # stable, so the definitions one module makes at one path keep their order.
  before = a: b: indexOf a < indexOf b || (indexOf a == indexOf b && a.path < b.path);
  definitions = builtins.sort before (builtins.filter (def: !fromNixos def.file) result.definitions);

  failed = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
  out = {
    config = lib.render result.output;
    definitions = map (def: {
      inherit (def) path file priority;
      # Which of the given modules brought the definition in (itself or by an import).
      module = (result.roots.${toString def.file} or (builtins.length nixos)) - builtins.length nixos;
      value = lib.render def.value;
    }) definitions;
    warnings = config.warnings;
    skipped = result.skipped;
  };
in
if failed != [ ] then
  throw "\nFailed assertions:\n${lib.concatMapStringsSep "\n" (m: "- ${m}") failed}"
# Evaluated whole before anything is printed: an error leaves no partial JSON on stdout.
else builtins.deepSeq out out
