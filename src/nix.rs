//! Evaluating the project's Nix files with real Nix (`nix-instantiate`), without nixpkgs, and
//! showing Nix's errors without its noise.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::host::{self, RunError};

/// An evaluation of the project's modules is small; past this, something loops.
const EVAL_DEADLINE: Duration = Duration::from_secs(60);

/// Why a Nix file could not be read as data.
#[derive(Debug, thiserror::Error)]
pub enum NixError {
    #[error(transparent)]
    Missing(#[from] host::Missing),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("Nix cannot evaluate {file}:\n{message}")]
    Eval { file: String, message: String },
    #[error("{file} evaluated to something that is not JSON: {message}")]
    NotJson { file: String, message: String },
}

/// `nix-instantiate --eval --strict --json` with `args`, parsed; `what` names the evaluation in
/// errors (a file, or the scenario's modules).
pub fn eval_json_with(
    what: &str,
    args: &[&std::ffi::OsStr],
) -> Result<serde_json::Value, NixError> {
    let mut command = command()?;
    command.args(["--eval", "--strict", "--json"]).args(args);
    let output = host::run(&mut command, EVAL_DEADLINE)?;
    if !output.status.success() {
        return Err(NixError::Eval {
            file: what.to_owned(),
            message: clean(&output.stderr),
        });
    }
    serde_json::from_str(&output.stdout).map_err(|err| NixError::NotJson {
        file: what.to_owned(),
        message: err.to_string(),
    })
}

/// `nix-instantiate --eval --strict --json FILE`, parsed.
pub fn eval_json(file: &Path) -> Result<serde_json::Value, NixError> {
    eval_json_with(&file.display().to_string(), &[file.as_os_str()])
}

/// `nix-instantiate` with a state directory of its own: Nix wants a writable one even to
/// evaluate, and the user's is none of the project's business.
pub fn command() -> Result<Command, host::Missing> {
    let mut command = host::NIX_INSTANTIATE.command()?;
    command.env(
        "NIX_STATE_DIR",
        std::env::temp_dir().join("nixos-tuning-nix-state"),
    );
    Ok(command)
}

/// Lines Nix prints around its message that say nothing about the user's files.
const NOISE: [&str; 3] = [
    // Debian's Nix run by root without the build users NixOS creates.
    "warning: the group 'nixbld' specified in 'build-users-group' does not exist",
    "warning: you don't have Internet access; disabling some network-dependent features",
    "(use '--show-trace' to show detailed location information)",
];

/// Nix's stderr without its noise: the message, its file and its line stay.
pub fn clean(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|line| !NOISE.iter().any(|noise| line.trim() == *noise))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_goes_and_the_message_with_its_position_stays() {
        let stderr =
            "warning: the group 'nixbld' specified in 'build-users-group' does not exist\n\
             error: syntax error, unexpected end of file, expecting ';'\n\
             \n       at /p/broken.nix:2:1:\n\
             (use '--show-trace' to show detailed location information)\n";
        assert_eq!(
            clean(stderr),
            "error: syntax error, unexpected end of file, expecting ';'\n\n       at /p/broken.nix:2:1:"
        );
    }
}
