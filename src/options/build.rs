//! Makes the index (`cargo xtask options`): the options declared by the sources the flake
//! pins, read from their git repositories at the pinned revisions (and, if given, nixpkgs'
//! NixOS modules, see [`super::nixpkgs`]), with the module files of each source chosen here.
//!
//! - disko: its NixOS module (`module.nix` and the `lib/make-disk-image.nix` it imports;
//!   `lib/interactive-vm.nix` declares none) in the `nixos` scope, the kinds of devices below
//!   `disko.devices` (`diskoLib.toplevel` in `lib/default.nix`) in `disko-toplevel`, and each
//!   device type of `lib/types/` in `disko-type:<type>`.
//! - Home Manager: its NixOS module (`nixos/`) in `nixos`, its modules (`modules/`) in
//!   `home-manager`.
//!
//! The few options whose type the scanner cannot follow are set here (`retype`).

use std::path::{Path, PathBuf};

use super::git::{Commit, GitError};
use super::index::{Below, Entry, Index, Source};
use super::nixpkgs::{self, NixpkgsError};
use super::scan::{self, Malformed};
use super::tree;

/// A git repository (a bare clone, or a clone) and the revision the flake pins (a tag or a
/// branch), recorded as the source's reference.
#[derive(Debug, Clone)]
pub struct Pinned {
    pub path: PathBuf,
    pub rev: String,
}

/// nixpkgs: a git repository or a directory holding part of its tree (see [`nixpkgs::read`]).
#[derive(Debug, Clone)]
pub struct Nixpkgs {
    pub path: PathBuf,
    /// The branch the flake follows, recorded as the reference: `nixos-25.05`.
    pub reference: String,
    /// The commit read (default: the branch); required for a directory.
    pub rev: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Inputs {
    pub nixpkgs: Option<Nixpkgs>,
    pub disko: Pinned,
    pub home_manager: Pinned,
}

/// Why the index could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Nixpkgs(#[from] NixpkgsError),
    #[error("reading disko")]
    Disko(#[source] GitError),
    #[error("reading Home Manager")]
    HomeManager(#[source] GitError),
    #[error(
        "{from}'s {file} is not whole Nix ({problem}), so not all its options can be read: take \
         it again from the commit; if Nix reads it, the scanner (src/options/scan.rs) needs \
         fixing"
    )]
    Malformed {
        from: &'static str,
        file: String,
        problem: Malformed,
    },
}

/// The file recorded for an option added by `retype` that no module file of the source
/// declares as such (`home-manager.users.<name>`). It names where the generator lived when
/// the vendored index was made, and is kept so that the same sources give the same index.
pub const ADDED_BY_GENERATOR: &str = "(xtask/src/options.rs)";

/// The index made, with the header it is written under.
#[derive(Debug, Clone)]
pub struct Built {
    pub index: Index,
    pub header: String,
}

impl Built {
    /// The text of `nix-tests/options/index.txt`.
    pub fn text(&self) -> String {
        self.index.render(&self.header)
    }

    /// How many options it lists, all scopes together.
    pub fn options(&self) -> usize {
        self.index.scopes.values().map(Vec::len).sum()
    }

    /// Writes [`Self::text`] to `path`, making its folder if need be.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(path, self.text())
    }
}

/// Reads the sources and makes the index: nixpkgs first (if given), then disko, then Home
/// Manager, each entry list sorted with repeated declarations dropped.
pub fn build(inputs: &Inputs) -> Result<Built, BuildError> {
    let mut index = Index::default();
    if let Some(given) = &inputs.nixpkgs {
        let part = nixpkgs::read(&given.path, &given.reference, given.rev.as_deref())?;
        add_nixpkgs(&mut index, part)?;
    }
    let disko = Commit::open(&inputs.disko.path, &inputs.disko.rev).map_err(BuildError::Disko)?;
    add_disko(&mut index, &disko, &inputs.disko.rev)?;
    let hm = Commit::open(&inputs.home_manager.path, &inputs.home_manager.rev)
        .map_err(BuildError::HomeManager)?;
    add_home_manager(&mut index, &hm, &inputs.home_manager.rev)?;
    for entries in index.scopes.values_mut() {
        entries.sort();
        entries.dedup_by(|a, b| a.path == b.path && a.below == b.below);
    }
    Ok(Built {
        index,
        header: header(inputs),
    })
}

/// The header: what made the index, with the command (paths left out).
pub fn header(inputs: &Inputs) -> String {
    let nixpkgs = match &inputs.nixpkgs {
        Some(Nixpkgs { rev: Some(rev), .. }) => {
            format!("--nixpkgs NIXPKGS_DIR --nixpkgs-rev {rev} ")
        }
        Some(Nixpkgs { rev: None, .. }) => "--nixpkgs NIXPKGS_DIR ".to_owned(),
        None => String::new(),
    };
    format!(
        "Options declared by the flake's pinned sources. Generated; do not edit. Made with:\n\
         cargo xtask options {nixpkgs}--disko DISKO_GIT_DIR --home-manager HOME_MANAGER_GIT_DIR"
    )
}

