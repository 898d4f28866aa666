//! The repository's rules, checked on its sources: each idea in one place, data from the
//! modules rather than from names, and what the project runs known to its set-up.

use std::path::{Path, PathBuf};

use nixos_tuning::host;
use nixos_tuning::probe::Probe;
use nixos_tuning::scenario;

use crate::support::project_root;

/// Every Rust file of the library and the command line, with its text.
fn sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for dir in ["src", "xtask/src"] {
        for entry in walkdir::WalkDir::new(project_root().join(dir)) {
            let path = entry.unwrap().into_path();
            if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                files.push((path, text));
            }
        }
    }
    assert!(files.len() > 50, "the sources were not found");
    files
}

/// The code outside `#[cfg(test)]` modules (which come last in every file); none for a
/// file that is test code whole (`#![cfg(test)]`).
fn code(text: &str) -> &str {
    if text.contains("#![cfg(test)]") {
        return "";
    }
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

fn relative(path: &Path) -> String {
    path.strip_prefix(project_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The string literals of a line that is not a comment.
fn literals(line: &str) -> Vec<String> {
    let line = line.trim_start();
    if line.starts_with("//") {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => literal.extend(chars.next()),
                '"' => break,
                c => literal.push(c),
            }
        }
        found.push(literal);
    }
    found
}

#[test]
fn no_function_takes_so_many_arguments_that_clippy_had_to_be_silenced() {
    let offenders: Vec<String> = sources()
        .iter()
        .filter(|(_, text)| text.contains("too_many_arguments"))
        .map(|(path, _)| relative(path))
        .collect();
    assert!(
        offenders.is_empty(),
        "group the arguments in a struct instead: {offenders:?}"
    );
}

/// A line may name a word that is also a scenario's name for another reason (the `ssd`
/// mount option); it says so with this marker.
const NOT_A_SCENARIO: &str = "tidy: not a scenario";

#[test]
fn no_code_names_a_scenario_so_a_new_module_needs_no_rust_change() {
    let names = scenario::names(project_root()).unwrap();
    let mut offenders = Vec::new();
    for (path, text) in sources() {
        for (number, line) in code(&text).lines().enumerate() {
            let defines =
                line.contains("pub const BASELINE: &str") || line.contains("pub const ALL: &str");
            if defines || line.contains(NOT_A_SCENARIO) {
                continue;
            }
            for literal in literals(line) {
                if names.contains(&literal) {
                    offenders.push(format!("{}:{}: \"{literal}\"", relative(&path), number + 1));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "scenario names outside tests (read what a scenario does from its modules, or use \
         scenario::BASELINE / scenario::ALL):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_runs_directory_is_named_in_one_place() {
    let places: Vec<String> = sources()
        .iter()
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains("target/vmtest"))
                .map(move |(number, _)| format!("{}:{}", relative(path), number + 1))
        })
        .collect();
    assert_eq!(places.len(), 1, "use runs::Runs: {places:?}");
    assert!(places[0].starts_with("src/runs/mod.rs"), "{places:?}");
}

#[test]
fn host_programs_are_started_through_host_tools() {
    let mut offenders = Vec::new();
    for (path, text) in sources() {
        if path.ends_with("src/host.rs") {
            continue;
        }
        for (number, line) in code(&text).lines().enumerate() {
            if line.contains("Command::new(\"") {
                offenders.push(format!("{}:{}", relative(&path), number + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "start host programs with host::<TOOL>.command(), so a missing one names its \
         package and the set-up: {offenders:?}"
    );
}

#[test]
fn every_host_program_is_installed_and_checked_by_the_set_up() {
    let setup = std::fs::read_to_string(project_root().join(host::SETUP)).unwrap();
    for tool in host::ALL {
        let entry = format!("{}:{}", tool.program, tool.package);
        assert!(
            setup.contains(&entry),
            "{} does not check `{entry}`",
            host::SETUP
        );
    }
}

#[test]
fn every_module_opens_with_a_doc_of_its_job() {
    let undocumented: Vec<String> = sources()
        .iter()
        .filter(|(_, text)| !text.trim_start().starts_with("//!"))
        .map(|(path, _)| relative(path))
        .collect();
    assert!(
        undocumented.is_empty(),
        "start each with `//!`: {undocumented:?}"
    );
}

#[test]
fn the_readme_lists_every_probe() {
    let readme = std::fs::read_to_string(project_root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|line| line.contains("cargo xtask parse <probe>"))
        .expect("the README documents `cargo xtask parse <probe>`");
    let listed: Vec<&str> = line
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|word| !word.contains(' '))
        .collect();
    let probes: Vec<&str> = Probe::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(listed, probes, "the probes line of README.md");
}

#[test]
fn the_capture_commands_of_the_advice_doc_are_the_ones_advise_reads() {
    let doc = std::fs::read_to_string(project_root().join("docs/advise.md")).unwrap();
    for capture in nixos_tuning::advise::CAPTURES {
        let line = format!("{} > {}.txt", capture.command(), capture.name());
        assert!(doc.contains(&line), "docs/advise.md does not show `{line}`");
    }
}
