//! The driver against QEMUs that never become a guest: one that exits at once, one whose
//! virtual CPU runs but never prints. Both must be reported as what they are, before the
//! boot deadline (which would report a timeout instead), and leave no QEMU behind.

use std::path::PathBuf;
use std::time::Duration;

use nixos_tuning::host;
use nixos_tuning::vm::{Deadlines, Launch, Machine, MachineConfig, VmError};

fn config(name: &str, args: &[&str]) -> MachineConfig {
    let log: PathBuf =
        std::env::temp_dir().join(format!("driver-{name}-{}.log", std::process::id()));
    MachineConfig {
        name: name.into(),
        launch: Launch {
            program: host::QEMU.find().unwrap(),
            args: args.iter().map(Into::into).collect(),
            env: Vec::new(),
        },
        serial_log: log,
        deadlines: Deadlines {
            boot: Duration::from_secs(120),
            stall: Duration::from_secs(3),
            ..Deadlines::default()
        },
        shutdown_command: "poweroff".into(),
        framing: nixos_tuning::vm::protocol::Framing::Nixos,
    }
}

#[test]
fn qemu_exiting_early_is_reported_at_once_with_its_words() {
    let config = config(
        "exits",
        &[
            "-nodefaults",
            "-display",
            "none",
            "-kernel",
            "/nonexistent/vmlinuz",
        ],
    );
    let log = config.serial_log.clone();
    match Machine::start(config) {
        Err(VmError::QemuExited {
            qemu_stderr, tail, ..
        }) => {
            assert!(
                qemu_stderr.contains("/nonexistent/vmlinuz"),
                "{qemu_stderr}"
            );
            assert_eq!(tail.log, log);
        }
        Err(other) => panic!("expected QemuExited, got {other}"),
        Ok(_) => panic!("a QEMU without its kernel booted"),
    }
    let _ = std::fs::remove_file(log);
}

#[test]
fn a_guest_that_prints_nothing_is_reported_as_stalled() {
    // A firmware of zeros: the CPU runs, nothing ever reaches the serial console.
    let bios = std::env::temp_dir().join(format!("zero-bios-{}.bin", std::process::id()));
    std::fs::write(&bios, vec![0u8; 64 * 1024]).unwrap();
    let bios_arg = bios.to_string_lossy().into_owned();
    let config = config(
        "stalls",
        &["-nodefaults", "-display", "none", "-bios", &bios_arg],
    );
    let result = Machine::start(config);
    let _ = std::fs::remove_file(&bios);
    match result {
        Err(VmError::Stalled { idle, .. }) => assert!(idle >= Duration::from_secs(3)),
        Err(other) => panic!("expected Stalled, got {other}"),
        Ok(_) => panic!("a firmware of zeros gave a backdoor"),
    }
}
