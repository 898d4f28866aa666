//! `cargo xtask parse`: good input, garbage, empty input, unknown probe, missing file.

use assert_cmd::Command;
use predicates::prelude::*;

fn xtask() -> Command {
    Command::cargo_bin("xtask").unwrap()
}

fn fixture(path: &str) -> String {
    format!("{}/../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn parses_a_file_to_json() {
    xtask()
        .args([
            "parse",
            "free",
            &fixture("free/procps-4.0.2-debian12-h-de_DE.txt"),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"bytes\""))
        .stderr(predicate::str::is_empty());
}

#[test]
fn parses_stdin_when_no_file_is_given() {
    xtask()
        .args(["parse", "sysctl"])
        .write_stdin("vm.swappiness = 10\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("vm.swappiness").and(predicate::str::contains("10")));
}

#[test]
fn garbage_exits_2_naming_the_line() {
    xtask()
        .args(["parse", "df"])
        .write_stdin("Filesystem Size Used Avail Use% Mounted on\nthis is not df output at all\n")
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("line 2"));
}

#[test]
fn empty_input_exits_2_with_a_message() {
    xtask()
        .args(["parse", "free"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stdin is not free"));
}

#[test]
fn an_unknown_probe_lists_the_valid_ones() {
    xtask().args(["parse", "htop"]).assert().code(2).stderr(
        predicate::str::contains("invalid value 'htop'")
            .and(predicate::str::contains("compsize"))
            .and(predicate::str::contains("systemctl-failed")),
    );
}

#[test]
fn a_missing_file_is_named() {
    xtask()
        .args(["parse", "mount", "/nonexistent/mount.txt"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "cannot read `/nonexistent/mount.txt`",
        ));
}
