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
        .args(["--runs", &fixture("figures/debian")])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Btrfs Compression: recommended")
                .and(predicate::str::contains("Zram Swap: recommended"))
                // The figures of the recorded runs, not whatever this checkout ran.
                .and(predicate::str::contains(
                    "measured: \"20-30% space savings for source code\": holds",
                )),
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
    let empty = tempfile::tempdir().unwrap();
    xtask()
        .args(["report", "--runs"])
        .arg(empty.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "run `cargo xtask vmtest --all --measure` first",
        ));
}

#[test]
fn report_writes_markdown_html_and_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    xtask()
        .args(["report", "--runs", &fixture("figures/debian"), "--out"])
        .arg(dir.path().join("out"))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .assert()
        .success()
        .stdout(predicate::str::contains("report.md").and(predicate::str::contains("report.html")));
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    let appended = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(appended, format!("earlier step\n{md}"));
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("<svg"));
}
