//! The driver against a real guest: boot, the layout's mounts, failures, deadlines, panics.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nixos_tuning::backend::debian::{self, Guest};
use nixos_tuning::probe::mount;
use nixos_tuning::progress::Silent;
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vm::VmError;

fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn boot(test: &str) -> Guest {
    let baseline = scenario::realize_named(project_root(), "baseline").unwrap();
    let prepared = debian::prepare(project_root(), AccelChoice::Auto, &Silent).unwrap();
    let run_dir: PathBuf = project_root().join("target/vmtest/tests").join(test);
    debian::boot(&prepared, &baseline, &run_dir, &Silent).unwrap()
}

#[test]
fn boots_with_the_layouts_btrfs_subvolumes() {
    let mut guest = boot("mounts");
    let output = guest.machine.succeed("mount").unwrap();
    let table = mount::parse(&output).unwrap();
    for (mountpoint, subvol) in [("/", "/root"), ("/nix", "/nix"), ("/home", "/home")] {
        let entry = table
            .mounts
            .iter()
            .find(|m| m.mount_point == mountpoint)
            .unwrap_or_else(|| panic!("{mountpoint} is not mounted:\n{output}"));
        assert_eq!(entry.fs_type, "btrfs", "{mountpoint}");
        assert!(entry.has_option("noatime"), "{mountpoint}: {output}");
        assert_eq!(entry.option("space_cache"), Some("v2"), "{mountpoint}");
        assert_eq!(entry.option("subvol"), Some(subvol), "{mountpoint}");
    }
    guest.shutdown().unwrap();
}

#[test]
fn a_failing_command_reports_its_status_and_output() {
    let mut guest = boot("failing");
    let output = guest.machine.execute("echo to-stdout; exit 3").unwrap();
    assert_eq!((output.status, output.stdout.as_str()), (3, "to-stdout\n"));
    match guest.machine.succeed("echo partial; false") {
        Err(VmError::CommandFailed { status, output, .. }) => {
            assert_eq!((status, output.as_str()), (1, "partial\n"));
        }
        other => panic!("expected CommandFailed, got {other:?}"),
    }
    // The shell survives a failed command.
    assert_eq!(
        guest.machine.succeed("echo still-here").unwrap(),
        "still-here\n"
    );
    guest.shutdown().unwrap();
}

#[test]
fn a_command_past_its_deadline_is_reported_as_such() {
    let mut guest = boot("deadline");
    let started = Instant::now();
    let result = guest
        .machine
        .execute_within("echo begun; sleep 60", Duration::from_secs(2));
    match result {
        Err(VmError::CommandTimeout {
            deadline, output, ..
        }) => {
            assert_eq!(deadline, Duration::from_secs(2));
            assert_eq!(output, "begun\n");
        }
        other => panic!("expected CommandTimeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(20));
    guest.shutdown().unwrap();
}

#[test]
fn a_guest_kernel_panic_is_reported_within_seconds() {
    let mut guest = boot("panic");
    let log = guest.machine.serial_log().to_owned();
    let started = Instant::now();
    let result = guest.machine.execute("echo c > /proc/sysrq-trigger");
    let elapsed = started.elapsed();
    match result {
        Err(VmError::GuestPanic { tail, .. }) => {
            assert_eq!(tail.log, log);
            assert!(
                tail.lines.iter().any(|line| line.contains("Kernel panic")),
                "{tail}"
            );
        }
        other => panic!("expected GuestPanic, got {other:?}"),
    }
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}
