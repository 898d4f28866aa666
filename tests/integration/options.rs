//! Every option the project's Nix files set is declared by the sources the flake pins,
//! checked against the vendored index (`nix-tests/options/index.txt`, made from those sources
//! by `cargo xtask options`): a typo, or an option the pinned release does not have, fails
//! here with the path and the file. The modules are read with real Nix: the data files as they
//! are, the NixOS modules through `nix-tests/options/collect.nix` with stub arguments.
//!
//! nixpkgs may be in the index in part (its `module` lines): a NixOS option whose declaring
//! module (`src/options/coverage.rs`) is not listed is *uncovered*, which the strict test fails
//! with the module to add; the index has no nixpkgs part yet (README, "Options check").

use std::path::Path;

use nixos_tuning::options::check::{unknown_options, Reason, Unknown};
use nixos_tuning::options::coverage::{self, DECLARERS};
use nixos_tuning::options::index::{self, Below, Entry, Index, Module};
use nixos_tuning::options::scan;
use nixos_tuning::scenario;

use crate::support::{nix_eval, project_root};

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
    let collect = project_root().join("nix-tests/options/collect.nix");
    nix_eval(&[
        collect.as_ref(),
        "--arg".as_ref(),
        "file".as_ref(),
        file.as_ref(),
    ])
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
    for unknown in unknown_options(index, &defined(&loaded)) {
        let mut files: Vec<String> = loaded
            .definitions
            .iter()
            .filter(|d| d.path.starts_with(&unknown.full) || unknown.full.starts_with(&d.path))
            .map(|d| display(&d.file))
            .collect();
        files.dedup();
        found.push((files.join(", "), unknown));
    }
    found
}

/// What the modules define (not NixOS's defaults the configuration also holds), as data.
fn defined(loaded: &scenario::Loaded) -> serde_json::Value {
    let mut tree = serde_json::Value::Object(Default::default());
    for definition in &loaded.definitions {
        let mut node = &mut tree;
        for key in &definition.path {
            node = node
                .as_object_mut()
                .unwrap()
                .entry(key.clone())
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
        }
        *node = definition.value.clone();
    }
    tree
}

fn display(file: &Path) -> String {
    file.strip_prefix(project_root())
        .unwrap_or(file)
        .display()
        .to_string()
}

/// A gap the index declares as such: a nixpkgs module the project needs that it does not list.
fn is_nixpkgs_gap(unknown: &Unknown) -> bool {
    matches!(
        &unknown.reason,
        Reason::Uncovered { declarer: Some(declarer) } if declarer.source == "nixpkgs"
    )
}

