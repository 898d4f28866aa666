//! A machine that lacks a program the project runs: the command fails at once, before
//! anything is built or booted, naming the program, its package and the set-up script. A
//! PATH of links to every host tool but one stands for that machine.

use std::path::Path;

use assert_cmd::Command;
use nixos_tuning::host;

/// A PATH with every host tool the project knows except `missing`, and `sh`.
fn path_without(missing: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for program in host::ALL.iter().map(|t| t.program).chain(["sh"]) {
        if program == missing {
            continue;
        }
        if let Ok(found) = which(program) {
            std::os::unix::fs::symlink(found, dir.path().join(program)).unwrap();
        }
    }
    dir
}

fn which(program: &str) -> Result<std::path::PathBuf, ()> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .ok_or(())
}

fn vmtest_without(missing: &str) -> String {
    let path = path_without(missing);
    let output = Command::cargo_bin("xtask")
        .unwrap()
        .env("PATH", path.path())
        .args(["vmtest", "--backend", "debian", "compression"])
        .assert()
        .failure();
    String::from_utf8_lossy(&output.get_output().stderr).into_owned()
}

fn assert_names(stderr: &str, program: &str, package: &str) {
    assert!(stderr.contains(&format!("`{program}`")), "{stderr}");
    assert!(stderr.contains(package), "{stderr}");
    assert!(stderr.contains(host::SETUP), "{stderr}");
    assert!(!stderr.contains("boot"), "nothing may boot: {stderr}");
}

#[test]
fn without_qemu_img_vmtest_names_it_and_the_set_up() {
    assert_names(&vmtest_without("qemu-img"), "qemu-img", "qemu-utils");
}

#[test]
fn without_qemu_vmtest_names_it_and_the_set_up() {
    let stderr = vmtest_without("qemu-system-x86_64");
    assert_names(&stderr, "qemu-system-x86_64", "qemu-system-x86");
}

#[test]
fn without_nix_instantiate_vmtest_names_it_and_the_set_up() {
    assert_names(
        &vmtest_without("nix-instantiate"),
        "nix-instantiate",
        "nix-bin",
    );
}

#[test]
fn the_set_up_script_is_where_the_hint_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    assert!(root.join(host::SETUP).is_file());
}
