# The module system: collecting modules (imports, keys, disabledModules, nixpkgs' own files
# skipped), merging option declarations, matching definitions to them, evaluating each
# option from its definitions, and tying `config` into the fixpoint every module reads,
# following nixpkgs lib/modules.nix. Besides `config` and `options`, an evaluation returns
# `output` (the config as data: attributes without a value left out) and `definitions`
# (every leaf definition with its file and priority), which NixOS does not have.
{ lib }:
let
  inherit (builtins) attrNames concatLists concatMap filter head length mapAttrs isAttrs
    isFunction isList isPath isString zipAttrsWith listToAttrs elem genericClosure;
  inherit (lib) mkOption types isOption showOption showDefs showFiles typeOf
    pushDownProperties dischargeProperties filterOverrides' sortProperties priorityOf
    mkOptionDefault cleanValue hasPrefix imap1 reverseList mapAttrsToList filterAttrs
    recursiveUpdate setAttrByPath optionalAttrs;
in
rec {
  # The internal options every evaluation has (nixpkgs' `_module.*`).
  internalFile = "<module system>";
  internalModule = {
    _file = internalFile;
    key = internalFile;
    options._module = {
      args = mkOption { type = types.lazyAttrsOf types.raw; internal = true; };
      freeformType = mkOption { type = types.nullOr types.raw; default = null; internal = true; };
    };
    config._module.args = { };
  };

  evalModules = { modules, specialArgs ? { }, prefix ? [ ] }:
    let
      modulesPath = specialArgs.modulesPath or "";
      collected = collectModules modulesPath (modules ++ [ internalModule ])
        ({ inherit lib options config specialArgs; } // specialArgs);
      # nixpkgs merges the collected modules in reverse: of two top-level list definitions
      # the later module's items come first (and twice reversed inside a submodule).
      merged = mergeModules prefix (reverseList collected.modules);
      options = merged.matchedOptions;
      declaredConfig = lib.mapAttrsRecursiveCond (v: !isOption v) (_: v: v.value) options;
      freeformType = declaredConfig._module.freeformType;
      freeform =
        let defs = map (def: { inherit (def) file; value = setAttrByPath def.prefix def.value; }) merged.unmatchedDefns;
        in if defs == [ ] then { value = { }; output = { }; definitions = [ ]; }
           else mergeDetailed freeformType prefix defs;
      config = if freeformType == null then declaredConfig else recursiveUpdate freeform.value declaredConfig;
      checkUnmatched =
        if freeformType == null && merged.unmatchedDefns != [ ] then
          let firstDef = head merged.unmatchedDefns;
          in throw "The option `${showOption (prefix ++ firstDef.prefix)}' does not exist. Definition values:${showDefs [ firstDef ]}"
        else null;
      declaredOutput = optionsOutput options;
    in builtins.seq checkUnmatched {
      inherit options;
      config = removeAttrs config [ "_module" ];
      output = removeAttrs (if freeformType == null then declaredOutput else recursiveUpdate freeform.output declaredOutput) [ "_module" ];
      definitions = optionsDefinitions options ++ (if freeformType == null then [ ] else freeform.definitions);
      inherit (collected) modules roots skipped;
    };

  # The values of the declared options as data: options without a value, aliases and
  # internal options are left out.
  optionsOutput = tree: mapAttrs (n: v: if isOption v then v.output else optionsOutput v)
    (filterAttrs (n: v: !isOption v || (v.isDefined && !(v.internal or false) && !(v._alias or false))) tree);

  optionsDefinitions = tree: concatLists (mapAttrsToList (n: v:
    if isOption v then (if v._alias or false || v.internal or false then [ ] else v.reported) else optionsDefinitions v)
    (removeAttrs tree [ "_module" ]));

  # --- Collecting modules -------------------------------------------------------------

  # An import of one of nixpkgs' own files, `modulesPath + "/profiles/qemu-guest.nix"`:
  # there is no nixpkgs here, so it is listed in `skipped` instead of evaluated.
  isNixpkgsImport = modulesPath: m:
    modulesPath != "" && (isString m || isPath m) && hasPrefix (modulesPath + "/") (toString m);

  collectModules = modulesPath: initialModules: args:
    let
      # `root`: the index of the given module this one was imported from (or is), so a
      # definition can be traced to the top-level module that brought it in.
      collectStructured = root: parentFile: parentKey: initial: args:
        let
          isSkipped = isNixpkgsImport modulesPath;
          nodes = imap1 (n: x:
            let
              loaded = loadModule args parentFile "${parentKey}:anon-${toString n}" x;
              module = loaded.module;
              nodeRoot = if root == null then n - 1 else root;
              children = collectStructured nodeRoot module._file module.key module.imports loaded.args;
            in {
              key = module.key;
              root = nodeRoot;
              inherit module;
              modules = children.nodes;
              skipped = children.skipped;
              disabled = [ { file = module._file; disabled = module.disabledModules; } ] ++ children.disabled;
            }) (filter (x: !isSkipped x) initial);
        in {
          inherit nodes;
          disabled = concatMap (node: node.disabled) nodes;
          skipped = map (x: lib.skippedImport modulesPath parentFile x) (filter isSkipped initial);
        };
      top = collectStructured null "<unknown-file>" "" initialModules args;
      disabledKeys = concatMap ({ file, disabled }: map (disabledKey modulesPath file) disabled) top.disabled;
      keep = filter (node: !(elem node.key disabledKeys));
      # Each key once, the first occurrence in breadth-first order, as nixpkgs' genericClosure.
      closure = genericClosure { startSet = keep top.nodes; operator = node: keep node.modules; };
    in {
      modules = map (node: node.module) closure;
      # By file: the index in `initialModules` of the module that brought the file in.
      roots = builtins.listToAttrs (map (node: { name = toString node.module._file; value = node.root; }) (lib.reverseList closure));
      skipped = top.skipped ++ concatMap (node: node.skipped) closure;
    };

  disabledKey = modulesPath: file: m:
    if isString m && !(hasPrefix "/" m) then toString modulesPath + "/" + m
    else if isAttrs m then
      m.key or (throw "Each disabledModules item must be a path, string, or an attribute set with a key attribute, or a value supported by toString. However, one of the disabledModules items in `${toString file}' is none of that, but is of type ${builtins.typeOf m}.")
    else toString m;

  # A module (path, function or attribute set) in canonical form, with the arguments its
  # own imports are loaded with: each file gets a `pkgs` naming what its text mentions.
  loadModule = args: fallbackFile: fallbackKey: m:
    if isFunction m || isAttrs m then
      let args' = { pkgs = lib.pkgsFor fallbackFile; } // args;
      in { module = unifyModuleSyntax fallbackFile fallbackKey (applyModuleArgs fallbackKey m args'); args = args'; }
    else if isList m then
      throw "Module imports can't be nested lists. Perhaps you meant to remove one level of lists? Definitions: ${lib.toPretty 0 m}"
    else
      let
        file = toString m;
        args' = args // { pkgs = lib.pkgsFor file; };
        imported =
          if builtins.pathExists m then import m
          else throw "getting status of '${file}': No such file or directory (imported by `${toString fallbackFile}')";
      in { module = unifyModuleSyntax file file (applyModuleArgs file imported args'); args = args'; };

  unifyModuleSyntax = file: key: m:
    let
      addFreeformType = config: if m ? freeformType
        then lib.mkMerge [ config { _module.freeformType = m.freeformType; } ] else config;
      bad = removeAttrs m [ "_class" "_file" "key" "disabledModules" "imports" "options" "config" "meta" "freeformType" ];
    in
    if !isAttrs m then throw "The module `${toString key}' is a ${builtins.typeOf m}, not a module (an attribute set or a function returning one)."
    else if m ? config || m ? options then
      if bad != { } then
        throw "Module `${key}' has an unsupported attribute `${head (attrNames bad)}'. This is caused by introducing a top-level `config' or `options' attribute. Add configuration attributes immediately on the top level instead, or move all of them (namely: ${toString (attrNames bad)}) into the explicit `config' attribute."
      else {
        _file = toString (m._file or file);
        key = toString (m.key or key);
        disabledModules = m.disabledModules or [ ];
        imports = m.imports or [ ];
        options = m.options or { };
        config = addFreeformType (if m ? meta then lib.mkMerge [ (m.config or { }) { meta = m.meta; } ] else m.config or { });
      }
    else {
      _file = toString (m._file or file);
      key = toString (m.key or key);
      disabledModules = m.disabledModules or [ ];
      imports = m.require or [ ] ++ m.imports or [ ];
      options = { };
      config = addFreeformType (removeAttrs m [ "_class" "_file" "key" "disabledModules" "require" "imports" "freeformType" ]);
    };

  # Calls a module function with the arguments it names; those not given come from
  # `config._module.args`, looked up only when used.
  applyModuleArgs = key: f: args@{ config, ... }:
    if isFunction f then
      let
        requiredArgs = attrNames (builtins.functionArgs f);
        extraArgs = listToAttrs (map (name: {
          inherit name;
          value = builtins.addErrorContext "while evaluating the module argument `${name}' in \"${toString key}\":"
            (args.${name} or config._module.args.${name});
        }) requiredArgs);
      in f (args // extraArgs)
    else f;

  # --- Matching definitions to declarations -------------------------------------------

  mergeModules = prefix: modules:
    mergeModules' prefix modules
      (concatMap (m: map (config: { file = m._file; inherit config; }) (pushDownProperties m.config)) modules);

  mergeModules' = prefix: modules: configs:
    let
      declsByName = zipAttrsWith (n: concatLists)
        (map (m: mapAttrs (n: option: [ { inherit (m) _file; options = option; } ]) m.options) modules);
      asSet = c: if isAttrs c.config then c.config
        else throw "The option `${showOption prefix}' in `${c.file}' is a namespace of options, so it takes an attribute set, not ${lib.toPretty 0 c.config}.";
      # Definitions split by attribute, properties pushed down (to descend into).
      defnsByName = zipAttrsWith (n: concatLists) (map (c: mapAttrs (n: value:
        map (config: { inherit (c) file; inherit config; }) (pushDownProperties value)) (asSet c)) configs);
      # The same, whole (what an option receives).
      defnsByName' = zipAttrsWith (n: concatLists)
        (map (c: mapAttrs (n: value: [ { inherit (c) file; inherit value; } ]) (asSet c)) configs);
      resultsByName = mapAttrs (name: decls:
        let
          loc = prefix ++ [ name ];
          defns = defnsByName.${name} or [ ];
          defns' = defnsByName'.${name} or [ ];
          optionDecls = filter (d: isOption d.options) decls;
        in
        if length optionDecls == length decls then
          { matchedOptions = evalOptionValue loc (mergeOptionDecls loc decls) defns'; unmatchedDefns = [ ]; }
        else if optionDecls != [ ] then
          if lib.all (d: d.options.type.name or null == "submodule") optionDecls then
            { matchedOptions = evalOptionValue loc (mergeOptionDecls loc (map optionTreeToOption decls)) defns'; unmatchedDefns = [ ]; }
          else
            throw "The option `${showOption loc}' in module `${(head optionDecls)._file}' would be a parent of the following options, but its type `${(head optionDecls).options.type.description or "<no description>"}' does not support nested options.\n${lib.concatMapStrings (d: "- option(s) declared in `${d._file}'\n") (filter (d: !isOption d.options) decls)}"
        else mergeModules' loc decls defns) declsByName;
      matchedOptions = mapAttrs (n: v: v.matchedOptions) resultsByName;
      unmatchedDefnsByName = mapAttrs (n: v: v.unmatchedDefns) resultsByName
        // removeAttrs defnsByName' (attrNames matchedOptions);
    in {
      inherit matchedOptions;
      unmatchedDefns = if configs == [ ] then [ ] else concatLists (mapAttrsToList (name: defs:
        map (def: def // { prefix = [ name ] ++ (def.prefix or [ ]); }) defs) unmatchedDefnsByName);
    };

  # Options declared below an option of submodule type join that submodule.
  optionTreeToOption = decl:
    if isOption decl.options then decl
    else decl // { options = mkOption { type = types.submoduleWith { modules = [ { options = decl.options; } ]; }; }; };

  # One option from its declarations: a second default, description or incompatible type
  # is an error; submodule types merge their modules.
  mergeOptionDecls = loc: opts:
    builtins.foldl' (res: opt:
      let
        bothHave = k: opt.options ? ${k} && res ? ${k};
        mergedType = if bothHave "type" then res.type.typeMerge (located opt).type else null;
      in
      if bothHave "default" || bothHave "example" || bothHave "description" || bothHave "apply"
        || (bothHave "type" && mergedType == null)
      then throw "The option `${showOption loc}' in `${opt._file}' is already declared in ${showFiles res.declarations}."
      else located opt // res // { declarations = res.declarations ++ [ opt._file ]; }
        // optionalAttrs (bothHave "type") { type = mergedType; }
    ) { inherit loc; declarations = [ ]; } opts;

  # A submodule type's own modules belong to the file that declares the option, so their
  # definitions and errors name it.
  located = opt:
    let t = opt.options.type or null; in
    if t != null && t.getSubModules or null != null
    then opt.options // { type = t.substSubModules (map (setDefaultModuleLocation opt._file) t.getSubModules); }
    else opt.options;
  setDefaultModuleLocation = file: m: { _file = file; imports = [ m ]; };

  # --- Evaluating one option ----------------------------------------------------------

  evalOptionValue = loc: opt: defs:
    let
      type = opt.type or types.unspecified;
      defaultDef = lib.optional (opt ? default)
        { file = head opt.declarations; value = mkOptionDefault opt.default; isDefault = true; };
      res = mergeDefinitions loc type (defaultDef ++ defs);
      applied = v: if opt ? apply then opt.apply v else v;
    in opt // {
      inherit type loc;
      value = builtins.addErrorContext "while evaluating the option `${showOption loc}':" (applied res.mergedValue);
      output = applied res.output;
      inherit (res) isDefined highestPrio reported;
      definitions = map (def: def.value) res.defsFinal;
      files = map (def: def.file) res.defsFinal;
      definitionsWithLocations = res.defsFinal;
    };

  # The definitions of one location: properties discharged, the highest priority kept,
  # mkOrder sorted, type-checked, then merged by the type.
  mergeDefinitions = loc: type: defs: rec {
    defsNormalized = concatMap (m: map (value:
      if typeOf value == "definition" then { inherit (value) file value; }
      else { inherit (m) file; inherit value; isDefault = m.isDefault or false; })
      (builtins.addErrorContext "while evaluating definitions from `${toString m.file}':" (dischargeProperties m.value))) defs;
    defsFiltered = filterOverrides' defsNormalized;
    defsFinal = if lib.any (def: typeOf def.value == "order") defsFiltered.values
      then sortProperties defsFiltered.values else defsFiltered.values;
    inherit (defsFiltered) highestPrio;
    isDefined = defsFinal != [ ];
    checked =
      if lib.all (def: type.check def.value) defsFinal then mergeDetailed type loc defsFinal
      else throw "A definition for option `${showOption loc}' is not of type `${type.description}'. Definition values:${showDefs (filter (def: !type.check def.value) defsFinal)}";
    mergedValue = if isDefined then checked.value
      else throw "The option `${showOption loc}' was accessed but has no value defined. Try setting the option.";
    optionalValue = if isDefined then { value = mergedValue; } else { };
    output = if isDefined then checked.output else mergedValue;
    # A container type reports the definitions inside it; anything else is a leaf, and all
    # its definitions are reported, the losing priorities too.
    reported =
      if isDefined && checked.definitions != null then checked.definitions
      else map (def: { path = loc; inherit (def) file; value = cleanValue def.value; priority = priorityOf def; })
        (filter (def: !(def.isDefault or false)) defsNormalized);
  };

  # A type's merge with what containers know besides the value (see the file header).
  mergeDetailed = type: loc: defs:
    if type ? mergeDetailed then type.mergeDetailed loc defs
    else let value = type.merge loc defs; in { inherit value; output = value; definitions = null; };
}
