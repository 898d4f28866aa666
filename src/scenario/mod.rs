//! Scenarios: the guide's machine (`nix-tests/machine/configuration.nix`, which imports its
//! `disko.nix`) alone (`baseline`), with one optimization module of `nix-tests/optimizations/`
//! (named by its file), or with all of them (`all`). Discovering them and evaluating them,
//! in one Nix call per scenario, with the project's NixOS module evaluator
//! (`nix-tests/lib/eval.nix`): the merged configuration with NixOS 25.05's defaults, every
//! definition with its file, NixOS's warnings and the nixpkgs imports that were skipped.
//! What a backend makes of that is the backend's business (`backend::debian::realize`).

pub mod error;
pub mod settings;
pub mod show;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use error::ScenarioError;
pub use settings::{Lookup, Setting};

/// The machine every scenario starts from, relative to the project root.
pub const MACHINE: &str = "nix-tests/machine/configuration.nix";
/// One NixOS module per optimization, relative to the project root.
pub const OPTIMIZATIONS: &str = "nix-tests/optimizations";
/// The project's NixOS module evaluator, relative to the project root.
pub const EVALUATOR: &str = "nix-tests/lib/eval.nix";
/// What modules write for nixpkgs' own files (`modulesPath + "/profiles/qemu-guest.nix"`):
/// those imports are listed as skipped, since there is no nixpkgs to evaluate them.
pub const MODULES_PATH: &str = "<nixpkgs>/nixos/modules";
/// The machine alone: every other scenario is compared with it.
pub const BASELINE: &str = "baseline";
/// Every optimization module at once.
pub const ALL: &str = "all";

/// A scenario: a name and the optimization modules applied on the machine, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub modules: Vec<PathBuf>,
}

impl Scenario {
    /// The reference every other scenario is compared with.
    pub fn is_baseline(&self) -> bool {
        self.name == BASELINE
    }

    /// The sum of every module: it shows their effects together, and judges no claim of its
    /// own (each claim is judged on a scenario of its own optimization).
    pub fn is_all(&self) -> bool {
        self.name == ALL
    }
}

/// One definition a module makes: an option path, its value and the file that sets it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Definition {
    pub path: Vec<String>,
    pub value: Value,
    pub file: PathBuf,
    /// Its `mkOverride` priority (100 for a plain definition).
    pub priority: u32,
    /// Made by the machine (or a file it imports), not by one of the scenario's modules.
    pub by_machine: bool,
}

/// An import of nixpkgs' own files, which cannot be evaluated here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub import: String,
    pub file: String,
    pub reason: String,
}

/// A scenario evaluated: the merged configuration and every definition that went into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub scenario: Scenario,
    pub config: Value,
    /// In module order, the machine's first.
    pub definitions: Vec<Definition>,
    /// What NixOS would warn about (a renamed option still used).
    pub warnings: Vec<String>,
    pub skipped: Vec<Skipped>,
}

impl Loaded {
    /// The value at an option path of the merged configuration.
    pub fn get(&self, path: &[String]) -> Option<&Value> {
        show::lookup(&self.config, path)
    }

    /// The value at a path written with dots (`zramSwap.enable`; no dots inside a name).
    pub fn at(&self, dotted: &str) -> Option<&Value> {
        let path: Vec<String> = dotted.split('.').map(str::to_owned).collect();
        self.get(&path)
    }

    /// The first file that defines `path` or something below or above it: where a value
    /// came from. NixOS's own modules define what no file does.
    pub fn defined_in(&self, path: &[String]) -> String {
        self.definitions
            .iter()
            .find(|d| d.path.starts_with(path) || path.starts_with(&d.path))
            .map_or_else(
                || "NixOS's defaults".to_owned(),
                |d| d.file.display().to_string(),
            )
    }

    /// What the scenario's own modules set, as the facts show it (see [`settings`]).
    pub fn settings(&self) -> Vec<Setting> {
        settings::of(self)
    }

    /// `option = value` for each definition of the scenario's own modules, in one line.
    pub fn describe(&self) -> String {
        if self.scenario.is_baseline() {
            return format!("the guide's machine as it is ({MACHINE}), no optimization");
        }
        if self.scenario.is_all() {
            let names: Vec<&str> = self
                .scenario
                .modules
                .iter()
                .filter_map(|f| stem(f))
                .collect();
            return format!("every optimization: {}", names.join(", "));
        }
        let options: Vec<String> = self
            .definitions
            .iter()
            .filter(|d| !d.by_machine)
            .map(|d| {
                format!(
                    "{} = {}",
                    show::show_option(&d.path),
                    show::nix_value(&d.value)
                )
            })
            .collect();
        match options.is_empty() {
            true => "nothing".into(),
            false => options.join(", "),
        }
    }
}

