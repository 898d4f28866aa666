//! `--backend auto|nixos|debian`: what the user asks for, and how it resolves to a [`Kind`].
//! `auto` takes nixos where a Nix with flakes can build the flake, debian otherwise, and says
//! which and why in one line.

use std::path::Path;
use std::str::FromStr;

use super::nixos::nix::{self, Nix, Unusable};
use super::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Auto,
    Nixos,
    Debian,
}

impl FromStr for Choice {
    type Err = String;

    fn from_str(text: &str) -> Result<Choice, String> {
        match text {
            "auto" => Ok(Choice::Auto),
            "nixos" => Ok(Choice::Nixos),
            "debian" => Ok(Choice::Debian),
            other => Err(format!(
                "unknown backend `{other}`: use auto, nixos or debian"
            )),
        }
    }
}

/// The backend that runs, with what it needs, and the line that says why.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub backend: Backend,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub enum Backend {
    Nixos(Nix),
    Debian,
}

impl Resolved {
    pub fn kind(&self) -> Kind {
        match self.backend {
            Backend::Nixos(_) => Kind::Nixos,
            Backend::Debian => Kind::Debian,
        }
    }

    fn nixos(nix: Nix) -> Resolved {
        Resolved {
            reason: format!("backend: nixos ({})", nix.summary()),
            backend: Backend::Nixos(nix),
        }
    }
}

impl Choice {
    /// Decides the backend for the flake at `project_root`; `--backend nixos` without a
    /// usable Nix is an error that says what is missing and how to get it.
    pub fn resolve(self, project_root: &Path) -> Result<Resolved, Unusable> {
        match self {
            Choice::Debian => Ok(Resolved {
                backend: Backend::Debian,
                reason: "backend: debian (asked for)".into(),
            }),
            Choice::Nixos => Ok(Resolved::nixos(nix::detect(project_root)?)),
            Choice::Auto => Ok(match nix::detect(project_root) {
                Ok(nix) => Resolved::nixos(nix),
                Err(unusable) => Resolved {
                    backend: Backend::Debian,
                    reason: format!(
                        "backend: debian, since the nixos backend cannot run here: {}",
                        unusable.missing()
                    ),
                },
            }),
        }
    }
}
