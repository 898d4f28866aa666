//! `cargo xtask options`: writes `nix-tests/options/index.txt`, the options declared by the
//! sources the flake pins, read from their git repositories at the pinned revisions (no
//! evaluation, so no Nix store is needed). The tests check every option the project's Nix
//! files set against it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use nixos_tuning::options::index::{self, Below, Entry, Index, Source};
use nixos_tuning::options::scan;
use xshell::{cmd, Shell};

/// Write the index of declared options from the pinned sources (git repositories)
#[derive(clap::Args)]
pub struct Options {
    /// A git repository of nixpkgs (its `nixos/modules`)
    #[arg(long)]
    nixpkgs: Option<PathBuf>,
    /// The nixpkgs revision (the flake's `nixos-25.05`)
    #[arg(long, default_value = "nixos-25.05")]
    nixpkgs_rev: String,
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
            let tree = open(sh, nixpkgs, &self.nixpkgs_rev)?;
            index.sources.push(source(
                "nixpkgs",
                "github:NixOS/nixpkgs",
                &self.nixpkgs_rev,
                &tree,
            ));
            for file in tree.files("nixos/modules")? {
                add(&mut index, "nixos", &file, &tree.read(&file)?);
            }
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
        let header =
            format!(
            "Options declared by the flake's pinned sources. Generated; do not edit. Made with:\n\
             cargo xtask options {}--disko DISKO_GIT_DIR --home-manager HOME_MANAGER_GIT_DIR",
            if self.nixpkgs.is_some() { "--nixpkgs NIXPKGS_GIT_DIR " } else { "" }
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
            "wrote {} ({} options)",
            out.display(),
            counts.values().sum::<usize>()
        );
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
