//! What a `vmtest` trial found, written beside the runs for `cargo xtask vmtest` to read: a
//! changed snapshot, a claim outside its band and a scenario that could not run are told
//! apart, and a trial that never ran leaves no file at all.

use std::path::Path;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Each snapshot that did not match, with insta's diff.
    pub snapshots: Vec<String>,
    /// The claims outside their bands, when one was.
    pub claims: Option<String>,
    /// Why the scenario could not be run or read, when it could not.
    pub error: Option<String>,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.snapshots.is_empty() && self.claims.is_none() && self.error.is_none()
    }

    pub fn read(path: &Path) -> Option<Check> {
        super::read_json(path)
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let partial = path.with_extension("partial");
        std::fs::write(&partial, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(partial, path)
    }
}