fn report(found: &[(String, Unknown)]) -> String {
    found
        .iter()
        .map(|(file, unknown)| format!("{file}: {unknown}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs everywhere: nothing is misspelt or missing where the index can judge (disko, Home
/// Manager, the nixpkgs modules it lists), and every NixOS path the project sets has a known
/// declaring module (a misspelt or new prefix fails here). Only the nixpkgs modules the index
/// does not list are left to the strict test below.
#[test]
fn every_option_set_is_declared_or_its_nixpkgs_module_is_named() {
    let index = index();
    let found: Vec<_> = unknown_per_file(&index)
        .into_iter()
        .filter(|(_, unknown)| !is_nixpkgs_gap(unknown))
        .collect();
    assert!(
        found.is_empty(),
        "options the pinned sources do not declare:\n{}",
        report(&found)
    );
}

#[test]
#[ignore = "the index has no nixpkgs part: no nixpkgs 25.05 tree could be had where it was made \
            (README, Options check); give one to `cargo xtask options --nixpkgs DIR \
            --nixpkgs-rev REV ...` and drop this"]
fn every_option_set_is_declared_by_nixos_25_05() {
    let index = index();
    let found = unknown_per_file(&index);
    assert!(
        found.is_empty() && index.has_source("nixpkgs"),
        "{}options NixOS 25.05 does not declare, or that the index cannot check:\n{}",
        if index.has_source("nixpkgs") {
            ""
        } else {
            "the index has no nixpkgs part; "
        },
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
    assert_eq!(
        inputs["nixpkgs"]["url"], "github:NixOS/nixpkgs/nixos-25.05",
        "the options index and its coverage table are for NixOS 25.05"
    );
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
        assert!(
            source.rev.len() == 40 && source.rev.chars().all(|c| c.is_ascii_hexdigit()),
            "the index must record the commit it read: {source:?}"
        );
    }
    assert!(index.has_source("disko") && index.has_source("home-manager"));
    // nixpkgs is read in part: the files read are listed, and only with its source line.
    for module in &index.modules {
        assert!(
            index.has_source(&module.source),
            "{module:?} names a source the index has no line for"
        );
        assert_eq!(module.sha256.len(), 64, "{module:?}");
    }
    assert_eq!(
        index.has_source("nixpkgs"),
        index.modules.iter().any(|m| m.source == "nixpkgs"),
        "a nixpkgs source line comes with the module files read, and only with them"
    );
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
    // Each nixpkgs module listed declares something under the prefixes it is named for.
    for declarer in DECLARERS
        .iter()
        .filter(|d| d.source == "nixpkgs" && index.lists_module("nixpkgs", d.file))
    {
        let segs: Vec<String> = declarer.prefix.split('.').map(str::to_owned).collect();
        let lookup = index.lookup("nixos", &segs);
        assert!(
            lookup.declared.is_some() || lookup.has_below,
            "{} is listed but declares nothing under {}",
            declarer.file,
            declarer.prefix
        );
    }
}

/// A module with NixOS misspellings, checked against `index`.
fn nixos_typos(index: &Index) -> Vec<Unknown> {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("typo.nix");
    std::fs::write(
        &module,
        r#"{ lib, ... }: {
          services.openssh.settings.PasswordAuthenticaton = false;
          services.openssh.settings.PermitRootLogin = "prohibit-password";
          services.openssh.settings.Banner = "/etc/issue";
          nix.settings.max-job = 4;
          nix.settings.experimental-features = [ "flakes" ];
          boot.kernel.sysctl."vm.swappiness" = 10;
          zramSwap.memoryPrecent = 50;
          virtualisation.vmVariantWithDisko.services.openssh.settings.permitrootlogin = "no";
        }"#,
    )
    .unwrap();
    unknown_options(index, &collect(&module))
}

fn shown(found: &[Unknown]) -> Vec<String> {
    found.iter().map(|u| index::show_path(&u.full)).collect()
}

/// With the real index, which lists no nixpkgs module, every NixOS path is a gap and fails
/// as one, naming the module to add and the command; none passes.
#[test]
fn a_nixos_option_the_index_cannot_check_fails_naming_its_module() {
    let index = index();
    let found = nixos_typos(&index);
    if index.has_source("nixpkgs") {
        return; // the fixture test below covers the judged case
    }
    assert_eq!(
        shown(&found),
        [
            "boot.kernel.sysctl",
            "nix.settings",
            "services.openssh",
            "virtualisation.vmVariantWithDisko.services.openssh",
            "zramSwap",
        ]
    );
    let sshd = &found[2];
    let text = sshd.to_string();
    assert!(
        text.contains("nixos/modules/services/networking/ssh/sshd.nix")
            && text.contains("cargo xtask options --nixpkgs"),
        "{text}"
    );
    assert!(found.iter().all(|u| matches!(
        &u.reason,
        Reason::Uncovered { declarer: Some(d) } if d.source == "nixpkgs"
    )));
}

/// The index plus a nixpkgs part read from fixture modules (not nixpkgs' text: the same
/// declaration shapes as sshd.nix's freeform `settings`, nix.nix's, sysctl.nix's and
/// zram.nix's), as `cargo xtask options` would add it.
fn with_fixture_nixpkgs() -> Index {
    let mut index = index();
    let fixtures = [
        (
            "nixos/modules/services/networking/ssh/sshd.nix",
            r#"{ config, lib, pkgs, ... }:
            let settingsFormat = pkgs.formats.keyValue { }; in {
              options.services.openssh = {
                enable = lib.mkOption { type = lib.types.bool; default = false; };
                settings = lib.mkOption {
                  type = lib.types.submodule ({ name, ... }: {
                    freeformType = settingsFormat.type;
                    options = {
                      PasswordAuthentication = lib.mkOption { type = lib.types.nullOr lib.types.bool; };
                      PermitRootLogin = lib.mkOption { type = lib.types.nullOr lib.types.str; };
                    };
                  });
                };
              };
            }"#,
        ),
        (
            "nixos/modules/config/nix.nix",
            r#"{ lib, ... }: {
              options.nix.settings = lib.mkOption {
                type = lib.types.submodule {
                  freeformType = semanticConfType;
                  options.max-jobs = lib.mkOption { };
                  options.cores = lib.mkOption { };
                };
              };
            }"#,
        ),
        (
            "nixos/modules/config/sysctl.nix",
            r#"{ lib, ... }: {
              options.boot.kernel.sysctl = lib.mkOption {
                type = lib.types.submodule {
                  freeformType = lib.types.attrsOf sysctlOption;
                  options."net.core.rmem_max" = lib.mkOption { };
                };
              };
            }"#,
        ),
        (
            "nixos/modules/config/zram.nix",
            r#"{ lib, ... }: {
              options.zramSwap = {
                enable = lib.mkOption { type = lib.types.bool; };
                memoryPercent = lib.mkOption { type = lib.types.int; };
              };
            }"#,
        ),
    ];
    for (file, text) in fixtures {
        index.modules.push(Module {
            source: "nixpkgs".into(),
            path: file.into(),
            sha256: nixos_tuning::options::tree::sha256_hex(text),
        });
        let entries = index.scopes.entry("nixos".into()).or_default();
        for declared in scan::declarations(text) {
            entries.push(Entry {
                path: declared.path,
                below: Below::from_kind(declared.kind, "nixos"),
                file: file.into(),
            });
        }
    }
    index
}

