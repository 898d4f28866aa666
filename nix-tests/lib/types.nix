# Option types (nixpkgs lib/types.nix): each has `check`, `merge`, `description` and `name`,
# and `typeMerge` for declaring one option in two modules. Containers also have
# `mergeDetailed` (see modules.nix): the value, the value as data (`output`) and the
# definitions inside them, so a submodule's leaves are reported under their full path.
{ lib }:
let
  inherit (builtins) isAttrs isList isString isInt isFloat isBool isFunction length head
    filter all any elem concatLists mapAttrs attrNames zipAttrsWith;
  inherit (lib) mergeEqualOption mergeOneOption mergeUniqueOption mergeDefaultOption
    mergeDefinitions showOption showFiles getFiles imap1 filterAttrs mapAttrsToList;

  # `(a or b)` where the phrase would read ambiguously, as nixpkgs' optionDescriptionPhrase.
  phrase = unparenthesize: t:
    if unparenthesize (t.descriptionClass or null) then t.description else "(${t.description})";

  # Definitions of a set, one list per attribute name.
  byName = defs: zipAttrsWith (n: v: v)
    (map (def: mapAttrs (n: v: { inherit (def) file; value = v; }) def.value) defs);

  # attrsOf and lazyAttrsOf: every attribute merged by its own definitions.
  attrsMergeDetailed = elemType: lazy: loc: defs:
    let
      per = mapAttrs (name: mergeDefinitions (loc ++ [ name ]) elemType) (byName defs);
      defined = filterAttrs (n: r: r.isDefined) per;
    in {
      value = mapAttrs (n: r: r.mergedValue) (if lazy then per else defined);
      output = mapAttrs (n: r: r.output) defined;
      definitions = concatLists (mapAttrsToList (n: r: r.reported) per);
    };

  # listOf: each element is merged alone, so properties on elements are discharged.
  listMergeDetailed = elemType: loc: defs:
    let
      elems = concatLists (imap1 (n: def: imap1 (m: v:
        mergeDefinitions (loc ++ [ "[definition ${toString n}-entry ${toString m}]" ]) elemType
          [ { inherit (def) file; value = v; } ]) def.value) defs);
      defined = filter (r: r.isDefined) elems;
    in { value = map (r: r.mergedValue) defined; output = map (r: r.output) defined; definitions = null; };

  # Two declarations of a container merge when their element types do.
  elemTypeMerge = self: mk: other:
    if other.name or null == self.name && other ? elemType then
      let e = self.elemType.typeMerge other.elemType; in if e == null then null else mk e
    else null;
