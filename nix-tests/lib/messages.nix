# How NixOS prints options, files and values in its messages (nixpkgs lib/options.nix
# `showOption`, `showFiles`, `showDefs` and lib/generators.nix `toPretty`), so the errors of
# this evaluator read like NixOS's own.
let
  strings = import ./strings.nix;
  lists = import ./lists.nix;
  inherit (builtins) concatStringsSep isString isAttrs isList attrNames;
in
rec {
  # `nix.settings.max-jobs`, `boot.kernel.sysctl."vm.swappiness"`: parts that are not plain
  # identifiers are quoted; `<name>` and `*` placeholders stay as they are.
  showOption = parts:
    let
      placeholder = part: part == "*" || builtins.match "<(.*)>" part != null;
      escapePart = part: if placeholder part then part else strings.escapeNixIdentifier part;
    in concatStringsSep "." (map escapePart parts);

  showFiles = files: concatStringsSep " and " (map (f: "`${toString f}'") files);

  prioritySuggestion = ''
    Use `lib.mkForce value` or `lib.mkDefault value` to change the priority on any of these definitions.
  '';

  # A value as Nix source, several lines for lists and sets, like lib.generators.toPretty.
  toPretty = depth: v:
    let
      indent = concatStringsSep "" (lists.replicate depth "  ");
      inner = "\n" + indent + "  ";
      recurse = toPretty (depth + 1);
    in
    if depth > 10 then "<...>"
    else if isString v then prettyString depth v
    else if builtins.isInt v || builtins.isFloat v then toString v
    else if builtins.isBool v then strings.boolToString v
    else if v == null then "null"
    else if builtins.isPath v then toString v
    else if builtins.isFunction v then "<function>"
    else if isList v then
      (if v == [ ] then "[ ]" else "[" + concatStringsSep "" (map (x: inner + recurse x) v) + "\n" + indent + "]")
    else if v._type or null == "package" then "<derivation ${v.name}>"
    else if isAttrs v then
      (if v == { } then "{ }" else
        "{" + concatStringsSep "" (map (n: inner + strings.escapeNixIdentifier n + " = " + recurse v.${n} + ";") (attrNames v))
        + "\n" + indent + "}")
    else toString v;

  prettyString = depth: s:
    let lines = builtins.filter isString (builtins.split "\n" s);
    in if builtins.length lines > 1 then
      let indent = concatStringsSep "" (lists.replicate (depth + 1) "  ");
          escaped = map (l: builtins.replaceStrings [ "''" "\${" ] [ "'''" "''\${" ] l) lines;
      in "''" + concatStringsSep "" (map (l: "\n" + indent + l) escaped) + "''"
    else strings.escapeNixString s;

  # "\n- In `file': value" per definition, at most five lines of each value.
  showDefs = defs: concatStringsSep "" (map (def:
    let
      pretty = builtins.tryEval (toPretty 0 def.value);
      lines = builtins.filter isString (builtins.split "\n" pretty.value);
      shown = concatStringsSep "\n    " (lists.take 5 lines ++ lists.optional (builtins.length lines > 5) "...");
      result =
        if !pretty.success then ""
        else if builtins.length lines > 1 then ":\n    " + shown
        else ": " + shown;
    in "\n- In `${toString def.file}'${result}") defs);
}
