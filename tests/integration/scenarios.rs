//! Scenarios from the real Nix files, evaluated with real Nix, merged and realized for the
//! Debian guest; the realized files of every scenario are snapshotted.

use std::path::Path;

use nixos_tuning::backend::debian::realize::{self, RealizeError, Realized, FSTAB, SYSCTL_CONF};
use nixos_tuning::nix::NixError;
use nixos_tuning::scenario::{self, ScenarioError};

use crate::support::{project_root, snapshot_settings};

/// A copy of the project's Nix files, to change without touching the real ones.
pub fn temp_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(project_root().join("nix-tests")) {
        let path = entry.unwrap().into_path();
        let to = dir.path().join(path.strip_prefix(project_root()).unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(&path, &to).unwrap();
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
    for loaded in scenario::list(project_root()).unwrap() {
        let realized = realize::realize(&loaded).unwrap();
        let mut settings = snapshot_settings("realized");
        settings.set_description(loaded.describe());
        let name = loaded.scenario.name.clone();
        settings.bind(|| insta::assert_snapshot!(name, realized.render()));
    }
}

#[test]
fn the_scenarios_are_baseline_one_per_module_and_all() {
    let scenarios = scenario::list(project_root()).unwrap();
    let names: Vec<&str> = scenarios.iter().map(|s| s.scenario.name.as_str()).collect();
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
        parallelism.describe(),
        "nix.settings.cores = 0, nix.settings.max-jobs = \"auto\""
    );
    assert_eq!(scenarios[6].scenario.modules.len(), 5);
    assert!(scenarios[0].scenario.modules.is_empty());
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
fn two_modules_with_different_values_name_both_files_as_nixos_does() {
    let project = temp_project();
    write_module(
        project.path(),
        "a-swappiness.nix",
        r#"{ boot.kernel.sysctl."vm.swappiness" = 60; }"#,
    );
    let err = scenario::load_named(project.path(), "all").unwrap_err();
    let ScenarioError::Nix(NixError::Eval { message, .. }) = &err else {
        panic!("not Nix's error: {err}");
    };
    assert!(message.contains("vm.swappiness"), "{message}");
    assert!(
        message.contains("optimizations/a-swappiness.nix"),
        "{message}"
    );
    assert!(message.contains("optimizations/ssd.nix"), "{message}");
}

#[test]
fn an_option_the_guest_does_not_realize_is_listed_with_its_file() {
    let project = temp_project();
    write_module(
        project.path(),
        "nginx.nix",
        "{ lib, ... }: { services.nginx.enable = lib.mkDefault true; }",
    );
    let realized = realize(project.path(), "nginx").unwrap();
    let listed = realized
        .not_realized
        .iter()
        .find(|n| n.option == "services.nginx.enable")
        .expect("services.nginx.enable is listed");
    assert_eq!(listed.file, "nix-tests/optimizations/nginx.nix");
    let shown = "services.nginx.enable (nix-tests/optimizations/nginx.nix)";
    assert!(realized.render().contains(shown));
}

#[test]
fn a_module_nix_cannot_parse_gives_nixs_message_and_the_file() {
    let project = temp_project();
    write_module(project.path(), "broken.nix", "{ zramSwap.enable = true\n");
    let err = scenario::load_named(project.path(), "broken").unwrap_err();
    let ScenarioError::Nix(NixError::Eval { file, message }) = &err else {
        panic!("not a Nix error: {err}");
    };
    assert!(file.contains("scenario `broken`"), "{err}");
    assert!(message.contains("syntax error"), "{message}");
    assert!(
        message.contains("optimizations/broken.nix:1:25"),
        "{message}"
    );
    assert!(
        !message.contains("nixbld"),
        "Nix's noise is filtered: {message}"
    );
    // Listing evaluates every scenario, so the broken one stops it with the same message.
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

/// The module fixtures that are a machine's disk (`disko-*.nix`): realized in place of the
/// machine's `disko.nix`.
fn is_disko(file: &Path) -> bool {
    file.file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with("disko-"))
}

#[test]
fn every_module_fixture_realizes_to_its_snapshot() {
    let dir = project_root().join("tests/fixtures/modules");
    let mut files: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "nix") && !is_disko(p))
        .filter(|p| !p.starts_with(dir.join("invalid")))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "only {} module fixtures", files.len());
    for file in files {
        let relative = file.strip_prefix(&dir).unwrap().with_extension("");
        let name = relative.to_string_lossy().replace('/', "-");
        let scenario = scenario::Scenario {
            name: name.clone(),
            modules: vec![file.clone()],
        };
        // On the machine, as a user's module runs: what the guest gets, or why it cannot run
        // (a fixture made to be evaluated alone may conflict with the machine, as in NixOS).
        let text = match scenario::load(project_root(), &scenario) {
            Ok(loaded) => match realize::realize(&loaded) {
                Ok(realized) => realized.render(),
                Err(err) => format!("not realized: {err}\n"),
            },
            Err(err) => format!("not evaluated: {err}\n"),
        };
        let text = text.replace(&format!("{}/", project_root().display()), "");
        let mut settings = snapshot_settings("realized-modules");
        settings.set_description(format!(
            "tests/fixtures/modules/{}.nix on the machine",
            relative.display()
        ));
        settings.bind(|| insta::assert_snapshot!(name, text));
    }
}

