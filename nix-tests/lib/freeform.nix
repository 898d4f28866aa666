# The type of everything no option declares (`disko.*`, `home-manager.*`, `services.nginx`):
# lists concatenate, attribute sets merge attribute by attribute, equal values agree and
# different ones conflict with NixOS's message; properties anywhere inside are discharged by
# the same rules as for options. Its attribute names never depend on a mkIf condition, so a
# condition may read `config` at any path (an attribute whose definitions are all under
# false mkIfs is there but fails when read, and is left out of the output).
{ lib }:
let
  inherit (builtins) isAttrs isList all concatLists filter mapAttrs;
  isSet = v: isAttrs v && v._type or null != "package" && !(v ? outPath);
  self = lib.types.mkOptionType {
    name = "freeform";
    description = "freeform value";
    descriptionClass = "noun";
    merge = loc: defs: (self.mergeDetailed loc defs).value;
    mergeDetailed = loc: defs:
      let values = map (def: def.value) defs; in
      if all isSet values then (lib.types.lazyAttrsOf self).mergeDetailed loc defs
      else if all isList values then (lib.types.listOf self).mergeDetailed loc defs
      else let v = lib.mergeEqualOption loc defs; in { value = v; output = v; definitions = null; };
  };
in
self
