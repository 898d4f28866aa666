//! Tests that boot VMs, so nextest runs them in the `vm` group (see .config/nextest.toml).
//! `cargo xtask vm`: Ctrl-C during a run leaves no QEMU, socket or run directory behind;
//! `cargo xtask vmtest` under faults: [`faults`]; `cargo xtask check` against booted guests:
//! [`check`].

mod check;
mod faults;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn an_interrupted_run_leaves_no_qemu_behind() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("xtask"))
        .args(["vm", "run", "sleep 600"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group, so the signal below reaches it and its QEMU the way a
        // terminal's Ctrl-C does, and nothing else.
        .process_group(0)
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in stderr.by_ref().map_while(Result::ok) {
        let booted = line.starts_with("serial log:");
        seen.push(line);
        if booted {
            break;
        }
    }
    // Keep reading, so the xtask's last words do not hit a closed pipe.
    let rest = std::thread::spawn(move || stderr.map_while(Result::ok).collect::<Vec<_>>());
    assert!(
        seen.iter().any(|l| l.starts_with("serial log:")),
        "{seen:#?}"
    );
    let qemu_before = qemu_of(pid);
    assert_eq!(qemu_before.len(), 1, "one QEMU runs for the guest");
    // SAFETY: a plain kill(2) on the child's process group.
    unsafe { libc::kill(-(pid as i32), libc::SIGINT) };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "xtask ignored Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let rest = rest.join().unwrap();
    assert_eq!(status.code(), Some(130), "Ctrl-C exits 130: {rest:#?}");
    let last = rest.last().map(String::as_str).unwrap_or_default();
    assert!(last.starts_with("interrupted (SIGINT)"), "{rest:#?}");
    assert!(qemu_of(pid).is_empty(), "QEMU is left: {qemu_before:?}");
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("nixos-tuning-{pid}-"))
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "run directories are left: {leftovers:?}"
    );
}

/// The QEMU processes whose sockets live in a run directory of process `pid`.
fn qemu_of(pid: u32) -> Vec<u32> {
    crate::shared::qemu_with(&format!("nixos-tuning-{pid}-"))
}
