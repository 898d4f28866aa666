//! The driver against a real guest: boot, the layout's mounts, failures, deadlines, panics.
//! One guest serves every check, in that order (the panic ends it): each boot costs half a
//! minute under TCG, and none of the checks leaves the guest other than it found it.

use std::path::Path;
use std::time::Duration;

use nixos_tuning::backend::{Backend, Choice, Guest, Kind};
use nixos_tuning::probe::mount;
use nixos_tuning::progress::Silent;
use nixos_tuning::runs::Runs;
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vm::VmError;

fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The baseline guest, booted in a scratch directory of the test's own.
fn boot(test: &str) -> Guest {
    let baseline = scenario::load_named(project_root(), scenario::BASELINE).unwrap();
    let selection = Choice::Only(Kind::Debian).resolve(project_root()).unwrap();
    let backend = Backend::prepare(selection, project_root(), AccelChoice::Auto, &Silent).unwrap();
    let bundle = backend.bundle(&baseline, &Silent).unwrap();
    let dir = Runs::of_project(project_root())
        .scratch("tests")
        .root()
        .join(test);
    bundle.boot(&dir, &Silent).unwrap()
}

#[test]
fn one_guest_mounts_its_layout_reports_failures_and_deadlines_then_a_panic() {
    let mut guest = boot("guest");
    boots_with_the_layouts_btrfs_subvolumes(&mut guest);
    a_failing_command_reports_its_status_and_output(&mut guest);
    a_command_past_its_deadline_is_reported_as_such(&mut guest);
    // The shell is still usable after the guest stopped a command at its deadline.
    assert_eq!(guest.machine.succeed("echo after").unwrap(), "after\n");
    a_guest_kernel_panic_is_reported_within_seconds(guest);
}

fn boots_with_the_layouts_btrfs_subvolumes(guest: &mut Guest) {
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
}

fn a_failing_command_reports_its_status_and_output(guest: &mut Guest) {
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
}

fn a_command_past_its_deadline_is_reported_as_such(guest: &mut Guest) {
    // The second leaves a child that holds the output pipe: the guest's deadline watcher
    // ends it too, or the host's later deadline would break the shell.
    for command in ["echo begun; sleep 60", "sleep 60 & echo begun; wait"] {
        let result = guest
            .machine
            .execute_within(command, Duration::from_secs(2));
        match result {
            // Its output so far proves the guest stopped it at the deadline: the host's
            // later deadline would have had no output to give.
            Err(VmError::CommandTimeout {
                deadline, output, ..
            }) => {
                assert_eq!(deadline, Duration::from_secs(2), "{command}");
                assert_eq!(output, "begun\n", "{command}");
            }
            other => panic!("{command}: expected CommandTimeout, got {other:?}"),
        }
    }
    let left = guest.machine.succeed("pgrep -c -x sleep || true").unwrap();
    assert_eq!(left.trim(), "0", "no sleep outlives its command");
}

fn a_guest_kernel_panic_is_reported_within_seconds(mut guest: Guest) {
    let log = guest.machine.serial_log().to_owned();
    // A panic is seen on the console at once: the command's deadline, which would end in a
    // timeout instead, is never reached.
    let result = guest
        .machine
        .execute_within("echo c > /proc/sysrq-trigger", Duration::from_secs(120));
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
}
