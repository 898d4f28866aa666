//! Where runs live, and the one owner of each run's files. The runs directory ([`DIR`], in
//! the project) holds:
//!
//! - `<backend>/<scenario>/`: the last complete run of a scenario ([`RunDir`]): its
//!   `report.json` ([`Record`]), `figures.json`, `measurements.json`, `raw/` outputs and
//!   serial log;
//! - `attempts/<backend>/<scenario>/<time>/`: a run in progress; it replaces the scenario's
//!   directory only when complete, and one that fails or is interrupted stays here with its
//!   logs ([`Attempt`]);
//! - `scratch/<purpose>/`: boots for debugging (`xtask vm`, `bench`), which never touch a
//!   scenario's directory;
//! - `checks/<backend>-<scenario>.json`: what the scenario's `vmtest` trial found ([`Check`]).
//!
//! A run holds the scenario's lock (`<backend>/.<scenario>.lock`) from its start to its end.

mod attempt;
mod check;
mod record;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

pub use attempt::Attempt;
pub use check::Check;
pub use record::Record;

use crate::backend::Kind;
use crate::facts::{self, Outputs};
use crate::figures::Figures;
use crate::vmtest::measurements::Measurements;

/// The runs directory, relative to the project root: its one definition.
pub const DIR: &str = "target/vmtest";

/// Every run of a project, or of a scratch area.
#[derive(Debug, Clone)]
pub struct Runs {
    root: PathBuf,
}

impl Runs {
    /// The project's runs: [`DIR`] in it.
    pub fn of_project(project_root: &Path) -> Runs {
        Runs {
            root: project_root.join(DIR),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the complete runs of a backend are: what the report reads.
    pub fn backend_dir(&self, kind: Kind) -> PathBuf {
        self.root.join(kind.name())
    }

    /// The scenario's directory on a backend.
    pub fn scenario(&self, kind: Kind, scenario: &str) -> RunDir {
        RunDir {
            path: self.backend_dir(kind).join(scenario),
            kind,
            scenario: scenario.to_owned(),
            attempts: self.root.join("attempts").join(kind.name()).join(scenario),
        }
    }

    /// Where the `vmtest` trial of a scenario writes what it found.
    pub fn check_file(&self, kind: Kind, scenario: &str) -> PathBuf {
        self.root
            .join("checks")
            .join(format!("{}-{scenario}.json", kind.name()))
    }

    /// Runs of their own for debugging boots (`vm`, `bench`): under `scratch/<purpose>`.
    pub fn scratch(&self, purpose: &str) -> Runs {
        Runs {
            root: self.root.join("scratch").join(purpose),
        }
    }
}

/// One scenario's last complete run on one backend, and the files it keeps.
#[derive(Debug, Clone)]
pub struct RunDir {
    path: PathBuf,
    kind: Kind,
    scenario: String,
    attempts: PathBuf,
}

pub const REPORT: &str = "report.json";
pub const FIGURES: &str = "figures.json";
pub const MEASUREMENTS: &str = "measurements.json";
pub const RAW: &str = "raw";
pub const SERIAL_LOG: &str = "serial.log";

impl RunDir {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    pub fn raw_dir(&self) -> PathBuf {
        self.path.join(RAW)
    }

    /// Its lock: held by whoever writes the scenario's runs.
    pub fn lock_file(&self) -> PathBuf {
        let parent = self.path.parent().unwrap_or(&self.path);
        parent.join(format!(".{}.lock", self.scenario))
    }

    /// Where attempts at a new run go.
    pub fn attempts_dir(&self) -> &Path {
        &self.attempts
    }

    pub fn record(&self) -> Option<Record> {
        read_json(&self.path.join(REPORT))
    }

    pub fn figures(&self) -> Option<Figures> {
        read_json(&self.path.join(FIGURES))
    }

    pub fn measurements(&self) -> Option<Measurements> {
        read_json(&self.path.join(MEASUREMENTS))
    }

    /// The raw outputs of the guest probes, by probe name.
    pub fn outputs(&self) -> anyhow::Result<Outputs> {
        facts::read_outputs(&self.raw_dir())
    }
}

pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}