/// Where the index lists the declaring modules, misspellings fail, inside freeform settings
/// too, while their undeclared keys that misspell nothing (`Banner`, `experimental-features`,
/// `"vm.swappiness"`) pass, as the module system lets them.
#[test]
fn a_misspelt_nixos_option_fails_where_its_module_is_indexed() {
    let index = with_fixture_nixpkgs();
    assert!(coverage::is_covered(
        &index,
        coverage::declarer_of(&["services".into(), "openssh".into()]).unwrap()
    ));
    let found = nixos_typos(&index);
    assert_eq!(
        shown(&found),
        [
            "nix.settings.max-job",
            "services.openssh.settings.PasswordAuthenticaton",
            "virtualisation.vmVariantWithDisko.services.openssh.settings.permitrootlogin",
            "zramSwap.memoryPrecent",
        ]
    );
    assert_eq!(
        found[1].reason,
        Reason::Misspelt {
            declared: "PasswordAuthentication".into()
        }
    );
    assert_eq!(found[3].reason, Reason::Undeclared);
    assert!(found[1].to_string().contains("PasswordAuthentication"));
}

/// The options check's documentation names every nixpkgs module the NixOS side needs.
#[test]
fn the_docs_name_every_nixpkgs_module_the_project_needs() {
    let readme = std::fs::read_to_string(project_root().join("docs/nixos-backend.md")).unwrap();
    let mut files: Vec<&str> = DECLARERS
        .iter()
        .filter(|d| d.source == "nixpkgs")
        .map(|d| d.file.trim_start_matches("nixos/modules/"))
        .collect();
    files.sort();
    files.dedup();
    for file in &files {
        assert!(
            readme.contains(&format!("`{file}`")),
            "docs/nixos-backend.md does not name {file}"
        );
    }
    assert!(
        readme.contains(&format!("these {} modules", files.len())),
        "README.md miscounts the modules: {}",
        files.len()
    );
}