/// Every module file read is listed with its hash, and what it declares is a NixOS option.
fn add_nixpkgs(index: &mut Index, part: nixpkgs::Part) -> Result<(), BuildError> {
    index.sources.push(part.source);
    for (file, text) in &part.files {
        index.modules.push(super::index::Module {
            source: "nixpkgs".into(),
            path: file.clone(),
            sha256: tree::sha256_hex(text),
        });
        add(index, "nixos", ("nixpkgs", file), text)?;
    }
    Ok(())
}

/// disko's NixOS module files.
pub const DISKO_MODULES: [&str; 2] = ["module.nix", "lib/make-disk-image.nix"];

/// disko's library, whose `diskoLib.toplevel` is the type of `disko.devices`.
pub const DISKO_LIBRARY: &str = "lib/default.nix";

/// disko's device types, one file each.
pub const DISKO_TYPES: &str = "lib/types";

fn add_disko(index: &mut Index, disko: &Commit, reference: &str) -> Result<(), BuildError> {
    let read = |file: &str| disko.read(file).map_err(BuildError::Disko);
    index.sources.push(source(
        "disko",
        "github:nix-community/disko",
        reference,
        disko,
    ));
    for file in DISKO_MODULES {
        add(index, "nixos", ("disko", file), &read(file)?)?;
    }
    // `disko.devices` has the type `diskoLib.toplevel` (lib/default.nix): kinds of devices,
    // each a submodule per type in lib/types/.
    let library = read(DISKO_LIBRARY)?;
    whole(("disko", DISKO_LIBRARY), &library)?;
    let entries = index.scopes.entry("disko-toplevel".into()).or_default();
    for declared in scan::declarations_anywhere(&library) {
        entries.push(Entry {
            path: declared.path,
            below: Below::from_kind(declared.kind, "disko-toplevel"),
            file: DISKO_LIBRARY.into(),
        });
    }
    for file in disko.nix_files(DISKO_TYPES).map_err(BuildError::Disko)? {
        let stem = file
            .trim_start_matches("lib/types/")
            .trim_end_matches(".nix");
        add(
            index,
            &format!("disko-type:{stem}"),
            ("disko", &file),
            &read(&file)?,
        )?;
    }
    retype(
        index,
        "nixos",
        &["disko", "devices"],
        Below::Configuration("disko".into()),
    );
    Ok(())
}

/// Home Manager's NixOS module and its modules.
pub const HOME_MANAGER_NIXOS: &str = "nixos";
pub const HOME_MANAGER_MODULES: &str = "modules";

fn add_home_manager(index: &mut Index, hm: &Commit, reference: &str) -> Result<(), BuildError> {
    let read = |file: &str| hm.read(file).map_err(BuildError::HomeManager);
    let list = |under: &str| hm.nix_files(under).map_err(BuildError::HomeManager);
    index.sources.push(source(
        "home-manager",
        "github:nix-community/home-manager",
        reference,
        hm,
    ));
    for file in list(HOME_MANAGER_NIXOS)? {
        add(index, "nixos", ("Home Manager", &file), &read(&file)?)?;
    }
    for file in list(HOME_MANAGER_MODULES)? {
        add(
            index,
            "home-manager",
            ("Home Manager", &file),
            &read(&file)?,
        )?;
    }
    // `home-manager.users` is `attrsOf hmModule`, a `submoduleWith` over Home Manager's own
    // module list: each user is a Home Manager configuration.
    retype(index, "nixos", &["home-manager", "users"], Below::Closed);
    retype(
        index,
        "nixos",
        &["home-manager", "users", "<name>"],
        Below::Configuration("home-manager".into()),
    );
    Ok(())
}

fn source(name: &str, repo: &str, reference: &str, commit: &Commit) -> Source {
    Source {
        name: name.into(),
        reference: format!("{repo}/{reference}"),
        rev: commit.id().to_owned(),
    }
}

/// What `text` (the module file `file` of the source `from`) declares, into `scope`.
fn add(
    index: &mut Index,
    scope: &str,
    (from, file): (&'static str, &str),
    text: &str,
) -> Result<(), BuildError> {
    whole((from, file), text)?;
    let entries = index.scopes.entry(scope.to_owned()).or_default();
    for declared in scan::declarations(text) {
        entries.push(Entry {
            path: declared.path,
            below: Below::from_kind(declared.kind, scope),
            file: file.to_owned(),
        });
    }
    Ok(())
}

/// Refuses a file the scanner cannot read whole ([`scan::malformed`]): it would give part of
/// its options, and the check would then call the rest misspelt.
fn whole((from, file): (&'static str, &str), text: &str) -> Result<(), BuildError> {
    match scan::malformed(text) {
        None => Ok(()),
        Some(problem) => Err(BuildError::Malformed {
            from,
            file: file.to_owned(),
            problem,
        }),
    }
}

/// Sets what may be set below `path` in `scope`: the first declaration of it, or a new one
/// (recorded as [`ADDED_BY_GENERATOR`]).
fn retype(index: &mut Index, scope: &str, path: &[&str], below: Below) {
    let entries = index.scopes.entry(scope.to_owned()).or_default();
    let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
    match entries.iter_mut().find(|entry| entry.path == path) {
        Some(entry) => entry.below = below,
        None => entries.push(Entry {
            path,
            below,
            file: ADDED_BY_GENERATOR.into(),
        }),
    }
}

#[cfg(test)]
mod tests;