/// The optimization modules, in file-name order.
pub fn module_files(project_root: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
    let dir = project_root.join(OPTIMIZATIONS);
    let discovery = |err: std::io::Error| ScenarioError::Discovery {
        dir: dir.display().to_string(),
        message: err.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(discovery)? {
        let path = entry.map_err(discovery)?.path();
        // Editors' hidden temporaries are not modules.
        let visible = stem(&path).is_some_and(|stem| !stem.starts_with('.'));
        if path.extension().is_some_and(|ext| ext == "nix") && path.is_file() && visible {
            files.push(path);
        }
    }
    files.sort();
    for file in &files {
        if let Some(name) = stem(file).filter(|name| [BASELINE, ALL].contains(name)) {
            return Err(ScenarioError::ReservedName {
                name: name.to_owned(),
                file: file.display().to_string(),
            });
        }
    }
    Ok(files)
}

fn stem(file: &Path) -> Option<&str> {
    file.file_stem().and_then(|stem| stem.to_str())
}

/// Every scenario name: `baseline`, one per module, `all`.
pub fn names(project_root: &Path) -> Result<Vec<String>, ScenarioError> {
    Ok(every(project_root)?.into_iter().map(|s| s.name).collect())
}

/// Every scenario, without evaluating anything.
pub fn every(project_root: &Path) -> Result<Vec<Scenario>, ScenarioError> {
    let modules = module_files(project_root)?;
    let mut scenarios = vec![Scenario {
        name: BASELINE.into(),
        modules: Vec::new(),
    }];
    scenarios.extend(modules.iter().map(|file| Scenario {
        name: stem(file).unwrap_or_default().to_owned(),
        modules: vec![file.clone()],
    }));
    scenarios.push(Scenario {
        name: ALL.into(),
        modules,
    });
    Ok(scenarios)
}

/// Every scenario evaluated: one Nix call each.
pub fn list(project_root: &Path) -> Result<Vec<Loaded>, ScenarioError> {
    every(project_root)?
        .into_iter()
        .map(|scenario| load(project_root, &scenario))
        .collect()
}

/// The scenario called `name`; an unknown name lists the valid ones.
pub fn find(project_root: &Path, name: &str) -> Result<Scenario, ScenarioError> {
    let scenarios = every(project_root)?;
    let valid: Vec<String> = scenarios.iter().map(|s| s.name.clone()).collect();
    scenarios
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ScenarioError::UnknownScenario {
            name: name.to_owned(),
            valid,
        })
}

/// What `eval.nix` prints.
#[derive(Deserialize)]
struct Evaluation {
    config: Value,
    definitions: Vec<RawDefinition>,
    warnings: Vec<String>,
    skipped: Vec<Skipped>,
}

#[derive(Deserialize)]
struct RawDefinition {
    path: Vec<String>,
    value: Value,
    file: PathBuf,
    priority: u32,
    /// The index of the given module that brought it in: 0 is the machine.
    module: i64,
}

/// Evaluates the machine and the scenario's modules, in that order, in one Nix call.
pub fn load(project_root: &Path, scenario: &Scenario) -> Result<Loaded, ScenarioError> {
    let modules = std::iter::once(project_root.join(MACHINE)).chain(scenario.modules.clone());
    let list = format!(
        "[ {} ]",
        modules
            .map(|file| nix_path(&file))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let evaluator = project_root.join(EVALUATOR);
    let args: Vec<&OsStr> = vec![
        evaluator.as_os_str(),
        "--arg".as_ref(),
        "modules".as_ref(),
        list.as_ref(),
        "--argstr".as_ref(),
        "modulesPath".as_ref(),
        MODULES_PATH.as_ref(),
    ];
    let what = format!("the modules of scenario `{}`", scenario.name);
    let value = crate::nix::eval_json_with(&what, &args)?;
    let evaluation: Evaluation =
        serde_json::from_value(value).map_err(|err| ScenarioError::Evaluator {
            message: err.to_string(),
        })?;
    // Files are shown relative to the project, as a reader of a snapshot or a message
    // knows them, whatever the checkout's path.
    let relative = |file: &Path| file.strip_prefix(project_root).unwrap_or(file).to_owned();
    let shown = |text: String| text.replace(&format!("{}/", project_root.display()), "");
    Ok(Loaded {
        scenario: scenario.clone(),
        config: evaluation.config,
        definitions: evaluation
            .definitions
            .into_iter()
            .map(|d| Definition {
                path: d.path,
                value: d.value,
                file: relative(&d.file),
                priority: d.priority,
                by_machine: d.module == 0,
            })
            .collect(),
        warnings: evaluation.warnings.into_iter().map(shown).collect(),
        skipped: evaluation
            .skipped
            .into_iter()
            .map(|s| Skipped {
                file: shown(s.file),
                ..s
            })
            .collect(),
    })
}

/// A file as a Nix path literal in a list: absolute, with what Nix cannot read in a bare
/// path quoted (`/a b/c.nix` is `(/. + "/a b/c.nix")`).
fn nix_path(file: &Path) -> String {
    let text = file.display().to_string();
    let bare = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c));
    if bare && text.starts_with('/') {
        text
    } else {
        format!("(/. + {})", serde_json::Value::from(text))
    }
}

/// Finds and loads the scenario called `name`.
pub fn load_named(project_root: &Path, name: &str) -> Result<Loaded, ScenarioError> {
    load(project_root, &find(project_root, name)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nix_cannot_read_bare_are_quoted() {
        assert_eq!(nix_path(Path::new("/p/zram.nix")), "/p/zram.nix");
        assert_eq!(
            nix_path(Path::new("/my project/zram.nix")),
            "(/. + \"/my project/zram.nix\")"
        );
    }
}
