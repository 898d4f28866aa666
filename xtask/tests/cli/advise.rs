//! `cargo xtask advise` and `cargo xtask report` as a user runs them.

use assert_cmd::Command;
use predicates::prelude::*;

fn xtask() -> Command {
    Command::cargo_bin("xtask").unwrap()
}

fn fixture(path: &str) -> String {
    format!("{}/../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn advise_reads_a_folder_of_captures() {
    xtask()
        .args(["advise", "--from", &fixture("advise/small-vps")])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Btrfs Compression: recommended")
                .and(predicate::str::contains("Zram Swap: recommended")),
        );
}

#[test]
fn advise_names_a_missing_folder() {
    xtask()
        .args(["advise", "--from", "no/such/captures"])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("no/such/captures is not a folder"));
}

#[test]
fn report_without_runs_says_what_to_run() {
    // No backend `nixos` has run on a machine without Nix.
    xtask()
        .args(["report", "--backend", "nixos"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "run `cargo xtask vmtest --all` first",
        ));
}
