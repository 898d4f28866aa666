//! Every parser against every fixture in `tests/fixtures/<probe>/`, snapshotted; garbage in
//! every parser, no panic.
//!
//! Fixture rules: a folder per probe named as `cargo xtask parse` names it, real outputs in
//! it (`.txt` or `.json`) with `SOURCES.md` naming where each came from; outputs a parser must
//! refuse go in `<probe>/invalid/`, and their error message is snapshotted too.

use nixos_tuning::probe::Probe;
use proptest::prelude::*;

use crate::support::{fixtures_dir, snapshot_settings};

#[test]
fn every_fixture_parses_to_its_snapshot() {
    let _guard = snapshot_settings("probes").bind_to_scope();
    insta::glob!("../fixtures", "*/*.{txt,json}", |path| {
        let probe = probe_of(path);
        let input = read_lossy(path);
        match probe.parse_to_json(&input) {
            Ok(value) => insta::assert_json_snapshot!(value),
            Err(err) => panic!("{}: {err}", path.display()),
        }
    });
}

#[test]
fn every_invalid_fixture_is_refused_with_its_line() {
    let _guard = snapshot_settings("probes").bind_to_scope();
    insta::glob!("../fixtures", "*/invalid/*", |path| {
        // The invalid NixOS modules are the module evaluator's (tests/integration/modules.rs).
        if path.starts_with(fixtures_dir().join("modules")) {
            return;
        }
        let probe = probe_of(path.parent().unwrap_or(path));
        let input = read_lossy(path);
        match probe.parse_to_json(&input) {
            Ok(value) => panic!("{} parsed but must not: {value}", path.display()),
            Err(err) => insta::assert_snapshot!(err.to_string()),
        }
    });
}

#[test]
fn fixture_folders_are_probes_with_sources() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        // Not a probe's outputs: recorded runs for the report, server captures for advise,
        // workload transcripts (each a level deeper, out of the probes' glob), NixOS modules.
        if ["figures", "advise", "workloads", "modules"].contains(&name.as_str()) {
            continue;
        }
        assert!(Probe::from_name(&name).is_some(), "{name} is no probe");
        let sources = std::fs::read_to_string(dir.join("SOURCES.md"))
            .unwrap_or_else(|_| panic!("{name}/SOURCES.md is missing"));
        for fixture in walkdir::WalkDir::new(&dir).min_depth(1) {
            let fixture = fixture.unwrap();
            let file = fixture.file_name().to_string_lossy();
            if fixture.file_type().is_file() && file != "SOURCES.md" {
                assert!(
                    sources.contains(&*file),
                    "{name}/SOURCES.md does not name {file}"
                );
            }
        }
    }
}

#[test]
fn every_probe_has_fixtures() {
    for probe in Probe::ALL {
        let dir = fixtures_dir().join(probe.name());
        let count = outputs_in(&dir).len();
        assert!(
            count >= 2,
            "{} has {count} fixture(s) in {}, at least 2 wanted",
            probe.name(),
            dir.display()
        );
    }
}

/// The fixtures `every_fixture_parses_to_its_snapshot` reads in `dir`: `.txt` and `.json`
/// files, not `SOURCES.md` nor the `invalid/` folder.
fn outputs_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "txt" || ext == "json")
        })
        .collect()
}

#[test]
fn fixture_count_skips_sources_and_invalid() {
    let dir = std::env::temp_dir().join(format!("probe-fixture-count-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("invalid")).unwrap();
    std::fs::write(dir.join("SOURCES.md"), "").unwrap();
    std::fs::write(dir.join("invalid").join("refused.txt"), "").unwrap();
    assert!(outputs_in(&dir).is_empty());
    std::fs::write(dir.join("real.txt"), "").unwrap();
    assert_eq!(outputs_in(&dir), [dir.join("real.txt")]);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn probe_of(path: &std::path::Path) -> Probe {
    let dir = path.parent().and_then(|dir| dir.file_name()).unwrap();
    Probe::from_name(&dir.to_string_lossy()).unwrap()
}

fn read_lossy(path: &std::path::Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_bytes_make_a_parser_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let input = String::from_utf8_lossy(&bytes);
        for probe in Probe::ALL {
            let _ = probe.parse_to_json(&input);
        }
    }

    /// Lines built from the tokens real outputs are made of reach deeper than random bytes.
    #[test]
    fn no_token_soup_makes_a_parser_panic(
        lines in proptest::collection::vec(
            proptest::collection::vec(prop::sample::select(TOKENS), 0..12), 0..24)
    ) {
        let input: String = lines.iter().map(|line| line.join(" ") + "\n").collect();
        for probe in Probe::ALL {
            let _ = probe.parse_to_json(&input);
        }
    }
}

const TOKENS: &[&str] = &[
    "",
    " ",
    "\t",
    "/dev/vda2",
    "on",
    "/",
    "type",
    "btrfs",
    "(rw,noatime,compress=zstd:1)",
    "=",
    "max-jobs",
    "cores",
    "auto",
    "0",
    "Mem:",
    "Swap:",
    "total",
    "used",
    "free",
    "1.9Gi",
    "7,3Gi",
    "-",
    "Filesystem",
    "Size",
    "Mounted",
    "100%",
    "Data,single:",
    "Size:1.00GiB",
    "Used:",
    "Overall:",
    "Metadata,DUP:",
    "Type",
    "Perc",
    "Disk",
    "Usage",
    "Uncompressed",
    "Referenced",
    "TOTAL",
    "zstd",
    "none",
    "Device",
    "r/s",
    "w/s",
    "%util",
    "avg-cpu:",
    "{",
    "}",
    "\"sysstat\":",
    "[",
    "]",
    "NAME",
    "TYPE",
    "SIZE",
    "USED",
    "PRIO",
    "/dev/zram0",
    "partition",
    "Filename",
    "ALGORITHM",
    "DISKSIZE",
    "vm.swappiness",
    "State:",
    "running",
    "Jobs:",
    "Failed:",
    "units",
    "Since:",
    "UNIT",
    "LOAD",
    "ACTIVE",
    "SUB",
    "●",
    "loaded",
    "failed",
    "└─",
    "├─",
    "│",
    "18446744073709551616",
    "-1",
    "1e999",
    "NaN",
    "0.00B",
];
