//! Scenarios: the guide's machine (`nix-tests/machine/disko.nix`) alone (`baseline`), with one
//! optimization module of `nix-tests/optimizations/` (named by its file), or with all of them
//! (`all`). Discovering them, evaluating them with real Nix and merging them as NixOS does;
//! `realize` turns the result into the files the Debian guest needs.

pub mod error;
pub mod merge;
pub mod nixos;
pub mod realize;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

pub use error::ScenarioError;
pub use merge::Layer;
pub use realize::{realize, Realized};

/// The machine every scenario starts from, relative to the project root.
pub const MACHINE: &str = "nix-tests/machine/disko.nix";
/// One NixOS module per optimization, relative to the project root.
pub const OPTIMIZATIONS: &str = "nix-tests/optimizations";
pub const BASELINE: &str = "baseline";
pub const ALL: &str = "all";

/// A scenario: a name, the optimization modules applied on the machine, in order, and what
/// they change, in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub modules: Vec<PathBuf>,
    pub description: String,
}

/// A scenario evaluated: the machine and its modules (`layers`, machine first) and their merge.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub scenario: Scenario,
    pub layers: Vec<Layer>,
    pub merged: Value,
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
    let merged = merge::merge(&layers)?;
    Ok(Loaded {
        scenario: scenario.clone(),
        layers,
        merged,
    })
}

/// Finds, loads and realizes the scenario called `name`: what the VM runner needs.
pub fn realize_named(project_root: &Path, name: &str) -> Result<Realized, ScenarioError> {
    let scenario = find(project_root, name)?;
    realize(&load(project_root, &scenario)?)
}
