//! The backend a run really uses; it names the run's directories and snapshots.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Nixos,
    Debian,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Nixos, Kind::Debian];

    /// The name in paths: `target/vmtest/<name>/`, `snapshots/<name>/`.
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
