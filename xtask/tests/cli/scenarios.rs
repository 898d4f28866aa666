//! `cargo xtask list` and `cargo xtask vmtest` arguments, without booting anything.

use assert_cmd::Command;
use predicates::prelude::*;

fn xtask() -> Command {
    Command::cargo_bin("xtask").unwrap()
}

#[test]
fn list_shows_every_scenario_with_what_it_changes() {
    xtask().arg("list").assert().success().stdout(
        predicate::str::contains("baseline")
            .and(predicate::str::contains("compress=zstd:1"))
            .and(predicate::str::contains("zramSwap.enable = true"))
            .and(predicate::str::contains("all")),
    );
}

#[test]
fn list_json_feeds_a_ci_matrix() {
    let output = xtask().args(["list", "--json"]).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap())
        .collect();
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
}

#[test]
fn an_unknown_scenario_lists_the_valid_ones() {
    xtask()
        .args(["vmtest", "compresion"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("compresion")
                .and(predicate::str::contains("compression"))
                .and(predicate::str::contains("baseline")),
        );
}

#[test]
fn vmtest_without_a_scenario_says_what_to_give() {
    xtask()
        .arg("vmtest")
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "name one or more scenarios, or --all",
        ));
}

#[test]
fn the_flake_builds_exactly_the_scenarios_of_list_json() {
    let output = xtask().args(["list", "--json"]).assert().success();
    let rows: serde_json::Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    let listed: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap())
        .collect();
    // flake.nix makes its outputs from this list.
    let flake = std::process::Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json", "--expr"])
        .arg("map (s: s.name) (import ./nix-tests/scenarios.nix)")
        .current_dir(env!("CARGO_MANIFEST_DIR").trim_end_matches("/xtask"))
        .output()
        .unwrap();
    assert!(
        flake.status.success(),
        "{}",
        String::from_utf8_lossy(&flake.stderr)
    );
    let in_flake: Vec<String> = serde_json::from_slice(&flake.stdout).unwrap();
    assert_eq!(in_flake, listed);
}
