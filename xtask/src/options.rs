//! `cargo xtask options`: writes `nix-tests/options/index.txt`, the options declared by the
//! sources the flake pins, read from their git repositories at the pinned revisions (no
//! evaluation, so no Nix store is needed). The tests check every option the project's Nix
//! files set against it.
//!
//! nixpkgs may also be a plain directory holding part of the tree under its nixpkgs paths
//! (`nixos/modules/...` and `lib/.version`), read at the commit `--nixpkgs-rev` names: the
//! index then lists each module file read (`module` lines), and an option whose module is not
//! among them fails the check as uncovered.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use nixos_tuning::options::index::{self, Below, Entry, Index, Module, Source};
use nixos_tuning::options::{scan, tree};
use xshell::{cmd, Shell};

/// Write the index of declared options from the pinned sources (git repositories)
#[derive(clap::Args)]
pub struct Options {
    /// nixpkgs: a git repository (its whole `nixos/modules`), or a directory holding part of
    /// the tree under its nixpkgs paths (`nixos/modules/...` and `lib/.version`)
    #[arg(long)]
    nixpkgs: Option<PathBuf>,
    /// The branch the flake follows, recorded as the source's reference
    #[arg(long, default_value = "nixos-25.05")]
    nixpkgs_ref: String,
    /// The commit read: any revision of a git repository (default: the branch); for a
    /// directory, the full commit id its files were taken at (required)
    #[arg(long)]
    nixpkgs_rev: Option<String>,
    /// A git repository of disko
    #[arg(long)]
    disko: PathBuf,
    #[arg(long, default_value = "v1.13.0")]
    disko_rev: String,
    /// A git repository of Home Manager
    #[arg(long)]
    home_manager: PathBuf,
    #[arg(long, default_value = "release-25.05")]
    home_manager_rev: String,
}

/// One repository at one revision.
struct Tree<'a> {
    sh: &'a Shell,
    git_dir: &'a Path,
    rev: String,
}

impl Tree<'_> {
    fn files(&self, under: &str) -> anyhow::Result<Vec<String>> {
        let (git_dir, rev) = (self.git_dir, &self.rev);
        let listing = cmd!(
            self.sh,
            "git --git-dir {git_dir} ls-tree -r --name-only {rev} -- {under}"
        )
        .quiet()
        .read()
        .with_context(|| format!("cannot list {under} at {rev} in {}", git_dir.display()))?;
        Ok(listing
            .lines()
            .filter(|file| file.ends_with(".nix"))
            .map(str::to_owned)
            .collect())
    }

    fn read(&self, file: &str) -> anyhow::Result<String> {
        let (git_dir, rev) = (self.git_dir, &self.rev);
        let spec = format!("{rev}:{file}");
        cmd!(self.sh, "git --git-dir {git_dir} show {spec}")
            .quiet()
            .read()
            .with_context(|| format!("cannot read {spec} in {}", git_dir.display()))
    }
}

