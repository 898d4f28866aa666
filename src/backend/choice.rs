//! Which backend runs: [`Kind`] names it (in paths and snapshots), [`Choice`] is what the user
//! asks for (`--backend auto|nixos|debian`), and resolving a choice gives a [`Selection`]:
//! the backend, what it needs, and the one line that says why. `auto` takes nixos where a
//! Nix with flakes can build the flake, debian otherwise.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use super::nixos::nix::{self, Nix, Unusable};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Nixos,
    Debian,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Nixos, Kind::Debian];

    /// The name in paths: the runs of the backend (`runs`), `snapshots/<name>/`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Nixos => "nixos",
            Kind::Debian => "debian",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(text: &str) -> Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| format!("unknown backend `{text}`: use nixos or debian"))
    }
}

/// What the user asks for: one backend, or whichever can run here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Auto,
    Only(Kind),
}

impl FromStr for Choice {
    type Err = String;

    fn from_str(text: &str) -> Result<Choice, String> {
        match text {
            "auto" => Ok(Choice::Auto),
            other => other
                .parse()
                .map(Choice::Only)
                .map_err(|_| format!("unknown backend `{other}`: use auto, nixos or debian")),
        }
    }
}

/// The backend that runs, with the Nix it builds with (nixos), and the line that says why.
#[derive(Debug, Clone)]
pub struct Selection {
    pub kind: Kind,
    pub reason: String,
    pub(super) nix: Option<Nix>,
}

impl Selection {
    fn nixos(nix: Nix) -> Selection {
        Selection {
            kind: Kind::Nixos,
            reason: format!("backend: nixos ({})", nix.summary()),
            nix: Some(nix),
        }
    }

    fn debian(reason: String) -> Selection {
        Selection {
            kind: Kind::Debian,
            reason,
            nix: None,
        }
    }
}

impl Choice {
    /// Decides the backend for the flake at `project_root`; `--backend nixos` without a
    /// usable Nix is an error that says what is missing and how to get it.
    pub fn resolve(self, project_root: &Path) -> Result<Selection, Unusable> {
        match self {
            Choice::Only(Kind::Debian) => {
                Ok(Selection::debian("backend: debian (asked for)".into()))
            }
            Choice::Only(Kind::Nixos) => Ok(Selection::nixos(nix::detect(project_root)?)),
            Choice::Auto => Ok(match nix::detect(project_root) {
                Ok(nix) => Selection::nixos(nix),
                Err(unusable) => Selection::debian(format!(
                    "backend: debian, since the nixos backend cannot run here: {}",
                    unusable.missing()
                )),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_and_say_what_is_valid() {
        assert_eq!("auto".parse(), Ok(Choice::Auto));
        assert_eq!("debian".parse(), Ok(Choice::Only(Kind::Debian)));
        assert_eq!("nixos".parse(), Ok(Choice::Only(Kind::Nixos)));
        let err = "docker".parse::<Choice>().unwrap_err();
        assert!(err.contains("auto, nixos or debian"), "{err}");
    }
}
