# Properties: the wrappers a definition can carry (mkIf, mkMerge, mkOverride, mkOrder,
# mkDefinition) and how NixOS discharges them (nixpkgs lib/modules.nix): mkIf/mkMerge are
# pushed down through attribute sets and then discharged, the highest priority (lowest
# number) wins, and mkOrder sorts list definitions, stably.
let
  lists = import ./lists.nix;
  inherit (builtins) isBool isAttrs mapAttrs concatMap filter foldl' sort;
in
rec {
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkOrder = priority: content: { _type = "order"; inherit priority content; };
  # A definition attributed to another file (NixOS 25.05's lib.mkDefinition).
  mkDefinition = args: args // { _type = "definition"; };

  defaultOverridePriority = 100;
  defaultOrderPriority = 1000;
  mkOptionDefault = mkOverride 1500;
  mkDefault = mkOverride 1000;
  mkImageMediaOverride = mkOverride 60;
  mkForce = mkOverride 50;
  mkVMOverride = mkOverride 10;
  mkBefore = mkOrder 500;
  mkAfter = mkOrder 1500;
  mkFixStrictness = x: x;

  typeOf = v: if isAttrs v then v._type or "" else "";

  # One module's config as a list of plain attribute sets whose values may still carry
  # properties: mkMerge splits, mkIf and mkOverride move onto each attribute. Only the
  # content's attribute names are read, never a condition, which is why
  # `config = mkIf config.x.enable { ... }` does not recurse forever.
  pushDownProperties = cfg:
    let t = typeOf cfg; in
    if t == "merge" then concatMap pushDownProperties cfg.contents
    else if t == "if" then map (mapAttrs (n: v: mkIf cfg.condition v)) (pushDownProperties cfg.content)
    else if t == "override" then map (mapAttrs (n: v: mkOverride cfg.priority v)) (pushDownProperties cfg.content)
    else [ cfg ];

  # A definition's value as the list of values it stands for: false mkIfs vanish.
  dischargeProperties = def:
    let t = typeOf def; in
    if t == "merge" then concatMap dischargeProperties def.contents
    else if t == "if" then
      if !isBool def.condition then throw "‘mkIf’ called with a non-Boolean condition"
      else if def.condition then dischargeProperties def.content else [ ]
    else [ def ];

  priorityOf = def: if typeOf def.value == "override" then def.value.priority else defaultOverridePriority;

  # The definitions of the highest priority, their override stripped, and that priority.
  filterOverrides' = defs:
    let
      highestPrio = foldl' (prio: def: lists.min (priorityOf def) prio) 9999 defs;
      strip = def: if typeOf def.value == "override" then def // { value = def.value.content; } else def;
    in {
      inherit highestPrio;
      values = concatMap (def: if priorityOf def == highestPrio then [ (strip def) ] else [ ]) defs;
    };
  filterOverrides = defs: (filterOverrides' defs).values;

  # Sorted by mkOrder priority (1000 when none); builtins.sort is stable, so equal orders
  # keep module order.
  sortProperties = defs:
    let
      strip = def: if typeOf def.value == "order"
        then def // { value = def.value.content; inherit (def.value) priority; } else def;
      orderOf = def: def.priority or defaultOrderPriority;
    in sort (a: b: orderOf a < orderOf b) (map strip defs);

  # A value with every property inside it discharged, for reporting what a module wrote:
  # false mkIfs vanish from sets and lists, overrides and orders are unwrapped.
  cleanValue = v:
    let t = typeOf v; in
    if t == "if" then (if v.condition == true then cleanValue v.content else null)
    else if t == "override" || t == "order" then cleanValue v.content
    else if t == "definition" then cleanValue v.value
    else if t == "merge" then
      let parts = map cleanValue (dischargeProperties v);
      in if parts != [ ] && lists.all builtins.isList parts then builtins.concatLists parts
         else foldl' (a: b: if isAttrs a && isAttrs b then a // b else b) { } parts
    else if builtins.isList v then map cleanValue (filter present v)
    else if isAttrs v && t == "" && !(v ? outPath) then
      mapAttrs (n: cleanValue) (lists.foldl' (acc: n: if present v.${n} then acc else removeAttrs acc [ n ]) v (builtins.attrNames v))
    else v;
  present = v: typeOf v != "if" || (v.condition == true && present v.content);
}
