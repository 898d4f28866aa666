//! Scenarios: the guide's machine (`nix-tests/machine/disko.nix`) alone (`baseline`), with one
//! optimization module of `nix-tests/optimizations/` (named by its file), or with all of them
//! (`all`). Discovering them and evaluating them with real Nix into one configuration, as
//! NixOS merges its modules, with every definition and the file it came from. What a backend
//! makes of that configuration is the backend's business (`backend::debian::realize`).

pub mod error;
pub mod merge;
pub mod settings;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

pub use error::ScenarioError;
pub use merge::Layer;
pub use settings::{Lookup, Setting};

/// The machine every scenario starts from, relative to the project root.
pub const MACHINE: &str = "nix-tests/machine/disko.nix";
/// One NixOS module per optimization, relative to the project root.
pub const OPTIMIZATIONS: &str = "nix-tests/optimizations";
/// The machine alone: every other scenario is compared with it.
pub const BASELINE: &str = "baseline";
/// Every optimization module at once.
pub const ALL: &str = "all";

/// A scenario: a name, the optimization modules applied on the machine, in order, and what
/// they change, in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub modules: Vec<PathBuf>,
    pub description: String,
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
    /// Made by the machine, not by one of the scenario's optimization modules.
    pub by_machine: bool,
}

/// A scenario evaluated: the merged configuration and every definition that went into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub scenario: Scenario,
    pub config: Value,
    /// In module order, the machine's first.
    pub definitions: Vec<Definition>,
}

impl Loaded {
    /// The value at an option path of the merged configuration.
    pub fn get(&self, path: &[String]) -> Option<&Value> {
        merge::lookup(&self.config, path)
    }

    /// The first file that defines `path` or something below it: where a value came from.
    pub fn defined_in(&self, path: &[String]) -> String {
        self.definitions
            .iter()
            .find(|d| d.path.starts_with(path) || path.starts_with(&d.path))
            .map_or_else(
                || "the scenario".to_owned(),
                |d| d.file.display().to_string(),
            )
    }

    /// Merges evaluated modules, the machine's first, as NixOS merges them.
    pub fn from_layers(scenario: Scenario, layers: &[Layer]) -> Result<Loaded, ScenarioError> {
        let config = merge::merge(layers)?;
        let definitions = layers
            .iter()
            .enumerate()
            .flat_map(|(index, layer)| {
                merge::leaves(&layer.value)
                    .into_iter()
                    .map(move |(path, value)| Definition {
                        path,
                        value: value.clone(),
                        file: layer.file.clone(),
                        by_machine: index == 0,
                    })
            })
            .collect();
        Ok(Loaded {
            scenario,
            config,
            definitions,
        })
    }

    /// What the scenario's own modules set, as the facts show it (see [`settings`]).
    pub fn settings(&self) -> Vec<Setting> {
        settings::of(self)
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
    let modules = module_files(project_root)?;
    let mut names = vec![BASELINE.to_owned()];
    names.extend(
        modules
            .iter()
            .filter_map(|file| stem(file))
            .map(str::to_owned),
    );
    names.push(ALL.to_owned());
    Ok(names)
}

/// Every scenario with what it changes; evaluates each module once.
pub fn list(project_root: &Path) -> Result<Vec<Scenario>, ScenarioError> {
    let modules = module_files(project_root)?;
    let mut scenarios = vec![baseline()];
    for file in &modules {
        scenarios.push(single(file)?);
    }
    scenarios.push(all(modules));
    Ok(scenarios)
}

/// The scenario called `name`; an unknown name lists the valid ones.
pub fn find(project_root: &Path, name: &str) -> Result<Scenario, ScenarioError> {
    let modules = module_files(project_root)?;
    match name {
        BASELINE => return Ok(baseline()),
        ALL => return Ok(all(modules)),
        _ => {}
    }
    match modules.iter().find(|file| stem(file) == Some(name)) {
        Some(file) => single(file),
        None => Err(ScenarioError::UnknownScenario {
            name: name.to_owned(),
            valid: names(project_root)?,
        }),
    }
}

fn baseline() -> Scenario {
    Scenario {
        name: BASELINE.into(),
        modules: Vec::new(),
        description: format!("the guide's machine as it is ({MACHINE}), no optimization"),
    }
}

fn all(modules: Vec<PathBuf>) -> Scenario {
    let names: Vec<&str> = modules.iter().filter_map(|file| stem(file)).collect();
    Scenario {
        name: ALL.into(),
        description: format!("every optimization: {}", names.join(", ")),
        modules,
    }
}

fn single(file: &Path) -> Result<Scenario, ScenarioError> {
    let value = crate::nix::eval_json(file)?;
    Ok(Scenario {
        name: stem(file).unwrap_or_default().to_owned(),
        description: describe(&value),
        modules: vec![file.to_owned()],
    })
}

/// `option = value` for each option a module sets, in attribute order.
fn describe(module: &Value) -> String {
    let options: Vec<String> = merge::leaves(module)
        .into_iter()
        .map(|(path, value)| {
            format!(
                "{} = {}",
                merge::show_option(&path),
                merge::nix_value(value)
            )
        })
        .collect();
    if options.is_empty() {
        "nothing".into()
    } else {
        options.join(", ")
    }
}

/// Evaluates the machine and the scenario's modules with Nix and merges them in that order.
pub fn load(project_root: &Path, scenario: &Scenario) -> Result<Loaded, ScenarioError> {
    let files = std::iter::once(project_root.join(MACHINE)).chain(scenario.modules.clone());
    let mut layers = Vec::new();
    for file in files {
        let value = crate::nix::eval_json(&file)?;
        if !value.is_object() {
            return Err(ScenarioError::Invalid {
                option: "(the module itself)".into(),
                file: file.display().to_string(),
                message: format!(
                    "must be a plain attribute set, like the guide's snippets, not {}",
                    merge::nix_value(&value)
                ),
            });
        }
        layers.push(Layer { file, value });
    }
    Loaded::from_layers(scenario.clone(), &layers)
}

/// Finds and loads the scenario called `name`.
pub fn load_named(project_root: &Path, name: &str) -> Result<Loaded, ScenarioError> {
    load(project_root, &find(project_root, name)?)
}
