//! What a server is compared with: the committed, reviewed snapshots of a scenario and of
//! baseline (`snapshots/<backend>/<scenario>.snap`, NixOS's when there is one, else
//! Debian's), read back into [`Facts`], and what the scenario's modules set. Their difference
//! must be the committed `snapshots/effects/<scenario>.snap`: a check never compares with
//! snapshots that disagree with each other.

use std::path::{Path, PathBuf};

use crate::backend::Kind;
use crate::facts::Facts;
use crate::optimization::Optimization;
use crate::scenario::{settings, Loaded, Setting, BASELINE};
use crate::vmtest::effects;

/// Where the snapshots are, relative to the project root.
const SNAPSHOTS: &str = "snapshots";
/// The snapshots of what each scenario changes, shared by the backends.
const EFFECTS: &str = "effects";

#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub scenario: String,
    /// Whose VM the snapshots come from.
    pub backend: Kind,
    pub tested: Facts,
    pub baseline: Facts,
    /// The snapshot files read, relative to the project.
    pub files: Vec<String>,
    /// What the scenario's own modules set, each with the file that sets it.
    pub settings: Vec<(Setting, PathBuf)>,
    pub optimizations: Vec<Optimization>,
}

/// Why there is nothing to compare with; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("there is no snapshot of scenario `{scenario}` ({file}): run `cargo xtask vmtest {scenario}`, review its snapshots and commit them")]
    Missing { scenario: String, file: String },
    #[error("{file} cannot be read as facts ({message}): it must be a snapshot written by `cargo xtask vmtest`")]
    Unreadable { file: String, message: String },
    #[error("{effects} is not what {scenario} and {baseline} differ by: the committed snapshots disagree; run `cargo xtask vmtest {name}` and review them")]
    Inconsistent {
        name: String,
        effects: String,
        scenario: String,
        baseline: String,
    },
}

impl Reference {
    /// The snapshots of `loaded`'s scenario and baseline's, and what its modules set.
    pub fn load(project_root: &Path, loaded: &Loaded) -> Result<Reference, ReferenceError> {
        let name = &loaded.scenario.name;
        let backend = backend_of(project_root, name);
        let file = |area: &str, scenario: &str| {
            PathBuf::from(SNAPSHOTS)
                .join(area)
                .join(format!("{scenario}.snap"))
        };
        let tested_file = file(backend.name(), name);
        let baseline_file = file(backend.name(), BASELINE);
        let tested = read_facts(project_root, &tested_file, name)?;
        let baseline = read_facts(project_root, &baseline_file, BASELINE)?;
        let effects_file = file(EFFECTS, name);
        let effects = read_body(project_root, &effects_file, name)?;
        let difference = effects::render(&effects::diff(&baseline, &tested));
        if difference.trim_end() != effects.trim_end() {
            return Err(ReferenceError::Inconsistent {
                name: name.clone(),
                effects: show(&effects_file),
                scenario: show(&tested_file),
                baseline: show(&baseline_file),
            });
        }
        Ok(Reference {
            scenario: name.clone(),
            backend,
            tested,
            baseline,
            files: vec![
                show(&tested_file),
                show(&baseline_file),
                show(&effects_file),
            ],
            settings: settings::with_files(loaded),
            optimizations: Optimization::applied_by(loaded),
        })
    }
}

/// NixOS's snapshots when the scenario has one: the guide's servers run NixOS.
fn backend_of(project_root: &Path, scenario: &str) -> Kind {
    let nixos = Path::new(SNAPSHOTS)
        .join(Kind::Nixos.name())
        .join(format!("{scenario}.snap"));
    match project_root.join(nixos).is_file() {
        true => Kind::Nixos,
        false => Kind::Debian,
    }
}

fn show(file: &Path) -> String {
    file.display().to_string()
}

/// A snapshot's facts: the YAML insta wrote after its header.
fn read_facts(project_root: &Path, file: &Path, scenario: &str) -> Result<Facts, ReferenceError> {
    let body = read_body(project_root, file, scenario)?;
    serde_yaml::from_str(&body).map_err(|err| ReferenceError::Unreadable {
        file: show(file),
        message: err.to_string(),
    })
}

/// A snapshot's text without insta's header (`---`, its fields, `---`).
fn read_body(project_root: &Path, file: &Path, scenario: &str) -> Result<String, ReferenceError> {
    let text =
        std::fs::read_to_string(project_root.join(file)).map_err(|_| ReferenceError::Missing {
            scenario: scenario.to_owned(),
            file: show(file),
        })?;
    Ok(body(&text).to_owned())
}

fn body(snapshot: &str) -> &str {
    snapshot
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(snapshot, |(_, body)| body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_not_the_body() {
        let snapshot = "---\nsource: tests/vmtest/main.rs\nassertion_line: 43\n---\na: 1\n";
        assert_eq!(body(snapshot), "a: 1\n");
        assert_eq!(body("a: 1\n"), "a: 1\n");
    }
}
