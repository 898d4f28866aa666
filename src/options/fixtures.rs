//! Small source trees for the tests of [`super::build`], [`super::git`] and
//! [`super::nixpkgs`]: files written into temporary directories, and git repositories made
//! with the `git` binary, isolated from the user's and the system's git configuration.

#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// Writes each `(path, contents)` below `root`, making the folders.
pub fn write_tree(root: &Path, files: &[(&str, &[u8])]) {
    for (file, contents) in files {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

/// A git repository with a work tree, whose commits the tests make.
pub struct Repo {
    dir: TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "--quiet", "--initial-branch", "main"]);
        repo
    }

    /// The folder of the clone (its `.git` inside).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, files: &[(&str, &[u8])]) {
        write_tree(self.path(), files);
    }

    /// Commits the whole work tree; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn tag(&self, name: &str) {
        self.git(&["tag", name]);
    }

    /// A branch `name` at the last commit.
    pub fn branch(&self, name: &str) {
        self.git(&["branch", name]);
    }

    /// A bare clone of it, as `git clone --bare` makes for the real sources, in `into`.
    pub fn bare_clone(&self, into: &Path) -> PathBuf {
        let target = into.join(format!(
            "{}.git",
            self.path().file_name().unwrap().to_string_lossy()
        ));
        let output = git_command(into)
            .args(["clone", "--quiet", "--bare"])
            .arg(self.path())
            .arg(&target)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        target
    }

    pub fn git(&self, args: &[&str]) -> String {
        let output = git_command(self.path()).args(args).output().unwrap();
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }
}

/// `git` in `dir`, with no configuration but a fixed author and dates.
fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Fixture")
        .env("GIT_AUTHOR_EMAIL", "fixture@example.invalid")
        .env("GIT_AUTHOR_DATE", "2025-05-01T00:00:00Z")
        .env("GIT_COMMITTER_NAME", "Fixture")
        .env("GIT_COMMITTER_EMAIL", "fixture@example.invalid")
        .env("GIT_COMMITTER_DATE", "2025-05-01T00:00:00Z");
    command
}

/// disko at its pinned tag: the NixOS module, the file it imports, the library whose
/// `diskoLib.toplevel` holds the kinds of devices, two device types, and files the index must
/// not read (a module declaring an option no other file declares, a library file, a README).
pub const DISKO: &[(&str, &[u8])] = &[
    (
        "module.nix",
        br#"{ config, lib, pkgs, ... }:
let
  diskoLib = import ./lib { inherit lib; };
in
{
  imports = [ ./lib/make-disk-image.nix ];
  options.disko = {
    devices = lib.mkOption {
      type = diskoLib.toplevel;
      default = { };
    };
    enableConfig = lib.mkOption {
      type = lib.types.bool;
      default = true;
    };
  };
}
"#,
    ),
    (
        "lib/make-disk-image.nix",
        br#"{ config, lib, ... }:
{
  options.disko.imageBuilder = {
    name = lib.mkOption { type = lib.types.str; default = "disko-image"; };
    extraDependencies = lib.mkOption { type = lib.types.listOf lib.types.package; default = [ ]; };
  };
}
"#,
    ),
    (
        "lib/interactive-vm.nix",
        br#"{ lib, ... }: { options.disko.interactiveVm = lib.mkOption { type = lib.types.bool; }; }
"#,
    ),
    (
        "lib/default.nix",
        br#"{ lib, ... }:
let
  diskoLib = {
    toplevel = lib.types.submodule {
      options.disk = lib.mkOption {
        type = lib.types.attrsOf lib.types.str;
        default = { };
      };
      options.mdadm = lib.mkOption {
        type = lib.types.attrsOf (lib.types.submodule {
          options.level = lib.mkOption { type = lib.types.int; };
        });
        default = { };
      };
      options.nodev = lib.mkOption {
        type = lib.types.lazyAttrsOf lib.types.str;
        default = { };
      };
    };
    deviceNumbering = x: x;
  };
in
diskoLib
"#,
    ),
    (
        "lib/types/disk.nix",
        br#"{ config, options, lib, diskoLib, ... }:
{
  options = {
    type = lib.mkOption { type = lib.types.enum [ "disk" ]; internal = true; };
    device = lib.mkOption { type = lib.types.str; };
    content = lib.mkOption { type = lib.types.attrs; default = { }; };
  };
}
"#,
    ),
    (
        "lib/types/gpt.nix",
        br#"{ lib, ... }:
{
  options.partitions = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule ({ name, ... }: {
      options.size = lib.mkOption { type = lib.types.str; default = "0"; };
      options.content = lib.mkOption { type = lib.types.nullOr lib.types.attrs; default = null; };
    }));
    default = { };
  };
}
"#,
    ),
    ("lib/types/README.md", b"options.disko.readme = mkOption { };\n"),
    (
        "lib/tests.nix",
        br#"{ lib, ... }: { options.disko.tests = lib.mkOption { }; }
"#,
    ),
];

