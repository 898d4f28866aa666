# Attribute-set helpers of the `lib` given to modules (nixpkgs' lib/attrsets.nix names and
# meanings), written on builtins only.
let
  inherit (builtins) attrNames listToAttrs mapAttrs hasAttr getAttr length head tail filter isAttrs;
  lists = import ./lists.nix;
in
rec {
  inherit (builtins) attrNames attrValues mapAttrs hasAttr getAttr listToAttrs removeAttrs
    intersectAttrs catAttrs zipAttrsWith isAttrs;
  nameValuePair = name: value: { inherit name value; };
  mapAttrs' = f: set: listToAttrs (map (attr: f attr set.${attr}) (attrNames set));
  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (attrNames attrs);
  attrsToList = mapAttrsToList nameValuePair;
  filterAttrs = pred: set:
    listToAttrs (lists.concatMap (name: let v = set.${name}; in
      if pred name v then [ (nameValuePair name v) ] else [ ]) (attrNames set));
  genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);
  optionalAttrs = cond: as: if cond then as else { };
  zipAttrs = zipAttrsWith (name: values: values);
  foldAttrs = op: nul: list_of_attrs:
    lists.foldr (n: a: lists.foldr (name: o: o // { ${name} = op n.${name} (a.${name} or nul); }) a (attrNames n))
      { } list_of_attrs;
  attrByPath = attrPath: default: set:
    if attrPath == [ ] then set
    else let attr = head attrPath; in
      if isAttrs set && set ? ${attr} then attrByPath (tail attrPath) default set.${attr} else default;
  hasAttrByPath = attrPath: e:
    if attrPath == [ ] then true
    else let attr = head attrPath; in isAttrs e && e ? ${attr} && hasAttrByPath (tail attrPath) e.${attr};
  getAttrFromPath = attrPath: set:
    attrByPath attrPath (throw "cannot find attribute `${builtins.concatStringsSep "." attrPath}'") set;
  setAttrByPath = attrPath: value:
    if attrPath == [ ] then value else { ${head attrPath} = setAttrByPath (tail attrPath) value; };
  # Recurses while both sides are attribute sets and `pred path lhs rhs` is false; rhs wins.
  recursiveUpdateUntil = pred: lhs: rhs:
    let
      f = attrPath: zipAttrsWith (n: values:
        let here = attrPath ++ [ n ]; in
        if length values == 1 || pred here (lists.elemAt values 1) (head values)
        then head values else f here values);
    in f [ ] [ rhs lhs ];
  recursiveUpdate = recursiveUpdateUntil (path: lhs: rhs: !(isAttrs lhs && isAttrs rhs));
  mapAttrsRecursiveCond = cond: f: set:
    let
      recurse = path: mapAttrs (name: value:
        if isAttrs value && cond value then recurse (path ++ [ name ]) value else f (path ++ [ name ]) value);
    in recurse [ ] set;
  mapAttrsRecursive = mapAttrsRecursiveCond (as: true);
  collect = pred: attrs:
    if pred attrs then [ attrs ]
    else if isAttrs attrs then lists.concatMap (collect pred) (builtins.attrValues attrs)
    else [ ];
  isDerivation = value: value.type or null == "derivation";
  getAttrs = names: attrs: genAttrs names (name: attrs.${name});
  concatMapAttrs = f: v: lists.foldl' (a: b: a // b) { } (mapAttrsToList f v);
  mergeAttrsList = lists.foldl' (a: b: a // b) { };
  showAttrPath = path: builtins.concatStringsSep "." path;
}