impl Options {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        let mut index = Index::default();
        if let Some(nixpkgs) = &self.nixpkgs {
            self.read_nixpkgs(sh, nixpkgs, &mut index)?;
        }
        let disko = open(sh, &self.disko, &self.disko_rev)?;
        index.sources.push(source(
            "disko",
            "github:nix-community/disko",
            &self.disko_rev,
            &disko,
        ));
        // The NixOS module and the module it imports; lib/interactive-vm.nix declares none.
        for file in ["module.nix", "lib/make-disk-image.nix"] {
            add(&mut index, "nixos", file, &disko.read(file)?);
        }
        // `disko.devices` has the type `diskoLib.toplevel` (lib/default.nix): kinds of devices,
        // each a submodule per type in lib/types/.
        let library = disko.read("lib/default.nix")?;
        let entries = index.scopes.entry("disko-toplevel".into()).or_default();
        for declared in scan::declarations_anywhere(&library) {
            entries.push(Entry {
                path: declared.path,
                below: Below::from_kind(declared.kind, "disko-toplevel"),
                file: "lib/default.nix".into(),
            });
        }
        for file in disko.files("lib/types")? {
            let stem = file
                .trim_start_matches("lib/types/")
                .trim_end_matches(".nix");
            add(
                &mut index,
                &format!("disko-type:{stem}"),
                &file,
                &disko.read(&file)?,
            );
        }
        retype(
            &mut index,
            "nixos",
            &["disko", "devices"],
            Below::Configuration("disko".into()),
        );
        let hm = open(sh, &self.home_manager, &self.home_manager_rev)?;
        index.sources.push(source(
            "home-manager",
            "github:nix-community/home-manager",
            &self.home_manager_rev,
            &hm,
        ));
        for file in hm.files("nixos")? {
            add(&mut index, "nixos", &file, &hm.read(&file)?);
        }
        for file in hm.files("modules")? {
            add(&mut index, "home-manager", &file, &hm.read(&file)?);
        }
        // `home-manager.users` is `attrsOf hmModule`, a `submoduleWith` over Home Manager's
        // own module list: each user is a Home Manager configuration.
        retype(
            &mut index,
            "nixos",
            &["home-manager", "users"],
            Below::Closed,
        );
        retype(
            &mut index,
            "nixos",
            &["home-manager", "users", "<name>"],
            Below::Configuration("home-manager".into()),
        );
        for entries in index.scopes.values_mut() {
            entries.sort();
            entries.dedup_by(|a, b| a.path == b.path && a.below == b.below);
        }
        let header = format!(
            "Options declared by the flake's pinned sources. Generated; do not edit. Made with:\n\
             cargo xtask options {}--disko DISKO_GIT_DIR --home-manager HOME_MANAGER_GIT_DIR",
            match (&self.nixpkgs, &self.nixpkgs_rev) {
                (Some(_), Some(rev)) => format!("--nixpkgs NIXPKGS_DIR --nixpkgs-rev {rev} "),
                (Some(_), None) => "--nixpkgs NIXPKGS_DIR ".to_owned(),
                (None, _) => String::new(),
            }
        );
        let out = sh.current_dir().join(index::PATH);
        std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(&out, index.render(&header))
            .with_context(|| format!("cannot write `{}`", out.display()))?;
        let counts: BTreeMap<_, _> = index
            .scopes
            .iter()
            .map(|(s, e)| (s.as_str(), e.len()))
            .collect();
        eprintln!(
            "wrote {} ({} options, {} nixpkgs module files)",
            out.display(),
            counts.values().sum::<usize>(),
            index.modules.len()
        );
        Ok(())
    }

    /// nixpkgs' part: every module file of `nixos/modules` there is (a git repository), or
    /// those a partial tree holds, each listed with its hash; `lib/.version` must be the
    /// release `--nixpkgs-ref` names.
    fn read_nixpkgs(&self, sh: &Shell, dir: &Path, index: &mut Index) -> anyhow::Result<()> {
        let want = tree::release_of(&self.nixpkgs_ref).with_context(|| {
            format!(
                "--nixpkgs-ref {} is no release branch (nixos-YY.MM)",
                self.nixpkgs_ref
            )
        })?;
        let reference = format!("github:NixOS/nixpkgs/{}", self.nixpkgs_ref);
        let files: Vec<(String, String)>;
        let version: String;
        let rev: String;
        if dir.join("HEAD").is_file() || dir.join(".git").exists() {
            let git_dir = if dir.join(".git").exists() {
                dir.join(".git")
            } else {
                dir.to_path_buf()
            };
            let given = self.nixpkgs_rev.as_deref().unwrap_or(&self.nixpkgs_ref);
            let repo = open(sh, &git_dir, given)?;
            version = repo.read("lib/.version")?;
            files = repo
                .files("nixos/modules")?
                .into_iter()
                .map(|file| Ok((file.clone(), repo.read(&file)?)))
                .collect::<anyhow::Result<_>>()?;
            rev = repo.rev.clone();
        } else {
            rev = self.nixpkgs_rev.clone().with_context(|| {
                format!(
                    "{} is a directory, not a git repository: give the commit its files were \
                     taken at with --nixpkgs-rev",
                    dir.display()
                )
            })?;
            anyhow::ensure!(
                tree::is_commit(&rev),
                "--nixpkgs-rev {rev} is not a full commit id (40 hex digits)"
            );
            version = std::fs::read_to_string(dir.join("lib/.version")).with_context(|| {
                format!(
                    "{} has no lib/.version, which shows the release its files are from",
                    dir.display()
                )
            })?;
            files = tree::nix_files(dir, "nixos/modules")?
                .into_iter()
                .map(|file| {
                    let text = std::fs::read_to_string(dir.join(&file))
                        .with_context(|| format!("cannot read {}", dir.join(&file).display()))?;
                    Ok((file, text))
                })
                .collect::<anyhow::Result<_>>()?;
        }
        anyhow::ensure!(
            version.trim() == want,
            "nixpkgs at {rev} is release {}, not {want} (lib/.version)",
            version.trim()
        );
        anyhow::ensure!(
            !files.is_empty(),
            "no module file under {}/nixos/modules",
            dir.display()
        );
        index.sources.push(Source {
            name: "nixpkgs".into(),
            reference,
            rev,
        });
        for (file, text) in &files {
            index.modules.push(Module {
                source: "nixpkgs".into(),
                path: file.clone(),
                sha256: tree::sha256_hex(text),
            });
            add(index, "nixos", file, text);
        }
        Ok(())
    }
}

fn open<'a>(sh: &'a Shell, git_dir: &'a Path, rev: &str) -> anyhow::Result<Tree<'a>> {
    let commit = format!("{rev}^{{commit}}");
    let rev = cmd!(sh, "git --git-dir {git_dir} rev-parse {commit}")
        .quiet()
        .read()
        .with_context(|| format!("`{rev}` is not a revision of {}", git_dir.display()))?;
    Ok(Tree { sh, git_dir, rev })
}

fn source(name: &str, repo: &str, reference: &str, tree: &Tree) -> Source {
    Source {
        name: name.into(),
        reference: format!("{repo}/{reference}"),
        rev: tree.rev.clone(),
    }
}

fn add(index: &mut Index, scope: &str, file: &str, text: &str) {
    let entries = index.scopes.entry(scope.to_owned()).or_default();
    for declared in scan::declarations(text) {
        entries.push(Entry {
            path: declared.path,
            below: Below::from_kind(declared.kind, scope),
            file: file.to_owned(),
        });
    }
}

fn retype(index: &mut Index, scope: &str, path: &[&str], below: Below) {
    let entries = index.scopes.entry(scope.to_owned()).or_default();
    let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
    match entries.iter_mut().find(|entry| entry.path == path) {
        Some(entry) => entry.below = below,
        None => entries.push(Entry {
            path,
            below,
            file: "(xtask/src/options.rs)".into(),
        }),
    }
}