/// Home Manager on its release branch: the NixOS module (two files), modules (one declaring
/// again what another declares), and files the index must not read.
pub const HOME_MANAGER: &[(&str, &[u8])] = &[
    (
        "nixos/default.nix",
        br#"{ config, lib, pkgs, ... }:
let
  hmModule = lib.types.submoduleWith { modules = [ ]; };
in
{
  imports = [ ./common.nix ];
  options.home-manager = {
    useUserPackages = lib.mkEnableOption "installation of user packages through the users.users.<name>.packages option";
    useGlobalPkgs = lib.mkEnableOption "using the system configuration's pkgs argument";
    users = lib.mkOption {
      type = lib.types.attrsOf hmModule;
      default = { };
    };
  };
}
"#,
    ),
    (
        "nixos/common.nix",
        br#"{ lib, ... }:
{
  options.home-manager.backupFileExtension = lib.mkOption {
    type = lib.types.nullOr lib.types.str;
    default = null;
  };
}
"#,
    ),
    (
        "modules/home-environment.nix",
        br#"{ config, lib, ... }:
{
  options.home = {
    stateVersion = lib.mkOption { type = lib.types.str; };
    sessionVariables = lib.mkOption { type = lib.types.lazyAttrsOf lib.types.str; default = { }; };
  };
}
"#,
    ),
    (
        "modules/programs/bash.nix",
        br#"{ config, lib, pkgs, ... }:
let
  cfg = config.programs.bash;
in
{
  options.programs.bash = {
    enable = lib.mkEnableOption "GNU Bourne-Again SHell";
    shellAliases = lib.mkOption { type = lib.types.attrsOf lib.types.str; default = { }; };
  };
  config = lib.mkIf cfg.enable { home.packages = [ pkgs.bash ]; };
}
"#,
    ),
    (
        "modules/misc/bash-compat.nix",
        br#"{ lib, ... }: { options.programs.bash.enable = lib.mkEnableOption "bash"; }
"#,
    ),
    ("modules/programs/README.md", b"options.programs.readme = mkOption { };\n"),
    (
        "docs/default.nix",
        br#"{ lib, ... }: { options.docs.enable = lib.mkEnableOption "the manual"; }
"#,
    ),
];

/// Part of nixpkgs 25.05 laid out under its paths: two module files, and files the index
/// must not read.
pub const NIXPKGS: &[(&str, &[u8])] = &[
    ("lib/.version", b"25.05\n"),
    (
        "nixos/modules/config/zram.nix",
        br#"{ config, lib, ... }:
{
  options.zramSwap = {
    enable = lib.mkOption { type = lib.types.bool; default = false; };
    memoryPercent = lib.mkOption { type = lib.types.int; default = 50; };
  };
}
"#,
    ),
    (
        "nixos/modules/services/networking/ssh/sshd.nix",
        br#"{ config, lib, pkgs, ... }:
let
  settingsFormat = pkgs.formats.keyValue { };
in
{
  options.services.openssh = {
    enable = lib.mkEnableOption "the OpenSSH secure shell daemon";
    settings = lib.mkOption {
      type = lib.types.submodule {
        freeformType = settingsFormat.type;
        options.PermitRootLogin = lib.mkOption { type = lib.types.str; };
      };
    };
  };
}
"#,
    ),
    (
        "nixos/modules/services/networking/ssh/README.md",
        b"notes\n",
    ),
    (
        "nixos/lib/eval-config.nix",
        br#"{ lib, ... }: { options.evalConfig = lib.mkOption { }; }
"#,
    ),
];

/// The text of `file` in `files`.
pub fn text_of(files: &[(&str, &[u8])], file: &str) -> String {
    let (_, contents) = files.iter().find(|(path, _)| *path == file).unwrap();
    String::from_utf8(contents.to_vec()).unwrap()
}

/// disko's repository: an older commit, the tag `v1.13.0`, and a newer commit on `main`
/// that the index must not read. Returns it with the tagged commit's id.
pub fn disko() -> (Repo, String) {
    let repo = Repo::new();
    repo.write(&[(
        "module.nix",
        b"{ lib, ... }: { options.disko.older = lib.mkOption { }; }\n",
    )]);
    repo.commit("older");
    repo.write(DISKO);
    let pinned = repo.commit("v1.13.0");
    repo.tag("v1.13.0");
    repo.write(&[(
        "lib/types/newer.nix",
        b"{ lib, ... }: { options.newer = lib.mkOption { }; }\n",
    )]);
    repo.commit("newer");
    (repo, pinned)
}

/// Home Manager's repository: the branch `release-25.05`, and a newer commit on `main` that
/// the index must not read. Returns it with the branch's commit id.
pub fn home_manager() -> (Repo, String) {
    let repo = Repo::new();
    repo.write(HOME_MANAGER);
    let pinned = repo.commit("release 25.05");
    repo.branch("release-25.05");
    repo.write(&[(
        "modules/programs/zsh.nix",
        b"{ lib, ... }: { options.programs.zsh.enable = lib.mkEnableOption \"zsh\"; }\n",
    )]);
    repo.commit("newer");
    (repo, pinned)
}
