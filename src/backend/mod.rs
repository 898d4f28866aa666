//! Backends turn a scenario into a [`Bundle`]: what the runner boots and what a run of it
//! depends on. `nixos` builds the real NixOS system from the flake; `debian` runs everywhere
//! QEMU runs. A [`Choice`] resolves to a [`Selection`], which is prepared once per process
//! into a [`Backend`], then asked for one bundle per scenario.

mod bundle;
mod choice;
pub mod debian;
pub mod nixos;

use std::path::Path;

pub use bundle::{Bundle, Guest};
pub use choice::{Choice, Kind, Selection};

use crate::progress::Progress;
use crate::scenario::Loaded;
use crate::vm::accel::{Accel, AccelChoice};

/// A backend ready to make bundles: its expensive parts (the Debian image and base disk, the
/// accelerator's probe) are done once, here.
pub enum Backend {
    Debian(Box<debian::Debian>),
    Nixos(nixos::Nixos),
}

impl Backend {
    pub fn prepare(
        selection: Selection,
        project_root: &Path,
        accel: AccelChoice,
        progress: &dyn Progress,
    ) -> anyhow::Result<Backend> {
        Ok(match selection.nix {
            Some(nix) => Backend::Nixos(nixos::prepare(nix, project_root, accel, progress)?),
            None => Backend::Debian(Box::new(debian::prepare(project_root, accel, progress)?)),
        })
    }

    /// Resolves `choice` and prepares what it selects, saying which and why.
    pub fn choose(
        choice: Choice,
        project_root: &Path,
        accel: AccelChoice,
        progress: &dyn Progress,
    ) -> anyhow::Result<Backend> {
        let selection = choice.resolve(project_root)?;
        progress.note(&selection.reason);
        Backend::prepare(selection, project_root, accel, progress)
    }

    pub fn kind(&self) -> Kind {
        match self {
            Backend::Debian(_) => Kind::Debian,
            Backend::Nixos(_) => Kind::Nixos,
        }
    }

    pub fn accel(&self) -> Accel {
        match self {
            Backend::Debian(debian) => debian.accel,
            Backend::Nixos(nixos) => nixos.accel,
        }
    }

    /// What boots `loaded`: Nix builds the NixOS VM; the Debian guest gets the scenario's
    /// options realized as files.
    pub fn bundle(&self, loaded: &Loaded, progress: &dyn Progress) -> anyhow::Result<Bundle> {
        match self {
            Backend::Debian(debian) => debian.bundle(loaded, progress),
            Backend::Nixos(nixos) => nixos.bundle(loaded, progress),
        }
    }
}
