# Every scenario, discovered as src/scenario/mod.rs discovers them: `baseline` (the machine
# alone), one per visible `.nix` file of ./optimizations (named by the file, in name order), and
# `all` (every module). flake.nix builds exactly these; a test compares the names with
# `cargo xtask list --json`. Only builtins, so it evaluates without nixpkgs.
let
  dir = ./optimizations;
  entries = builtins.readDir dir;
  isModule =
    name:
    builtins.elem entries.${name} [
      "regular"
      "symlink"
    ]
    && builtins.match "[^.].*\\.nix" name != null;
  # attrNames is sorted, as the Rust side sorts the file names.
  files = builtins.filter isModule (builtins.attrNames entries);
  stem = file: builtins.substring 0 (builtins.stringLength file - 4) file;
  reserved = [
    "baseline"
    "all"
  ];
  single =
    file:
    if builtins.elem (stem file) reserved then
      throw "${toString dir}/${file}: `${stem file}` is a reserved scenario name"
    else
      {
        name = stem file;
        modules = [ (dir + "/${file}") ];
      };
in
[
  {
    name = "baseline";
    modules = [ ];
  }
]
++ map single files
++ [
  {
    name = "all";
    modules = map (file: dir + "/${file}") files;
  }
]
