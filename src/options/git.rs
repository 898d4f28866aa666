//! A source tree read out of a git repository at one commit, with the `git` binary: the
//! pinned sources are read from clones (bare ones do), with no work tree, no evaluation and
//! no Nix store.

use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Why a repository could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run `git` ({source}): install git (tools/setup-debian.sh does), which reads the pinned sources")]
    NoGit { source: std::io::Error },
    #[error(
        "{} does not exist: give the path of a clone of the repository \
         (`git clone --bare URL DIR` makes one)",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error(
        "{} is not a git repository ({stderr}): give a bare clone, a clone or its .git directory",
        path.display()
    )]
    NotARepository { path: PathBuf, stderr: String },
    #[error(
        "`{rev}` is not a revision of {} ({stderr}): name a branch, tag or commit it has, or \
         fetch it first (`git --git-dir {} fetch origin {rev}`)",
        git_dir.display(),
        git_dir.display()
    )]
    UnknownRevision {
        git_dir: PathBuf,
        rev: String,
        stderr: String,
    },
    #[error(
        "cannot list {under} at {rev} in {} ({stderr}): check that the clone is whole \
         (clone it again)",
        git_dir.display()
    )]
    List {
        git_dir: PathBuf,
        rev: String,
        under: String,
        stderr: String,
    },
    #[error(
        "cannot read {rev}:{file} in {} ({stderr}): check that it is a clone of the right \
         repository and the revision the flake pins",
        git_dir.display()
    )]
    Read {
        git_dir: PathBuf,
        rev: String,
        file: String,
        stderr: String,
    },
    #[error(
        "{rev}:{file} in {} is not UTF-8 text, so no Nix file the scanner can read: check that \
         it is a clone of the right repository and the revision the flake pins",
        git_dir.display()
    )]
    NotText {
        git_dir: PathBuf,
        rev: String,
        file: String,
    },
}

/// Whether `path` is a git repository rather than a plain directory: a bare clone (a `HEAD`
/// file) or a clone (a `.git`).
pub fn is_repository(path: &Path) -> bool {
    path.join("HEAD").is_file() || path.join(".git").exists()
}

/// A repository at one commit.
#[derive(Debug, Clone)]
pub struct Commit {
    git_dir: PathBuf,
    rev: String,
}

impl Commit {
    /// The commit `rev` (a branch, a tag, a commit id, any revision git knows) names in the
    /// repository at `path`: a bare clone, or a clone (its `.git` is read).
    pub fn open(path: &Path, rev: &str) -> Result<Commit, GitError> {
        let git_dir = if path.join(".git").exists() {
            path.join(".git")
        } else {
            path.to_path_buf()
        };
        let spec = format!("{rev}^{{commit}}");
        match git(&git_dir, &["rev-parse", &spec])? {
            Ok(id) => Ok(Commit { git_dir, rev: id }),
            Err(stderr) => Err(diagnose(path, &git_dir, rev, stderr)?),
        }
    }

    /// The full commit id.
    pub fn id(&self) -> &str {
        &self.rev
    }

    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// The `.nix` files below `under` at this commit, as paths from the repository's root,
    /// in git's order.
    pub fn nix_files(&self, under: &str) -> Result<Vec<String>, GitError> {
        let listing = git(
            &self.git_dir,
            &["ls-tree", "-r", "--name-only", &self.rev, "--", under],
        )?
        .map_err(|stderr| GitError::List {
            git_dir: self.git_dir.clone(),
            rev: self.rev.clone(),
            under: under.to_owned(),
            stderr,
        })?;
        Ok(listing
            .lines()
            .filter(|file| file.ends_with(".nix"))
            .map(str::to_owned)
            .collect())
    }

    /// The text of `file` at this commit, as `git show` prints it less one final newline:
    /// what the generator has always read (and, for nixpkgs, hashed).
    pub fn read(&self, file: &str) -> Result<String, GitError> {
        let spec = format!("{}:{file}", self.rev);
        let output = run(&self.git_dir, &["show", &spec])?;
        if !output.status.success() {
            return Err(GitError::Read {
                git_dir: self.git_dir.clone(),
                rev: self.rev.clone(),
                file: file.to_owned(),
                stderr: stderr_of(&output),
            });
        }
        text_of(output.stdout).ok_or_else(|| GitError::NotText {
            git_dir: self.git_dir.clone(),
            rev: self.rev.clone(),
            file: file.to_owned(),
        })
    }
}

/// Why `rev-parse` failed: no such path, no repository there, or no such revision.
fn diagnose(path: &Path, git_dir: &Path, rev: &str, stderr: String) -> Result<GitError, GitError> {
    if !path.exists() {
        return Ok(GitError::Missing {
            path: path.to_path_buf(),
        });
    }
    Ok(match git(git_dir, &["rev-parse", "--git-dir"])? {
        Err(stderr) => GitError::NotARepository {
            path: path.to_path_buf(),
            stderr,
        },
        Ok(_) => GitError::UnknownRevision {
            git_dir: git_dir.to_path_buf(),
            rev: rev.to_owned(),
            stderr,
        },
    })
}

/// `git --git-dir GIT_DIR ARGS...`: its output as text, or its error output when it failed.
fn git(git_dir: &Path, args: &[&str]) -> Result<Result<String, String>, GitError> {
    let output = run(git_dir, args)?;
    if !output.status.success() {
        return Ok(Err(stderr_of(&output)));
    }
    Ok(text_of(output.stdout).ok_or_else(|| "its output is not UTF-8".to_owned()))
}

fn run(git_dir: &Path, args: &[&str]) -> Result<std::process::Output, GitError> {
    let mut git = crate::host::GIT
        .command()
        .map_err(|missing| GitError::NoGit {
            source: std::io::Error::new(std::io::ErrorKind::NotFound, missing.to_string()),
        })?;
    git.arg("--git-dir")
        .arg(git_dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| GitError::NoGit { source })
}

/// Output as text, less one final newline (`\n`, then `\r`), as the generator has always
/// read it.
fn text_of(bytes: Vec<u8>) -> Option<String> {
    let mut text = String::from_utf8(bytes).ok()?;
    if text.ends_with('\n') {
        text.pop();
    }
    if text.ends_with('\r') {
        text.pop();
    }
    Some(text)
}

/// The first line of what git said when it failed (its `fatal: ...`).
fn stderr_of(output: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr);
    match text.lines().map(str::trim).find(|line| !line.is_empty()) {
        Some(line) => line.to_owned(),
        None => format!("git exited with {}", output.status),
    }
}

#[cfg(test)]
mod tests;
