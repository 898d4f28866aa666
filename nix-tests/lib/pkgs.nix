# Opaque packages: there is no nixpkgs here, so `pkgs` only has to name things. Nix has no
# catch-all attribute set, so each module file gets a `pkgs` with one package for every
# identifier its own text contains (`with pkgs; [ htop ]`, `pkgs.python3Packages.requests`),
# and each package again has those names below it. A package renders as
# `{ _type = "package"; name = "htop"; }`; it interpolates as a store path, and calling it
# (`python3.withPackages (...)`, `callPackage ./x.nix { }`) gives a package back.
{ lib }:
let
  inherit (builtins) filter isString split listToAttrs readFile pathExists;
  system = "x86_64-linux";
  platform = {
    inherit system;
    config = "x86_64-unknown-linux-gnu";
    isLinux = true; isDarwin = false; isx86_64 = true; isx86 = true; isAarch64 = false;
    is64bit = true; isEfi = true; isStatic = false; isMusl = false;
    parsed = { cpu.name = "x86_64"; kernel.name = "linux"; };
  };
  # Names `with pkgs;` must not take over: everything `lib` has (`with lib; with pkgs;`
  # still finds mkIf), and the Nix keywords.
  reserved = builtins.attrNames lib ++ [ "if" "then" "else" "let" "in" "with" "rec" "inherit" "assert" "or" ];
  identifiersOf = text:
    filter (w: isString w && builtins.match "[A-Za-z_][A-Za-z0-9_'-]*" w != null)
      (split "[^A-Za-z0-9_'-]+" text);
  # Names for modules that have no file of their own (given inline).
  commonNames = [ "hello" "htop" "git" "vim" "curl" "wget" "tmux" "btrfs-progs" "compsize"
    "sysstat" "util-linux" "coreutils" "bash" "bashInteractive" "zsh" "nix" "openssh" ];
in
rec {
  package = names: name:
    let
      children = listToAttrs (map (n: { name = n; value = package names "${name}.${n}"; }) names);
      self = children // {
        _type = "package";
        type = "derivation";
        inherit name;
        pname = name;
        version = "";
        outPath = "/nix/store/${builtins.substring 0 32 (builtins.hashString "sha256" name)}-${name}";
        drvPath = self.outPath + ".drv";
        out = self;
        outputs = [ "out" ];
        meta = { mainProgram = name; };
        shellPath = "/bin/${name}";
        override = _: self;
        overrideAttrs = _: self;
        passthru = { };
        __functor = s: arg: if isString arg then package names arg else s;
      };
    in self;

  stdenvOf = make: make "stdenv" // {
    hostPlatform = platform; buildPlatform = platform; targetPlatform = platform;
    isLinux = true; isDarwin = false; inherit system;
  };

  pkgsWith = names:
    let
      own = filter (n: !(builtins.elem n reserved)) names;
      make = package own;
    in listToAttrs (map (n: { name = n; value = make n; }) own) // {
      _type = "pkgs";
      inherit lib system;
      stdenv = stdenvOf make;
      stdenvNoCC = stdenvOf make;
      hostPlatform = platform;
      buildPlatform = platform;
      config = { };
      writeText = name: text: make name;
      writeTextFile = args: make args.name;
      writeTextDir = name: text: make name;
      writeScript = name: text: make name;
      writeScriptBin = name: text: make name;
      writeShellScript = name: text: make name;
      writeShellScriptBin = name: text: make name;
      writeShellApplication = args: make args.name;
      runCommand = name: env: script: make name;
      runCommandLocal = name: env: script: make name;
      symlinkJoin = args: make args.name;
      buildEnv = args: make args.name;
      callPackage = fn: args: make (if lib.isPath fn then lib.removeSuffix ".nix" (baseNameOf fn) else "callPackage");
      fetchurl = args: make (args.name or "source");
      fetchFromGitHub = args: make (args.name or "source");
    };

  # The `pkgs` of a module file; modules given inline get common names only.
  pkgsFor = file:
    let f = toString file; in
    if lib.hasPrefix "/" f && pathExists f then pkgsWith (identifiersOf (readFile f) ++ commonNames)
    else pkgsWith commonNames;

  opaquePackage = package [ ];
}
