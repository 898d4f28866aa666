# Declaring options and the generic merge functions types build on (nixpkgs lib/options.nix):
# mkOption and friends, mergeEqualOption (equal values agree, different ones conflict) and
# mergeOneOption (a second definition is an error even when equal).
{ lib }:
let
  inherit (lib) showOption showDefs prioritySuggestion;
  inherit (builtins) length head all isFunction isList isAttrs isBool isString isInt;
in
rec {
  isOption = v: isAttrs v && v._type or null == "option";

  # The formal arguments make an unknown attribute (a typo) an error, as in NixOS.
  mkOption =
    { default ? null, defaultText ? null, example ? null, description ? null
    , relatedPackages ? null, type ? null, apply ? null, internal ? null, visible ? null
    , readOnly ? null }@attrs:
    attrs // { _type = "option"; };

  mkEnableOption = name: mkOption {
    default = false;
    example = true;
    description = "Whether to enable ${name}.";
    type = lib.types.bool;
  };

  # The default is an opaque package named by its attribute path: there is no nixpkgs here.
  mkPackageOption = pkgs: name:
    { nullable ? false, default ? name, example ? null, extraDescription ? "", pkgsText ? "pkgs" }:
    let
      path = if isList default then default else [ default ];
      pathName = builtins.concatStringsSep "." (if isList name then name else [ name ]);
    in mkOption {
      type = if nullable then lib.types.nullOr lib.types.package else lib.types.package;
      description = "The ${pathName} package to use.${extraDescription}";
    } // (if default == null then { } else {
      default = lib.opaquePackage (builtins.concatStringsSep "." path);
      defaultText = lib.literalExpression "${pkgsText}.${builtins.concatStringsSep "." path}";
    });

  mkSinkUndeclaredOptions = attrs: mkOption ({
    internal = true; visible = false; default = false;
    type = lib.types.anything // { merge = loc: defs: false; };
  } // attrs);

  literalExpression = text: { _type = "literalExpression"; inherit text; };
  literalMD = text: { _type = "literalMD"; inherit text; };
  literalExample = literalExpression;
  mdDoc = text: text;

  getValues = map (def: def.value);
  getFiles = map (def: def.file);

  mergeEqualOption = loc: defs:
    if defs == [ ] then abort "This case should never happen."
    else if length defs == 1 then (head defs).value
    else (builtins.foldl' (first: def:
      if def.value != first.value then
        throw "The option `${showOption loc}' has conflicting definition values:${showDefs [ first def ]}\n${prioritySuggestion}"
      else first) (head defs) (builtins.tail defs)).value;

  mergeUniqueOption = { message, merge ? null }:
    let
      notUnique = loc: defs: throw ''
        The option `${showOption loc}' is defined multiple times while it's expected to be unique.
        ${message}
        Definition values:${showDefs defs}
        ${prioritySuggestion}
      '';
    in
    if merge == null then loc: defs: if length defs == 1 then (head defs).value else notUnique loc defs
    else loc: defs: if length defs == 1 then merge loc defs else notUnique loc defs;

  mergeOneOption = mergeUniqueOption { message = ""; };

  # What `types.unspecified` does: the obvious merge for each kind of value.
  mergeDefaultOption = loc: defs:
    let list = getValues defs; in
    if length list == 1 then head list
    else if all isFunction list then x: mergeDefaultOption loc (map (f: f x) list)
    else if all isList list then builtins.concatLists list
    else if all isAttrs list then builtins.foldl' (a: b: a // b) { } list
    else if all isBool list then builtins.foldl' (a: b: a || b) false list
    else if all isString list then builtins.concatStringsSep "" list
    else if all isInt list && all (x: x == head list) list then head list
    else throw "Cannot merge definitions of `${showOption loc}'. Definition values:${showDefs defs}";
}