in
rec {
  isType = type: x: (x._type or "") == type;

  mkOptionType = attrs:
    let self = {
      _type = "option-type";
      description = attrs.name;
      descriptionClass = null;
      check = x: true;
      merge = mergeDefaultOption;
      getSubModules = null;
      typeMerge = other: if (other.name or null) == self.name && (self.payload or null) == (other.payload or null) then self else null;
    } // attrs;
    in self;

  raw = mkOptionType { name = "raw"; description = "raw value"; descriptionClass = "noun"; merge = mergeOneOption; };
  unspecified = mkOptionType { name = "unspecified"; description = "unspecified value"; descriptionClass = "noun"; };

  # nixpkgs' `anything`: sets merge, packages are unique, other values must agree (lists
  # do not concatenate).
  anything = mkOptionType {
    name = "anything";
    description = "anything";
    descriptionClass = "noun";
    merge = loc: defs:
      let
        kind = v: if isAttrs v && lib.isStringLike v then "stringCoercibleSet" else builtins.typeOf v;
        common = builtins.foldl' (k: def: if kind def.value == k then k
          else throw "The option `${showOption loc}' has conflicting option types in ${showFiles (getFiles defs)}")
          (kind (head defs).value) defs;
      in {
        set = (attrsOf anything).merge;
        stringCoercibleSet = mergeOneOption;
        lambda = loc: defs: arg: anything.merge (loc ++ [ "<function body>" ])
          (map (def: { inherit (def) file; value = def.value arg; }) defs);
      }.${common} or mergeEqualOption loc defs;
  };

  bool = mkOptionType { name = "bool"; description = "boolean"; descriptionClass = "noun"; check = isBool; merge = mergeEqualOption; };
  boolByOr = mkOptionType { name = "boolByOr"; description = "boolean (merged using or)"; descriptionClass = "noun"; check = isBool;
    merge = loc: defs: builtins.foldl' (r: def: r || def.value) false defs; };

  int = mkOptionType { name = "int"; description = "signed integer"; descriptionClass = "noun"; check = isInt; merge = mergeEqualOption; };

  ints = rec {
    betweenDesc = lowest: highest: "${toString lowest} and ${toString highest} (both inclusive)";
    between = lowest: highest:
      assert lib.assertMsg (lowest <= highest) "ints.between: lowest must be smaller than highest";
      addCheck int (x: x >= lowest && x <= highest) // {
        name = "intBetween";
        description = "integer between ${betweenDesc lowest highest}";
      };
    ign = lowest: highest: name: docStart: between lowest highest // {
      inherit name;
      description = docStart + "; between ${betweenDesc lowest highest}";
    };
    unsign = bit: range: ign 0 (range - 1) "unsignedInt${toString bit}" "${toString bit} bit unsigned integer";
    sign = bit: range: ign (0 - (range / 2)) (range / 2 - 1) "signedInt${toString bit}" "${toString bit} bit signed integer";
    unsigned = addCheck int (x: x >= 0) // { name = "unsignedInt"; description = "unsigned integer, meaning >=0"; descriptionClass = "nonRestrictiveClause"; };
    positive = addCheck int (x: x > 0) // { name = "positiveInt"; description = "positive integer, meaning >0"; descriptionClass = "nonRestrictiveClause"; };
    u8 = unsign 8 256;
    u16 = unsign 16 65536;
    u32 = unsign 32 4294967296;
    s8 = sign 8 256;
    s16 = sign 16 65536;
    s32 = sign 32 4294967296;
  };
  port = ints.u16;

  float = mkOptionType { name = "float"; description = "floating point number"; descriptionClass = "noun"; check = isFloat; merge = mergeEqualOption; };
  number = either int float;
  numbers = {
    between = lowest: highest: addCheck number (x: x >= lowest && x <= highest) // {
      name = "numberBetween"; description = "integer or floating point number between ${ints.betweenDesc lowest highest}"; };
    nonnegative = addCheck number (x: x >= 0) // { name = "numberNonnegative"; description = "nonnegative integer or floating point number, meaning >=0"; };
    positive = addCheck number (x: x > 0) // { name = "numberPositive"; description = "positive integer or floating point number, meaning >0"; };
  };

  str = mkOptionType { name = "str"; description = "string"; descriptionClass = "noun"; check = isString; merge = mergeEqualOption; };
  nonEmptyStr = mkOptionType { name = "nonEmptyStr"; description = "non-empty string"; descriptionClass = "noun";
    check = x: str.check x && builtins.match "[ \t\n]*" x == null; inherit (str) merge; };
  singleLineStr = let inner = strMatching "[^\n\r]*\n?"; in mkOptionType {
    name = "singleLineStr"; description = "(optionally newline-terminated) single-line string"; descriptionClass = "noun";
    inherit (inner) check; merge = loc: defs: lib.removeSuffix "\n" (inner.merge loc defs); };
  strMatching = pattern: mkOptionType {
    name = "strMatching ${lib.escapeNixString pattern}";
    description = "string matching the pattern ${pattern}";
    descriptionClass = "noun";
    check = x: str.check x && builtins.match pattern x != null;
    inherit (str) merge;
  };
  separatedString = sep: mkOptionType {
    name = "separatedString";
    description = if sep == "" then "Concatenated string" else "strings concatenated with ${builtins.toJSON sep}";
    descriptionClass = "noun";
    check = isString;
    merge = loc: defs: builtins.concatStringsSep sep (lib.getValues defs);
    payload = sep;
  };
  lines = separatedString "\n";
  commas = separatedString ",";
  envVar = separatedString ":";
  string = separatedString "";
  passwdEntry = entryType: addCheck entryType (s: !(lib.hasInfix ":" s || lib.hasInfix "\n" s)) // {
    name = "passwdEntry ${entryType.name}";
    description = "${phrase (c: c == "noun") entryType}, not containing newlines or colons";
  };
  shellPackage = package // { check = x: lib.isDerivation x && x ? shellPath; };

  path = mkOptionType {
    name = "path"; description = "path"; descriptionClass = "noun";
    check = x: lib.isStringLike x && builtins.substring 0 1 (toString x) == "/";
    merge = mergeEqualOption;
  };
  package = mkOptionType {
    name = "package"; description = "package"; descriptionClass = "noun";
    check = x: lib.isDerivation x || (isString x && lib.hasPrefix "/nix/store/" x);
    merge = mergeOneOption;
  };
  attrs = mkOptionType {
    name = "attrs"; description = "attribute set"; descriptionClass = "noun"; check = isAttrs;
    merge = loc: builtins.foldl' (res: def: res // def.value) { };
  };

  enum = values:
    let
      show = v: if isString v then ''"${v}"'' else if isInt v then toString v
        else if isBool v then lib.boolToString v else "<${builtins.typeOf v}>";
    in mkOptionType rec {
      name = "enum";
      description =
        if values == [ ] then "impossible (empty enum)"
        else if length values == 1 then "value ${show (head values)} (singular enum)"
        else "one of ${lib.concatMapStringsSep ", " show values}";
      descriptionClass = if length values < 2 then "noun" else "nonRestrictiveClause";
      check = x: elem x values;
      merge = mergeEqualOption;
      payload = values;
      typeMerge = other: if other.name or null == "enum" then enum (lib.unique (values ++ other.payload)) else null;
    };

  listOf = elemType: mkOptionType rec {
    name = "listOf";
    description = "list of ${phrase (c: c == "noun" || c == "composite") elemType}";
    descriptionClass = "composite";
    check = isList;
    merge = loc: defs: (mergeDetailed loc defs).value;
    mergeDetailed = listMergeDetailed elemType;
    inherit elemType;
    typeMerge = elemTypeMerge { inherit name elemType; } listOf;
    getSubModules = elemType.getSubModules;
    substSubModules = m: listOf (elemType.substSubModules m);
  };
  nonEmptyListOf = elemType:
    let list = addCheck (listOf elemType) (l: l != [ ]);
    in list // { description = "non-empty ${phrase (c: c == "noun") list}"; };

  attrsOf = elemType: mkOptionType rec {
    name = "attrsOf";
    description = "attribute set of ${phrase (c: c == "noun" || c == "composite") elemType}";
    descriptionClass = "composite";
    check = isAttrs;
    merge = loc: defs: (mergeDetailed loc defs).value;
    mergeDetailed = attrsMergeDetailed elemType false;
    inherit elemType;
    typeMerge = elemTypeMerge { inherit name elemType; } attrsOf;
    getSubModules = elemType.getSubModules;
    substSubModules = m: attrsOf (elemType.substSubModules m);
  };
  # Its attribute names do not depend on mkIf conditions; an attribute whose definitions
  # are all under false mkIfs is there but fails when read.
  lazyAttrsOf = elemType: mkOptionType rec {
    name = "lazyAttrsOf";
    description = "lazy attribute set of ${phrase (c: c == "noun" || c == "composite") elemType}";
    descriptionClass = "composite";
    check = isAttrs;
    merge = loc: defs: (mergeDetailed loc defs).value;
    mergeDetailed = attrsMergeDetailed elemType true;
    inherit elemType;
    typeMerge = elemTypeMerge { inherit name elemType; } lazyAttrsOf;
    getSubModules = elemType.getSubModules;
    substSubModules = m: lazyAttrsOf (elemType.substSubModules m);
  };

  nullOr = elemType: mkOptionType rec {
    name = "nullOr";
    description = "null or ${phrase (c: c == "noun" || c == "conjunction") elemType}";
    descriptionClass = "conjunction";
    check = x: x == null || elemType.check x;
    merge = loc: defs: (mergeDetailed loc defs).value;
    mergeDetailed = loc: defs:
      let nulls = filter (def: def.value == null) defs; in
      if nulls == defs then { value = null; output = null; definitions = null; }
      else if nulls == [ ] then lib.mergeDetailed elemType loc defs
      else throw "The option `${showOption loc}' is defined both null and not null, in ${showFiles (getFiles defs)}.";
    inherit elemType;
    typeMerge = elemTypeMerge { inherit name elemType; } nullOr;
    getSubModules = elemType.getSubModules;
    substSubModules = m: nullOr (elemType.substSubModules m);
  };

  either = t1: t2: mkOptionType rec {
    name = "either";
    description = "${phrase (c: c == "noun" || c == "conjunction") t1} or ${phrase (c: c == "noun" || c == "conjunction" || c == "composite") t2}";
    descriptionClass = "conjunction";
    check = x: t1.check x || t2.check x;
    merge = loc: defs:
      let values = lib.getValues defs; in
      if all t1.check values then t1.merge loc defs
      else if all t2.check values then t2.merge loc defs
      else mergeOneOption loc defs;
    typeMerge = other: if other.name or null == "either" && other ? t1 then
      let a = t1.typeMerge other.t1; b = t2.typeMerge other.t2; in
      if a == null || b == null then null else either a b else null;
    inherit t1 t2;
  };
  oneOf = ts:
    if ts == [ ] then throw "types.oneOf needs at least one type in its argument"
    else builtins.foldl' either (head ts) (builtins.tail ts);

  unique = { message }: type: type // rec {
    name = "unique";
    merge = mergeUniqueOption { inherit message; inherit (type) merge; };
    mergeDetailed = loc: defs: let v = merge loc defs; in { value = v; output = v; definitions = null; };
    typeMerge = other: null;
  };
  uniq = unique { message = ""; };

  coercedTo = coercedType: coerceFunc: finalType: mkOptionType rec {
    name = "coercedTo";
    description = "${phrase (c: c == "noun") finalType} or ${phrase (c: c == "noun") coercedType} convertible to it";
    descriptionClass = "composite";
    check = x: (coercedType.check x && finalType.check (coerceFunc x)) || finalType.check x;
    merge = loc: defs: (mergeDetailed loc defs).value;
    mergeDetailed = loc: defs:
      let coerce = v: if coercedType.check v then coerceFunc v else v;
      in lib.mergeDetailed finalType loc (map (def: def // { value = coerce def.value; }) defs);
  };

  functionTo = elemType: mkOptionType {
    name = "functionTo";
    description = "function that evaluates to a(n) ${phrase (c: c == "noun" || c == "composite") elemType}";
    descriptionClass = "composite";
    check = lib.isFunction;
    merge = loc: defs: fnArgs: (mergeDefinitions (loc ++ [ "<function body>" ]) elemType
      (map (fn: { inherit (fn) file; value = fn.value fnArgs; }) defs)).mergedValue;
  };

  addCheck = elemType: check: elemType // { check = x: elemType.check x && check x; };

  # A submodule: each value is evaluated as its own module set (the type's modules, then
  # one module per definition, in the definitions' files), with `name` the attribute name.
  submoduleWith = { modules, specialArgs ? { }, shorthandOnlyDefinesConfig ? false, description ? null, class ? null }:
    let
      asModules = defs: map ({ value, file, ... }:
        if isAttrs value && shorthandOnlyDefinesConfig then { _file = file; config = value; }
        else { _file = file; imports = [ value ]; }) defs;
      evalFor = loc: defs: lib.evalModules {
        modules = modules ++ asModules defs;
        specialArgs = specialArgs // { name = lib.last loc; };
        prefix = loc;
      };
    in mkOptionType rec {
      name = "submodule";
      description = if description != null then description else "submodule";
      descriptionClass = "noun";
      check = x: isAttrs x || isFunction x || lib.isPath x;
      merge = loc: defs: (evalFor loc defs).config;
      mergeDetailed = loc: defs: let r = evalFor loc defs; in { value = r.config; inherit (r) output definitions; };
      getSubModules = modules;
      substSubModules = m: submoduleWith { modules = m; inherit specialArgs shorthandOnlyDefinesConfig description class; };
      inherit modules specialArgs shorthandOnlyDefinesConfig;
      typeMerge = other:
        if other.name or null == "submodule" then submoduleWith {
          modules = modules ++ other.modules;
          specialArgs = specialArgs // other.specialArgs;
          shorthandOnlyDefinesConfig = shorthandOnlyDefinesConfig && other.shorthandOnlyDefinesConfig;
        } else null;
    };
  submodule = modules: submoduleWith { shorthandOnlyDefinesConfig = true; modules = lib.toList modules; };
  deferredModule = mkOptionType { name = "deferredModule"; description = "module"; descriptionClass = "noun";
    check = x: isAttrs x || isFunction x || lib.isPath x; merge = loc: defs: { imports = map (def: { _file = def.file; imports = [ def.value ]; }) defs; }; };

  # Not a nixpkgs type: what this evaluator does with every undeclared path (see freeform.nix).
  freeform = import ./freeform.nix { inherit lib; };
}
