//! Boots again a guest kernel lost to a race of QEMU's emulation, not of the guest.
//!
//! Linux rewrites its own code while it boots (static keys, alternatives): it writes an
//! `int3` over the first byte, then the new code, then the new first byte, and makes every
//! CPU serialize in between. Under multi-threaded TCG a vCPU can still run a translation
//! made while the `int3` was there after the patch is complete; the kernel then finds no
//! patch in progress for that breakpoint, oopses ("Oops: int3") and panics. Real CPUs and
//! KVM do not have this race. It was captured in a guest beside another
//! (`transcripts/oops-int3-tcg.txt`) and in the installer, alone on the host
//! (`transcripts/oops-int3-tcg-installer-tail.txt`, the tail CI printed). Single-threaded
//! TCG would avoid it at the price of every guest's second vCPU, so a boot that died of it
//! is tried again instead ([`RETRIES`]), with a note, and each lost serial log is kept.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::accel::Accel;
use super::VmError;
use crate::progress::Progress;

/// What the guest kernel prints when it trips on a breakpoint of its own text patching.
const TEXT_PATCH_OOPS: &str = "Oops: int3: ";

/// How many more boots a boot lost to the race gets. It struck about one TCG boot in 25
/// here (2 of ~50 on 2026-12-02, always just after "sched_clock: Marking stable", the one
/// static key that flips once the second vCPU runs): with ~35 boots in a CI run, one more
/// boot would still lose a run in twenty to two races in a row; three lose one in thousands.
pub const RETRIES: u32 = 3;

/// Runs `boot`, and again, up to [`RETRIES`] times, while it fails because the guest kernel
/// panicked of TCG's text-patching race. `serial_log` is the console log that `boot`
/// writes: each lost one is kept beside it as `<stem>.tcg-race-<n>.log`, named in a note.
pub fn boot_retrying<T>(
    accel: Accel,
    serial_log: &Path,
    progress: &dyn Progress,
    mut boot: impl FnMut() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let mut lost = 0;
    loop {
        match boot() {
            Err(err) if accel == Accel::Tcg && lost < RETRIES && lost_to_race(&err) => {
                lost += 1;
                let kept = kept_log(serial_log, lost);
                std::fs::rename(serial_log, &kept).with_context(|| {
                    format!("cannot keep the serial log as `{}`", kept.display())
                })?;
                progress.note(&format!(
                    "the guest kernel tripped on its own code patching (Oops: int3), a race \
                     of TCG's emulation, not of the guest; booting again ({lost} of {RETRIES}; \
                     the lost console is kept in {})",
                    kept.display()
                ));
            }
            booted => return booted,
        }
    }
}

/// The `lost`th console lost to the race: `serial.log`'s first is `serial.tcg-race-1.log`,
/// `install-serial.log`'s `install-serial.tcg-race-1.log`.
fn kept_log(serial_log: &Path, lost: u32) -> PathBuf {
    serial_log.with_extension(format!("tcg-race-{lost}.log"))
}

/// Whether `err` is a guest panic whose console shows [`TEXT_PATCH_OOPS`]. The serial log
/// is read whole, since the tail may have scrolled past the oops.
fn lost_to_race(err: &anyhow::Error) -> bool {
    let Some(VmError::GuestPanic { tail, .. }) = err.downcast_ref::<VmError>() else {
        return false;
    };
    let log = std::fs::read_to_string(&tail.log).unwrap_or_else(|_| tail.lines.join("\n"));
    shows_race(&log)
}

fn shows_race(serial: &str) -> bool {
    serial.lines().any(|line| line.contains(TEXT_PATCH_OOPS))
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::time::Duration;

    use super::*;
    use crate::vm::SerialTail;

    const GUEST: &str = include_str!("transcripts/oops-int3-tcg.txt");
    const INSTALLER: &str = include_str!("transcripts/oops-int3-tcg-installer-tail.txt");

    #[test]
    fn the_oops_of_the_race_is_told_from_other_panics() {
        for captured in [GUEST, INSTALLER] {
            assert!(shows_race(captured));
            // The same panic without the oops line: a panic of the guest's own.
            let other: String = captured
                .lines()
                .filter(|line| !line.contains("Oops"))
                .collect::<Vec<_>>()
                .join("\n");
            assert!(other.contains("Kernel panic - not syncing"));
            assert!(!shows_race(&other));
        }
    }

    fn panic_logged_in(log: &Path) -> anyhow::Error {
        anyhow::Error::new(VmError::GuestPanic {
            while_: "while booting".into(),
            tail: SerialTail {
                lines: vec!["[    3.6] Kernel panic - not syncing: Fatal exception".into()],
                log: log.to_owned(),
            },
        })
        .context("the installer VM did not start")
    }

    /// Notes what it is told.
    #[derive(Default)]
    struct Notes(RefCell<Vec<String>>);

    impl Progress for Notes {
        fn start(&self, _: &str) {}
        fn finish(&self, _: &str, _: Duration, _: crate::progress::Outcome) {}
        fn note(&self, message: &str) {
            self.0.borrow_mut().push(message.to_owned());
        }
    }

    /// Boots that die of `serial` until `failures` are spent, then succeed.
    fn run(
        accel: Accel,
        serial: &str,
        failures: u32,
    ) -> (anyhow::Result<u32>, u32, Notes, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("install-serial.log");
        let calls = Cell::new(0);
        let notes = Notes::default();
        let result = boot_retrying(accel, &log, &notes, || {
            calls.set(calls.get() + 1);
            std::fs::write(&log, format!("boot {}\n{serial}", calls.get())).unwrap();
            match calls.get() <= failures {
                true => Err(panic_logged_in(&log)),
                false => Ok(calls.get()),
            }
        });
        (result, calls.get(), notes, dir)
    }

    #[test]
    fn a_tcg_boot_lost_to_the_race_is_tried_again_and_each_lost_console_kept() {
        let (result, calls, notes, dir) = run(Accel::Tcg, INSTALLER, 2);
        assert_eq!(result.unwrap(), 3);
        assert_eq!(calls, 3);
        let notes = notes.0.into_inner();
        assert_eq!(notes.len(), 2);
        for lost in 1..=2 {
            let kept = dir
                .path()
                .join(format!("install-serial.tcg-race-{lost}.log"));
            let console = std::fs::read_to_string(&kept).unwrap();
            assert!(console.starts_with(&format!("boot {lost}\n")), "{console}");
            let note = &notes[lost as usize - 1];
            assert!(note.contains(&kept.display().to_string()), "{note}");
        }
    }

    #[test]
    fn retries_are_bounded_only_under_tcg_and_only_for_the_race() {
        let (result, calls, _, _dir) = run(Accel::Tcg, INSTALLER, RETRIES + 1);
        assert!(result.is_err());
        assert_eq!(
            calls,
            RETRIES + 1,
            "a race past the retries is the user's to see"
        );
        let (result, calls, _, _dir) = run(Accel::Kvm, INSTALLER, 1);
        assert!(result.is_err());
        assert_eq!(calls, 1, "KVM has no such race");
        let (result, calls, notes, _dir) =
            run(Accel::Tcg, "[    3.6] Kernel panic - not syncing: VFS", 1);
        let err = format!("{:#}", result.unwrap_err());
        assert!(err.contains("installer VM did not start"), "{err}");
        assert_eq!(calls, 1, "a panic of the guest's own is not retried");
        assert!(notes.0.into_inner().is_empty());
    }
}