/// The machine with its `disko.nix` replaced by a fixture's.
fn realize_disk(fixture: &str) -> Result<Realized, RealizeError> {
    let project = temp_project();
    let from = project_root().join("tests/fixtures/modules").join(fixture);
    std::fs::copy(from, project.path().join("nix-tests/machine/disko.nix")).unwrap();
    realize(project.path(), scenario::BASELINE)
}

#[test]
fn a_vps_disk_of_its_own_is_installed_on_the_vms_disk() {
    for fixture in ["disko-vps-sda.nix", "disko-nvme.nix", "disko-ext4.nix"] {
        let realized = realize_disk(fixture).unwrap_or_else(|err| panic!("{fixture}: {err}"));
        assert_eq!(realized.disk.device, realize::VM_DISK, "{fixture}");
        let name = fixture.trim_end_matches(".nix");
        let _guard = snapshot_settings("realized-modules").bind_to_scope();
        insta::assert_snapshot!(name, realized.render());
    }
}

#[test]
fn a_luks_disk_is_refused_naming_its_path_and_why() {
    let err = realize_disk("disko-luks.nix").unwrap_err();
    let RealizeError::Layout(layout) = &err else {
        panic!("not a layout refusal: {err}");
    };
    assert!(layout.path.ends_with(".content.type"), "{err}");
    assert!(layout.message.contains("`luks`"), "{err}");
    assert!(layout.message.contains("--backend nixos"), "{err}");
}

#[test]
fn a_new_module_setting_a_known_option_gets_its_claims_and_workloads() {
    use nixos_tuning::claims;
    use nixos_tuning::optimization::Optimization;
    use nixos_tuning::workload::Workload;

    let project = temp_project();
    write_module(
        project.path(),
        "my-tuning.nix",
        r#"{ lib, ... }: {
             zramSwap.enable = lib.mkDefault true;
             boot.kernel.sysctl."vm.swappiness" = 20;
           }"#,
    );
    let loaded = scenario::load_named(project.path(), "my-tuning").unwrap();
    let optimizations = Optimization::applied_by(&loaded);
    assert_eq!(
        optimizations,
        [Optimization::Zram, Optimization::Swappiness]
    );
    let judged: Vec<&str> = claims::of_scenario("my-tuning", &optimizations)
        .map(|c| c.id)
        .collect();
    assert!(judged.contains(&"zram.constrained"), "{judged:?}");
    assert!(judged.contains(&"ssd.swappiness"), "{judged:?}");
    assert_eq!(
        Workload::for_scenario(&loaded.scenario, &optimizations),
        [Workload::Pressure, Workload::Swappiness]
    );
    // A setting no claim rests on (a sysctl the guide does not name) brings none.
    write_module(
        project.path(),
        "cache-pressure.nix",
        r#"{ boot.kernel.sysctl."vm.vfs_cache_pressure" = 50; }"#,
    );
    let other = scenario::load_named(project.path(), "cache-pressure").unwrap();
    assert!(Optimization::applied_by(&other).is_empty());
}
