//! Evaluating the project's Nix files with real Nix, without nixpkgs: they are plain data.

use std::path::Path;
use std::process::Command;

/// Why a Nix file could not be read as data.
#[derive(Debug, thiserror::Error)]
pub enum NixError {
    #[error("cannot run `nix-instantiate` ({0}); install Nix (Debian: apt-get install nix-bin)")]
    Missing(std::io::Error),
    #[error("Nix cannot evaluate {file}:\n{message}")]
    Eval { file: String, message: String },
    #[error("{file} evaluated to something that is not JSON: {message}")]
    NotJson { file: String, message: String },
}

/// `nix-instantiate --eval --strict --json FILE`, parsed.
pub fn eval_json(file: &Path) -> Result<serde_json::Value, NixError> {
    let output = Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json"])
        .arg(file)
        // Nix wants a writable state dir even to evaluate; keep it out of the user's home.
        .env(
            "NIX_STATE_DIR",
            std::env::temp_dir().join("nixos-tuning-nix-state"),
        )
        .output()
        .map_err(NixError::Missing)?;
    let name = file.display().to_string();
    if !output.status.success() {
        return Err(NixError::Eval {
            file: name,
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    serde_json::from_slice(&output.stdout).map_err(|err| NixError::NotJson {
        file: name,
        message: err.to_string(),
    })
}
