//! `--backend`: auto picks debian with one line where Nix cannot build the flake, and
//! `--backend nixos` fails at once, naming what is missing and how to get it. A PATH with a
//! fake `nix` (or none) stands for the machines that lack one.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

/// A PATH holding only `nix`, a shell script with `body`, when given.
fn fake_path(nix: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(body) = nix {
        let file = dir.path().join("nix");
        std::fs::write(&file, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

fn xtask(path: &Path) -> Command {
    let mut command = Command::cargo_bin("xtask").unwrap();
    command.env("PATH", path);
    command
}

const OLD_NIX: &str = "echo 'nix (Nix) 2.3.16'";

// Answers `--version` like Debian's nix-bin and refuses what flakes need.
const NO_FLAKES: &str = r#"case "$*" in
  --version) echo 'nix (Nix) 2.8.0' ;;
  *) echo "error: experimental Nix feature 'flakes' is disabled; use '--extra-experimental-features flakes' to override" >&2; exit 1 ;;
esac"#;

#[test]
fn auto_picks_debian_without_nix_and_says_why_in_one_line() {
    let path = fake_path(None);
    let output = xtask(path.path()).arg("backend").assert().success();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("backend: debian")
            && stdout.contains("nixos backend cannot run here: nix not found on PATH"),
        "{stdout}"
    );
}

#[test]
fn auto_picks_debian_with_a_nix_too_old_for_flakes() {
    let path = fake_path(Some(OLD_NIX));
    xtask(path.path())
        .args(["backend", "--backend", "auto"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("backend: debian")
                .and(predicate::str::contains("nix 2.3.16 has no flakes")),
        );
}

#[test]
fn debian_is_taken_when_asked_for_even_without_nix() {
    let path = fake_path(None);
    xtask(path.path())
        .args(["backend", "--backend", "debian"])
        .assert()
        .success()
        .stdout("backend: debian (asked for)\n");
}

/// The failure, within seconds, and its message.
fn nixos_fails_at_once(nix: Option<&str>) -> String {
    let path = fake_path(nix);
    let started = Instant::now();
    let output = xtask(path.path())
        .args(["vmtest", "--backend", "nixos", "baseline"])
        .assert()
        .failure();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    String::from_utf8_lossy(&output.get_output().stderr).into_owned()
}

#[test]
fn nixos_without_nix_fails_at_once_saying_how_to_get_it() {
    let stderr = nixos_fails_at_once(None);
    assert!(stderr.contains("nix not found on PATH"), "{stderr}");
    assert!(
        stderr.contains("install Nix >= 2.4 with flakes"),
        "{stderr}"
    );
    assert!(!stderr.contains("boot"), "no VM may start: {stderr}");
}

#[test]
fn nixos_with_an_old_nix_fails_at_once_naming_its_version() {
    let stderr = nixos_fails_at_once(Some(OLD_NIX));
    assert!(stderr.contains("nix 2.3.16 has no flakes"), "{stderr}");
    assert!(
        stderr.contains("install Nix >= 2.4 with flakes"),
        "{stderr}"
    );
}

#[test]
fn nixos_with_flakes_refused_fails_at_once_with_nix_s_reason() {
    let stderr = nixos_fails_at_once(Some(NO_FLAKES));
    assert!(
        stderr.contains("nix 2.8.0 cannot enable flakes"),
        "{stderr}"
    );
    assert!(stderr.contains("'flakes' is disabled"), "{stderr}");
}

#[test]
fn an_unknown_backend_lists_the_valid_ones() {
    let path = fake_path(None);
    xtask(path.path())
        .args(["backend", "--backend", "nixpkgs"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("use auto, nixos or debian"));
}

/// A Nix 2.24 with flakes whose settings and flake fetch are given.
fn nix_with(system: &str, features: &str, builders: &str, fetch: &str) -> String {
    format!(
        r#"case "$*" in
  --version) echo 'nix (Nix) 2.24.10' ;;
  *" eval "*) echo true ;;
  *show-config*) echo '{{"system":{{"value":"{system}"}},"system-features":{{"value":[{features}]}},"builders":{{"value":"{builders}"}}}}' ;;
  *"flake metadata"*) {fetch} ;;
  *) exit 1 ;;
esac"#
    )
}

#[test]
fn nixos_without_kvm_or_builders_says_so() {
    let stderr = nixos_fails_at_once(Some(&nix_with(
        "x86_64-linux",
        r#""big-parallel""#,
        "",
        "true",
    )));
    assert!(stderr.contains("/dev/kvm is not usable by Nix"), "{stderr}");
    assert!(stderr.contains("/etc/nix/machines"), "{stderr}");
}

#[test]
fn nixos_on_another_system_without_builders_says_so() {
    let stderr = nixos_fails_at_once(Some(&nix_with("aarch64-darwin", "", "", "true")));
    assert!(
        stderr.contains("nix builds for aarch64-darwin and has no remote builders"),
        "{stderr}"
    );
}

#[test]
fn nixos_with_unreachable_inputs_names_the_fetch_error() {
    let fetch = "echo \"error: unable to download 'https://api.github.com/repos/NixOS/nixpkgs/commits/nixos-25.05': Couldn't resolve host name (6)\" >&2; exit 1";
    let stderr = nixos_fails_at_once(Some(&nix_with("x86_64-linux", r#""kvm""#, "", fetch)));
    assert!(
        stderr.contains("nix 2.24.10 cannot fetch the flake's inputs"),
        "{stderr}"
    );
    assert!(stderr.contains("Couldn't resolve host name"), "{stderr}");
}

#[test]
fn auto_picks_nixos_where_nix_can_build_the_flake() {
    let path = fake_path(Some(&nix_with(
        "aarch64-darwin",
        "",
        "ssh://builder x86_64-linux",
        "true",
    )));
    xtask(path.path())
        .arg("backend")
        .assert()
        .success()
        .stdout("backend: nixos (nix 2.24.10 with flakes, remote builders, no KVM here)\n");
}
