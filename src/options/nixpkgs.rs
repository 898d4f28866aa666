//! nixpkgs' part of the index: its NixOS module files (`nixos/modules/**.nix`), read whole
//! from a git repository or in part from a directory holding some of them under their nixpkgs
//! paths, at a commit whose `lib/.version` is the release the flake follows.

use std::path::{Path, PathBuf};

use super::git::{self, Commit, GitError};
use super::index::Source;
use super::tree;

/// Where nixpkgs keeps the NixOS modules.
pub const MODULES: &str = "nixos/modules";

/// The file that names the release a nixpkgs tree is from.
pub const VERSION: &str = "lib/.version";

/// Why nixpkgs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum NixpkgsError {
    #[error(
        "--nixpkgs-ref {reference} is no release branch (nixos-YY.MM or release-YY.MM): give \
         the branch the flake follows"
    )]
    NotARelease { reference: String },
    #[error(
        "{} does not exist: give a git repository of nixpkgs, or a directory holding module \
         files under their nixpkgs paths (nixos/modules/... and lib/.version)",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error("reading nixpkgs")]
    Git(#[source] GitError),
    #[error(
        "{} is a directory, not a git repository: give the commit its files were taken at \
         with --nixpkgs-rev",
        dir.display()
    )]
    NoCommit { dir: PathBuf },
    #[error(
        "--nixpkgs-rev {rev} is not a full commit id (40 hex digits): give the whole id of the \
         commit the directory's files were taken at"
    )]
    NotACommit { rev: String },
    #[error(
        "{} has no readable lib/.version, which shows the release its files are from: copy it \
         from the commit the module files were taken at",
        dir.display()
    )]
    NoVersion {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "nixpkgs at {rev} is release {found}, not {want} (lib/.version): read a commit of the \
         {want} branch, or name the branch the flake follows with --nixpkgs-ref"
    )]
    WrongRelease {
        rev: String,
        found: String,
        want: String,
    },
    #[error("cannot list the module files under {}", dir.display())]
    List {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} is not UTF-8 text, so no Nix file the scanner can read: take it again from the \
         commit, or remove it",
        path.display()
    )]
    NotText { path: PathBuf },
    #[error(
        "no module file under {}/nixos/modules: lay the module files out under their nixpkgs \
         paths (nixos/modules/...)",
        dir.display()
    )]
    NoModules { dir: PathBuf },
}

/// What is read from nixpkgs: its source line and each module file with its text, in the
/// order they are listed.
#[derive(Debug, Clone)]
pub struct Part {
    pub source: Source,
    pub files: Vec<(String, String)>,
}

/// Reads nixpkgs at `path`, recorded under the branch `reference` (`nixos-25.05`), which
/// names the release `lib/.version` must show.
///
/// A git repository (a bare clone, or a clone) is read at `rev` (default: `reference`), every
/// module file of it. A plain directory holds part of the tree; `rev` must be the full id of
/// the commit its files were taken at, and is recorded as given.
pub fn read(path: &Path, reference: &str, rev: Option<&str>) -> Result<Part, NixpkgsError> {
    let want = tree::release_of(reference).ok_or_else(|| NixpkgsError::NotARelease {
        reference: reference.to_owned(),
    })?;
    if !path.exists() {
        return Err(NixpkgsError::Missing {
            path: path.to_path_buf(),
        });
    }
    let (rev, files) = if git::is_repository(path) {
        read_repository(path, rev.unwrap_or(reference), want)?
    } else {
        read_directory(path, rev, want)?
    };
    if files.is_empty() {
        return Err(NixpkgsError::NoModules {
            dir: path.to_path_buf(),
        });
    }
    Ok(Part {
        source: Source {
            name: "nixpkgs".into(),
            reference: format!("github:NixOS/nixpkgs/{reference}"),
            rev,
        },
        files,
    })
}

type Files = Vec<(String, String)>;

fn read_repository(path: &Path, rev: &str, want: &str) -> Result<(String, Files), NixpkgsError> {
    let repo = Commit::open(path, rev).map_err(NixpkgsError::Git)?;
    let version = repo.read(VERSION).map_err(NixpkgsError::Git)?;
    check_release(repo.id(), &version, want)?;
    let files = repo
        .nix_files(MODULES)
        .map_err(NixpkgsError::Git)?
        .into_iter()
        .map(|file| Ok((file.clone(), repo.read(&file)?)))
        .collect::<Result<_, GitError>>()
        .map_err(NixpkgsError::Git)?;
    Ok((repo.id().to_owned(), files))
}

fn read_directory(
    dir: &Path,
    rev: Option<&str>,
    want: &str,
) -> Result<(String, Files), NixpkgsError> {
    let rev = rev.ok_or_else(|| NixpkgsError::NoCommit {
        dir: dir.to_path_buf(),
    })?;
    if !tree::is_commit(rev) {
        return Err(NixpkgsError::NotACommit {
            rev: rev.to_owned(),
        });
    }
    let version =
        std::fs::read_to_string(dir.join(VERSION)).map_err(|source| NixpkgsError::NoVersion {
            dir: dir.to_path_buf(),
            source,
        })?;
    check_release(rev, &version, want)?;
    let files = tree::nix_files(dir, MODULES)
        .map_err(|source| NixpkgsError::List {
            dir: dir.to_path_buf(),
            source,
        })?
        .into_iter()
        .map(|file| {
            let path = dir.join(&file);
            let bytes = std::fs::read(&path).map_err(|source| NixpkgsError::Read {
                path: path.clone(),
                source,
            })?;
            let text = String::from_utf8(bytes).map_err(|_| NixpkgsError::NotText { path })?;
            Ok((file, text))
        })
        .collect::<Result<_, NixpkgsError>>()?;
    Ok((rev.to_owned(), files))
}

fn check_release(rev: &str, version: &str, want: &str) -> Result<(), NixpkgsError> {
    if version.trim() == want {
        return Ok(());
    }
    Err(NixpkgsError::WrongRelease {
        rev: rev.to_owned(),
        found: version.trim().to_owned(),
        want: want.to_owned(),
    })
}

#[cfg(test)]
mod tests;
