# The `lib` given to modules: nixpkgs' names for what real NixOS modules use (the mk*
# functions, types, list/string/attribute-set helpers), built from the files beside this
# one. Anything else is a missing attribute, which Nix reports with the name and the
# file:line:col that used it.
let
  attrsets = import ./attrsets.nix;
  lists = import ./lists.nix;
  strings = import ./strings.nix;
  messages = import ./messages.nix;
  properties = import ./properties.nix;
  options = import ./options.nix { inherit lib; };
  modules = import ./modules.nix { inherit lib; };
  renamed = import ./renamed.nix { inherit lib; };
  pkgs = import ./pkgs.nix { inherit lib; };

  # lib/trivial.nix and lib/debug.nix.
  trivial = rec {
    id = x: x;
    const = x: y: x;
    flip = f: a: b: f b a;
    pipe = builtins.foldl' (x: f: f x);
    concat = x: y: x ++ y;
    "or" = x: y: x || y;
    "and" = x: y: x && y;
    xor = x: y: (!x) != (!y);
    mergeAttrs = x: y: x // y;
    isFunction = f: builtins.isFunction f || (f ? __functor && isFunction (f.__functor f));
    toFunction = v: if isFunction v then v else k: v;
    fix = f: let x = f x; in x;
    mod = base: int: base - (int * (builtins.div base int));
    compare = a: b: if a < b then -1 else if a > b then 1 else 0;
    inherit (builtins) isInt isBool isString isFloat isPath isAttrs isList seq deepSeq
      typeOf readFile pathExists baseNameOf dirOf toJSON fromJSON trace throw abort
      addErrorContext bitAnd bitOr bitXor ceil floor div;
    importJSON = path: builtins.fromJSON (builtins.readFile path);
    importTOML = path: builtins.fromTOML (builtins.readFile path);
    version = "25.05";
    release = "25.05";
    codeName = "Warbler";
    oldestSupportedRelease = 2411;
    isInOldestRelease = release: release <= oldestSupportedRelease;
    # lib.warn: printed when the value is used, as nixpkgs does with builtins.trace.
    warn = msg: builtins.trace "warning: ${msg}";
    warnIf = cond: msg: if cond then warn msg else id;
    warnIfNot = cond: msg: if cond then id else warn msg;
    throwIf = cond: msg: if cond then throw msg else id;
    throwIfNot = cond: msg: if cond then id else throw msg;
    info = msg: builtins.trace "INFO: ${msg}";
    traceVal = x: builtins.trace x x;
    traceSeq = x: y: builtins.trace (builtins.deepSeq x x) y;
    traceValSeq = x: builtins.trace (builtins.deepSeq x x) x;
    assertMsg = pred: msg: pred || builtins.throw msg;
    assertOneOf = name: val: xs: assertMsg (builtins.elem val xs)
      "${name} must be one of ${builtins.toJSON xs}, but is: ${builtins.toJSON val}";
    escapeShellArg = arg: "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
    escapeShellArgs = args: builtins.concatStringsSep " " (map escapeShellArg args);
    max = lists.max;
    min = lists.min;
  };

  lib = attrsets // lists // strings // trivial // messages // properties // options
    // modules // renamed // {
      inherit (pkgs) pkgsFor opaquePackage;
      skippedImport = import ./skipped.nix { inherit lib; };
      render = import ./render.nix { inherit lib; };
      types = import ./types.nix { inherit lib; };
      toPretty = messages.toPretty;
      # The namespaces, as `lib.strings.hasPrefix` and friends.
      inherit attrsets lists strings trivial;
      debug = { inherit (trivial) traceVal traceSeq traceValSeq; };
      options = options // { inherit (messages) showOption showFiles showDefs; };
      modules = modules // properties // renamed;
      generators = {
        toPretty = { multiline ? true, ... }: messages.toPretty 0;
        toJSON = { }: builtins.toJSON;
        toKeyValue = { mkKeyValue ? k: v: "${k}=${toString v}", ... }: attrs:
          strings.concatStrings (attrsets.mapAttrsToList (k: v: mkKeyValue k v + "\n") attrs);
      };
      teams = { };
      maintainers = { };
      platforms = { linux = [ "x86_64-linux" "aarch64-linux" ]; all = [ "x86_64-linux" "aarch64-linux" ]; };
      mkPackageOptionMD = options.mkPackageOption;
      isDerivation = attrsets.isDerivation;
      isStringLike = strings.isStringLike;
      toString = builtins.toString;
      readFile = builtins.readFile;
      fileContents = strings.fileContents;
    };
in
lib
