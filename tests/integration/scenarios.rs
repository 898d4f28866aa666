//! Scenarios from the real Nix files, evaluated with real Nix, merged and realized for the
//! Debian guest; the realized files of every scenario are snapshotted.

use std::path::Path;

use nixos_tuning::backend::debian::realize::{self, RealizeError, Realized, FSTAB, SYSCTL_CONF};
use nixos_tuning::nix::NixError;
use nixos_tuning::scenario::{self, ScenarioError};

use crate::support::{project_root, snapshot_settings};

/// The realized files one after the other, each under its guest path.
fn render(realized: &Realized) -> String {
    let mut text = format!(
        "scenario: {}\nrootflags: {}\n",
        realized.scenario,
        realized.root_options.join(",")
    );
    for (path, content) in &realized.files {
        text.push_str(&format!("\n=== {path}\n{content}"));
    }
    text
}

/// A copy of the project's Nix files, to change without touching the real ones.
fn temp_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in [scenario::OPTIMIZATIONS, "nix-tests/machine"] {
        let from = project_root().join(sub);
        let to = dir.path().join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(&from).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn write_module(project: &Path, name: &str, text: &str) {
    let file = project.join(scenario::OPTIMIZATIONS).join(name);
    std::fs::write(file, text).unwrap();
}

/// The scenario evaluated (which must succeed) and realized for the Debian guest.
fn realize(project: &Path, name: &str) -> Result<Realized, RealizeError> {
    realize::realize(&scenario::load_named(project, name).unwrap())
}

#[test]
fn every_scenario_realizes_as_nixos_would_write_it() {
    for scenario in scenario::list(project_root()).unwrap() {
        let realized = realize(project_root(), &scenario.name).unwrap();
        let mut settings = snapshot_settings("realized");
        settings.set_description(scenario.description.clone());
        settings.bind(|| insta::assert_snapshot!(scenario.name.clone(), render(&realized)));
    }
}

#[test]
fn the_scenarios_are_baseline_one_per_module_and_all() {
    let scenarios = scenario::list(project_root()).unwrap();
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "baseline",
            "binary-cache",
            "compression",
            "parallelism",
            "ssd",
            "zram",
            "all"
        ]
    );
    let parallelism = &scenarios[3];
    assert_eq!(
        parallelism.description,
        "nix.settings.cores = 0, nix.settings.max-jobs = \"auto\""
    );
    assert_eq!(scenarios[6].modules.len(), 5);
    assert!(scenarios[0].modules.is_empty());
}

#[test]
fn an_unknown_scenario_lists_the_valid_ones() {
    let err = scenario::find(project_root(), "compresion").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown scenario `compresion`; valid scenarios: baseline, binary-cache, compression, \
         parallelism, ssd, zram, all"
    );
}

#[test]
fn two_modules_with_different_values_name_both_files() {
    let project = temp_project();
    write_module(
        project.path(),
        "a-swappiness.nix",
        r#"{ boot.kernel.sysctl."vm.swappiness" = 60; }"#,
    );
    let err = scenario::load_named(project.path(), "all").unwrap_err();
    let ScenarioError::Conflict {
        option,
        first_file,
        second_file,
        ..
    } = &err
    else {
        panic!("not a conflict: {err}");
    };
    assert_eq!(option, "boot.kernel.sysctl.\"vm.swappiness\"");
    assert!(
        first_file.ends_with("optimizations/a-swappiness.nix"),
        "{err}"
    );
    assert!(second_file.ends_with("optimizations/ssd.nix"), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("60 in ") && message.contains("10 in "),
        "{message}"
    );
}

#[test]
fn an_option_outside_the_realized_list_is_refused_by_path_and_file() {
    let project = temp_project();
    write_module(
        project.path(),
        "openssh.nix",
        "{ services.openssh.settings.PasswordAuthentication = false; }",
    );
    let err = realize(project.path(), "openssh").unwrap_err();
    let RealizeError::Unsupported { option, file } = &err else {
        panic!("not unsupported: {err}");
    };
    assert_eq!(option, "services.openssh.settings.PasswordAuthentication");
    assert!(file.ends_with("optimizations/openssh.nix"), "{err}");
}

#[test]
fn a_module_nix_cannot_parse_gives_nixs_message_and_the_file() {
    let project = temp_project();
    write_module(project.path(), "broken.nix", "{ zramSwap.enable = true\n");
    let err = scenario::load_named(project.path(), "broken").unwrap_err();
    let ScenarioError::Nix(NixError::Eval { file, message }) = &err else {
        panic!("not a Nix error: {err}");
    };
    assert!(file.ends_with("optimizations/broken.nix"), "{err}");
    assert!(message.contains("syntax error"), "{message}");
    // Listing needs every module, so the broken one stops it with the same message.
    assert!(scenario::list(project.path()).is_err());
}

#[test]
fn a_file_dropped_in_the_folder_is_a_new_scenario() {
    let project = temp_project();
    write_module(
        project.path(),
        "cache-pressure.nix",
        r#"{ boot.kernel.sysctl."vm.vfs_cache_pressure" = 50; }"#,
    );
    let names = scenario::names(project.path()).unwrap();
    assert!(names.contains(&"cache-pressure".to_owned()), "{names:?}");
    let sysctl = |name: &str| realize(project.path(), name).unwrap().files[SYSCTL_CONF].clone();
    assert!(sysctl("cache-pressure").contains("vm.vfs_cache_pressure=50\n"));
    assert!(sysctl("all").contains("vm.swappiness=10\nvm.vfs_cache_pressure=50\n"));
}

#[test]
fn removing_compress_zstd_changes_the_compression_fstab() {
    let project = temp_project();
    let fstab = |name: &str| realize(project.path(), name).unwrap().files[FSTAB].clone();
    let before = fstab("compression");
    assert_eq!(before.matches("compress=zstd:1").count(), 3, "{before}");

    let file = project
        .path()
        .join(scenario::OPTIMIZATIONS)
        .join("compression.nix");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace(r#"[ "compress=zstd:1" ]"#, "[ ]")).unwrap();

    let after = fstab("compression");
    assert_ne!(before, after);
    assert!(!after.contains("compress"), "{after}");
    assert_eq!(after, fstab("baseline"));
}
