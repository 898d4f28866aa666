//! Every option the project's Nix files set is declared by the sources the flake pins,
//! checked against the vendored index (`nix-tests/options/index.txt`, made from those sources
//! by `cargo xtask options`): a typo, or an option the pinned release does not have, fails
//! here with the path and the file. The modules are read with real Nix: the data files as they
//! are, the NixOS modules through `nix-tests/options/collect.nix` with stub arguments.

use std::path::Path;
use std::process::Command;

use nixos_tuning::options::check::{unknown_options, Unknown};
use nixos_tuning::options::index::{self, Index};
use nixos_tuning::scenario;

use crate::support::project_root;

/// The NixOS modules of the project that take arguments.
const FUNCTION_MODULES: [&str; 2] = [
    "nix-tests/machine/configuration.nix",
    "nix-tests/nixos/vm.nix",
];

fn index() -> Index {
    let text = std::fs::read_to_string(project_root().join(index::PATH)).unwrap();
    Index::parse(&text).unwrap()
}

/// What `file` (a module taking arguments) sets, as data.
fn collect(file: &Path) -> serde_json::Value {
    let output = Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json"])
        .arg(project_root().join("nix-tests/options/collect.nix"))
        .arg("--arg")
        .arg("file")
        .arg(file)
        .env(
            "NIX_STATE_DIR",
            std::env::temp_dir().join("nixos-tuning-nix-state"),
        )
        .output()
        .expect("nix-instantiate runs (tools/setup-debian.sh installs it)");
    assert!(
        output.status.success(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Each module of the project with what the index does not declare in it.
fn unknown_per_file(index: &Index) -> Vec<(String, Unknown)> {
    let mut found = Vec::new();
    for file in FUNCTION_MODULES {
        for unknown in unknown_options(index, &collect(&project_root().join(file))) {
            found.push((file.to_owned(), unknown));
        }
    }
    // The data modules merged as the `all` scenario: disko's options need the whole layout
    // (each device's `type`) that the optimizations add to.
    let all = scenario::find(project_root(), scenario::ALL).unwrap();
    let loaded = scenario::load(project_root(), &all).unwrap();
    for unknown in unknown_options(index, &loaded.merged) {
        let files: Vec<String> = loaded
            .layers
            .iter()
            .filter(|layer| sets(&layer.value, &unknown.full))
            .map(|layer| display(&layer.file))
            .collect();
        found.push((files.join(", "), unknown));
    }
    found
}

fn display(file: &Path) -> String {
    file.strip_prefix(project_root())
        .unwrap_or(file)
        .display()
        .to_string()
}

fn sets(value: &serde_json::Value, path: &[String]) -> bool {
    path.iter()
        .try_fold(value, |node, key| node.get(key))
        .is_some()
}

/// Whether the index can judge `unknown`: NixOS's own options need the nixpkgs part.
fn judged(index: &Index, unknown: &Unknown) -> bool {
    unknown.scope != "nixos"
        || index.has_source("nixpkgs")
        || matches!(
            unknown.full.first().map(String::as_str),
            Some("disko" | "home-manager")
        )
}

fn report(found: &[(String, Unknown)]) -> String {
    found
        .iter()
        .map(|(file, unknown)| format!("{file}: {unknown}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_disko_and_home_manager_option_set_is_declared() {
    let index = index();
    let found: Vec<_> = unknown_per_file(&index)
        .into_iter()
        .filter(|(_, unknown)| judged(&index, unknown))
        .collect();
    assert!(
        found.is_empty(),
        "options the pinned sources do not declare:\n{}",
        report(&found)
    );
}

#[test]
#[ignore = "the index has no nixpkgs part yet: no nixpkgs 25.05 checkout was reachable where it \
            was made; run `cargo xtask options --nixpkgs NIXPKGS_GIT_DIR ...` (README) and drop this"]
fn every_option_set_is_declared_by_nixos_25_05() {
    let index = index();
    assert!(index.has_source("nixpkgs"), "the index has no nixpkgs part");
    let found = unknown_per_file(&index);
    assert!(
        found.is_empty(),
        "options NixOS 25.05 does not declare:\n{}",
        report(&found)
    );
}

#[test]
fn a_misspelt_or_missing_option_is_named_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("typo.nix");
    std::fs::write(
        &module,
        r#"{ lib, ... }: {
          home-manager.useGlobalPkg = true;
          home-manager.users.admin.programs.bash.enabel = true;
          disko.devices.disk.main = {
            type = "disk";
            content = {
              type = "btrfs";
              subvolumes."/nix".mountOption = [ "noatime" ];
              compression = "zstd";
            };
          };
          virtualisation.vmVariantWithDisko.home-manager.useUserPackages = lib.mkForce true;
        }"#,
    )
    .unwrap();
    let found: Vec<String> = unknown_options(&index(), &collect(&module))
        .iter()
        .map(|unknown| index::show_path(&unknown.full))
        .collect();
    assert_eq!(
        found,
        [
            "disko.devices.disk.main.content.compression",
            "disko.devices.disk.main.content.subvolumes.\"/nix\".mountOption",
            "home-manager.useGlobalPkg",
            "home-manager.users.admin.programs.bash.enabel",
        ]
    );
}

#[test]
fn the_index_was_made_from_the_revisions_the_flake_pins() {
    let index = index();
    let inputs = crate::flake::inputs();
    for source in &index.sources {
        let url = inputs[source.name.as_str()]["url"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(
            source.reference.replace("github:", ""),
            url.replace("github:", ""),
            "the index's {} is not the flake's: run `cargo xtask options` again",
            source.name
        );
        assert_eq!(source.rev.len(), 40, "{source:?}");
    }
    assert!(index.has_source("disko") && index.has_source("home-manager"));
}

#[test]
fn the_index_declares_what_the_machine_relies_on() {
    // A scanner that silently found nothing would make every check above vacuous.
    let index = index();
    for (scope, option) in [
        ("nixos", "virtualisation.vmVariantWithDisko"),
        ("nixos", "home-manager.useUserPackages"),
        ("home-manager", "home.stateVersion"),
        ("disko-toplevel", "disk"),
        ("disko-type:btrfs", "subvolumes.<name>.mountOptions"),
        ("disko-type:gpt", "partitions.<name>.size"),
    ] {
        let segs: Vec<String> = option.split('.').map(str::to_owned).collect();
        assert!(
            index.lookup(scope, &segs).declared.is_some(),
            "{scope}: {option} is missing from the index"
        );
    }
}
