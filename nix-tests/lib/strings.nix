# String helpers of the `lib` given to modules (nixpkgs' lib/strings.nix names and meanings),
# written on builtins only.
let
  inherit (builtins) substring stringLength concatStringsSep filter isString split;
  lists = import ./lists.nix;
in
rec {
  inherit (builtins) concatStringsSep stringLength substring replaceStrings match split toString;
  concatStrings = concatStringsSep "";
  concatMapStrings = f: list: concatStrings (map f list);
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  concatImapStringsSep = sep: f: list: concatStringsSep sep (lists.imap1 f list);
  concatLines = list: concatMapStrings (s: s + "\n") list;
  intersperse = sep: list:
    if list == [ ] then [ ] else builtins.tail (builtins.concatMap (x: [ sep x ]) list);
  optionalString = cond: string: if cond then string else "";
  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  hasSuffix = suffix: content:
    let lc = stringLength content; ls = stringLength suffix;
    in lc >= ls && substring (lc - ls) ls content == suffix;
  hasInfix = infix: content: builtins.match ".*${escapeRegex infix}.*" content != null;
  removePrefix = pref: str: if hasPrefix pref str then substring (stringLength pref) (-1) str else str;
  removeSuffix = suffix: str:
    if hasSuffix suffix str then substring 0 (stringLength str - stringLength suffix) str else str;
  # A plain separator, not a regular expression, as lib.splitString takes it.
  splitString = sep: s: filter isString (split (escapeRegex sep) s);
  escapeRegex = replaceStrings
    (map (c: c) [ "\\" "[" "]" "{" "}" "(" ")" "^" "$" "." "|" "*" "+" "?" ])
    (map (c: "\\" + c) [ "\\" "[" "]" "{" "}" "(" ")" "^" "$" "." "|" "*" "+" "?" ]);
  escape = list: replaceStrings list (map (c: "\\${c}") list);
  lowerChars = lists.map (n: builtins.substring n 1 "abcdefghijklmnopqrstuvwxyz") (lists.range 0 25);
  upperChars = lists.map (n: builtins.substring n 1 "ABCDEFGHIJKLMNOPQRSTUVWXYZ") (lists.range 0 25);
  toLower = replaceStrings upperChars lowerChars;
  toUpper = replaceStrings lowerChars upperChars;
  stringToCharacters = s: lists.genList (p: substring p 1 s) (stringLength s);
  fixedWidthString = width: filler: str:
    let n = width - stringLength str;
    in if n <= 0 then str else concatStrings (lists.replicate n filler) + str;
  fixedWidthNumber = width: n: fixedWidthString width "0" (toString n);
  versionOlder = v1: v2: builtins.compareVersions v2 v1 == 1;
  versionAtLeast = v1: v2: !(versionOlder v1 v2);
  trim = s:
    let m = builtins.match "[[:space:]]*(.*[^[:space:]])[[:space:]]*" s;
    in if m == null then "" else builtins.head m;
  # nixpkgs' escapeNixString: a JSON string with `$` escaped, so it reads back as Nix.
  escapeNixString = s: escape [ "$" ] (builtins.toJSON s);
  nixKeywords = [ "assert" "else" "if" "in" "inherit" "let" "or" "rec" "then" "with" ];
  # As nixpkgs' escapeNixIdentifier: bare when it is a plain identifier, quoted otherwise.
  escapeNixIdentifier = s:
    if builtins.match "[a-zA-Z_][a-zA-Z0-9_'-]*" s != null && !(builtins.elem s nixKeywords)
    then s else escapeNixString s;
  boolToString = b: if b then "true" else "false";
  isStringLike = x: isString x || builtins.isPath x || x ? outPath || x ? __toString;
  isConvertibleWithToString = x:
    isStringLike x || builtins.elem (builtins.typeOf x) [ "null" "int" "float" "bool" ]
    || (builtins.isList x && lists.all isConvertibleWithToString x);
  floatToString = f: toString f;
  fileContents = file: removeSuffix "\n" (builtins.readFile file);
  toInt = s:
    let m = builtins.match "[[:space:]]*(-?[0-9]+)[[:space:]]*" s;
    in if m == null then throw "Could not convert ${s} to int." else builtins.fromJSON (builtins.head m);
  nameFromURL = url: sep:
    let parts = splitString "/" url; file = lists.last parts; ps = splitString sep file;
    in builtins.head ps;
  makeBinPath = dirs: concatStringsSep ":" (map (d: "${toString d}/bin") dirs);
  getName = x: let p = builtins.parseDrvName (x.name or x); in p.name;
  getVersion = x: let p = builtins.parseDrvName (x.name or x); in p.version;
}
