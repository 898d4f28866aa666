//! `advise` on server captures assembled from real outputs (`tests/fixtures/advise/`): the
//! advice snapshotted per machine, and bad input refused by file name, never a panic.

use std::path::Path;

use nixos_tuning::advise::{self, AdviseError, Captures, Recommendation};
use nixos_tuning::optimization::Optimization;
use nixos_tuning::report::Report;

use crate::support::{fixtures_dir, snapshot_settings};

/// A relative path, so the snapshot does not hold this checkout's location.
fn case(name: &str) -> std::path::PathBuf {
    Path::new("tests/fixtures/advise").join(name)
}

fn advice(name: &str) -> advise::Advice {
    advise::advise(&Captures::from_dir(&case(name)).unwrap()).unwrap()
}

fn recommendation(advice: &advise::Advice, optimization: Optimization) -> Recommendation {
    advice
        .items
        .iter()
        .find(|i| i.optimizations.contains(&optimization))
        .unwrap()
        .recommendation
}

#[test]
fn every_captured_machine_gets_its_advice() {
    let _guard = snapshot_settings("advise").bind_to_scope();
    for entry in std::fs::read_dir(fixtures_dir().join("advise")).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = advise::render(&advice(&name), Err("none in this test"));
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn a_small_vps_without_swap_on_plain_btrfs_gets_zram_and_compression() {
    let advice = advice("small-vps");
    assert_eq!(
        recommendation(&advice, Optimization::Compression),
        Recommendation::Apply
    );
    assert_eq!(
        recommendation(&advice, Optimization::Zram),
        Recommendation::Apply
    );
    assert_eq!(
        recommendation(&advice, Optimization::Parallelism),
        Recommendation::Apply
    );
    assert_eq!(
        recommendation(&advice, Optimization::BinaryCache),
        Recommendation::AlreadyApplied
    );
}

#[test]
fn a_machine_already_compressed_with_zram_gets_nothing_new() {
    let advice = advice("tuned-btrfs-zram");
    for item in &advice.items {
        assert_eq!(
            item.recommendation,
            Recommendation::AlreadyApplied,
            "{}",
            item.optimization
        );
    }
}

#[test]
fn the_measured_figures_stand_beside_the_advice() {
    let report = Report::gather(&fixtures_dir().join("figures/debian"), "debian").unwrap();
    let text = advise::render(&advice("small-vps"), Ok(&report));
    assert!(
        text.contains("measured: \"20-30% space savings for source code\": holds"),
        "{text}"
    );
    assert!(
        text.contains("Reduces disk I/O for swap operations"),
        "{text}"
    );
    let none = advise::render(&advice("small-vps"), Err("no scenario has run"));
    assert!(
        none.contains("No measured figures: no scenario has run."),
        "{none}"
    );
}

fn copy_case(name: &str, to: &Path) {
    for entry in std::fs::read_dir(case(name)).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

#[test]
fn a_missing_folder_says_how_to_capture() {
    let err = Captures::from_dir(Path::new("tests/fixtures/advise/no-such-machine")).unwrap_err();
    assert!(matches!(err, AdviseError::NoDir { .. }));
    assert!(err.to_string().contains("no-such-machine"), "{err}");
}

#[test]
fn a_missing_required_capture_is_named_with_its_command() {
    let dir = tempfile::tempdir().unwrap();
    copy_case("small-vps", dir.path());
    std::fs::remove_file(dir.path().join("free.txt")).unwrap();
    let err = Captures::from_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("free.txt is missing"), "{err}");
    assert!(err.contains("`free -b > free.txt`"), "{err}");
}

#[test]
fn garbage_in_a_capture_is_named_by_file() {
    for (file, garbage) in [
        ("mount.txt", "this is not a mount table\n"),
        ("free.txt", "\u{0}\u{1}binary"),
        (
            "swapon.txt",
            "NAME TYPE SIZE USED PRIO\n/dev/sda2 partition lots none -2\n",
        ),
        ("nproc.txt", "many\n"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        copy_case("small-vps", dir.path());
        std::fs::write(dir.path().join(file), garbage).unwrap();
        let captures = Captures::from_dir(dir.path()).unwrap();
        let err = advise::advise(&captures).unwrap_err();
        assert!(matches!(err, AdviseError::Garbage { .. }), "{file}: {err}");
        assert!(err.to_string().contains(file), "{file}: {err}");
    }
}

/// A machine whose commands print a captured server's outputs: `free` and the others are
/// scripts on a PATH of their own, `zramctl` hangs and `compsize` is missing.
fn fake_machine(case_dir: &Path) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let bin = tempfile::tempdir().unwrap();
    let script = |program: &str, body: &str| {
        let file = bin.path().join(program);
        std::fs::write(&file, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    for capture in advise::CAPTURES {
        let output = case_dir.join(format!("{}.txt", capture.name()));
        if capture.argv[0] != "compsize" && output.is_file() {
            script(
                capture.argv[0],
                &format!("exec /bin/cat '{}'", output.display()),
            );
        }
    }
    script("zramctl", "exec /bin/sleep 30");
    bin
}

#[test]
fn this_machine_is_read_with_its_own_commands_and_what_fails_is_reported() {
    let case_dir = fixtures_dir().join("advise/small-vps");
    let bin = fake_machine(&case_dir);
    let captures = Captures::local_on(
        std::time::Duration::from_secs(2),
        Some(bin.path().as_os_str()),
    )
    .unwrap();
    let unavailable = &captures.unavailable;
    assert!(
        unavailable["zramctl"].contains("did not finish within 2 s"),
        "{unavailable:?}"
    );
    assert!(
        unavailable["compsize"].contains("cannot run"),
        "{unavailable:?}"
    );
    let advice = advise::advise(&captures).unwrap();
    let from_dir = advise::advise(&Captures::from_dir(&case_dir).unwrap()).unwrap();
    let verdicts = |a: &advise::Advice| -> Vec<Recommendation> {
        a.items.iter().map(|i| i.recommendation).collect()
    };
    assert_eq!(verdicts(&advice), verdicts(&from_dir));
}
