# Renamed, aliased and removed options (nixpkgs lib/modules.nix `doRename` and the
# mk*OptionModule functions built on it): the old path stays declared, its definitions are
# forwarded to the new path at their own priority, and NixOS's warning names the old
# option, every file that set it, and the new one. The forwarded definitions keep their
# files (mkDefinition), so conflicts and `definitions` name the user's file.
{ lib }:
let
  inherit (lib) mkOption mkIf mkMerge mkOverride mkDefinition showOption showFiles
    setAttrByPath getAttrFromPath attrByPath optional optionalAttrs types;
  # Marks the old path: not part of `config` output nor of `definitions`.
  alias = opt: opt // { _alias = true; };
in
rec {
  mkAliasDefinitions = mkAliasAndWrapDefinitions (x: x);
  mkAliasAndWrapDefinitions = wrap: option:
    mkIf option.isDefined (wrap (mkMerge (map (def: mkDefinition { inherit (def) file value; }) option.definitionsWithLocations)));
  mkAliasAndWrapDefsWithPriority = wrap: option:
    let prio = option.highestPrio or lib.defaultOverridePriority;
    in mkIf option.isDefined (wrap (mkMerge (map (def:
      mkDefinition { inherit (def) file; value = mkOverride prio def.value; }) option.definitionsWithLocations)));

  doRename = { from, to, visible, warn, use, withPriority ? true, condition ? true }:
    { config, options, ... }:
    let
      fromOpt = getAttrFromPath from options;
      toOf = attrByPath to (abort "Renaming error: option `${showOption to}' does not exist.");
      toType = let opt = attrByPath to { } options; in opt.type or (types.submodule { });
    in {
      options = setAttrByPath from (alias (mkOption {
        inherit visible;
        description = "Alias of {option}`${showOption to}`.";
        apply = x: use (toOf config);
      } // optionalAttrs (toType != null) { type = toType; }));
      config = mkIf condition (mkMerge [
        (optionalAttrs (options ? warnings) {
          warnings = optional (warn && fromOpt.isDefined)
            "The option `${showOption from}' defined in ${showFiles fromOpt.files} has been renamed to `${showOption to}'.";
        })
        (if withPriority then mkAliasAndWrapDefsWithPriority (setAttrByPath to) fromOpt
         else mkAliasAndWrapDefinitions (setAttrByPath to) fromOpt)
      ]);
    };

  mkRenamedOptionModule = from: to: doRename { inherit from to; visible = false; warn = true; use = builtins.trace "Obsolete option `${showOption from}' is used. It was renamed to `${showOption to}'."; };
  # `sinceRelease` older than NixOS 24.11 (the oldest release 25.05 supports) warns.
  mkRenamedOptionModuleWith = { sinceRelease, from, to }: doRename {
    inherit from to;
    visible = false;
    warn = lib.isInOldestRelease sinceRelease;
    use = lib.warnIf (lib.isInOldestRelease sinceRelease) "Obsolete option `${showOption from}' is used. It was renamed to `${showOption to}'.";
  };
  mkAliasOptionModule = from: to: doRename { inherit from to; visible = true; warn = false; use = x: x; };
  mkAliasOptionModuleMD = mkAliasOptionModule;
  mkDerivedConfig = opt: f: mkOverride (opt.highestPrio or lib.defaultOverridePriority) (f opt.value);

  mkRemovedOptionModule = optionName: replacementInstructions: { options, ... }: {
    options = setAttrByPath optionName (alias (mkOption {
      visible = false;
      apply = x: throw "The option `${showOption optionName}' can no longer be used since it's been removed. ${replacementInstructions}";
    }));
    config.assertions =
      let opt = getAttrFromPath optionName options; in [ {
        assertion = !opt.isDefined;
        message = ''
          The option definition `${showOption optionName}' in ${showFiles opt.files} no longer has any effect; please remove it.
          ${replacementInstructions}
        '';
      } ];
  };

  mkChangedOptionModule = from: to: changeFn: { config, options, ... }: {
    options = setAttrByPath from (alias (mkOption { visible = false; }));
    config = mkIf (getAttrFromPath from options).isDefined (mkMerge [
      { warnings = [ "The option `${showOption from}' defined in ${showFiles (getAttrFromPath from options).files} has been changed to `${showOption to}' that has a different type. Please read `${showOption to}' documentation and update your configuration accordingly." ]; }
      (setAttrByPath to (changeFn config))
    ]);
  };
}
