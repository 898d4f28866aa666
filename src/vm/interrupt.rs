//! Ctrl-C and SIGTERM become an [`Interrupted`](super::VmError::Interrupted) error at the
//! driver's next wait, so the stack unwinds and every QEMU and run directory is cleaned up
//! instead of the process dying with them left behind. Which signal came is kept, so the
//! command line can exit the way a shell reports that signal (130 for SIGINT, 143 for
//! SIGTERM).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

pub const SIGINT: i32 = libc::SIGINT;
pub const SIGTERM: i32 = libc::SIGTERM;

/// The last signal received (its number), 0 before any.
static SIGNAL: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// Routes SIGINT and SIGTERM to the flag the driver polls. Idempotent.
pub fn install() -> std::io::Result<()> {
    if SIGNAL.get().is_some() {
        return Ok(());
    }
    let signal = Arc::new(AtomicUsize::new(0));
    for number in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_usize(number, Arc::clone(&signal), number as usize)?;
    }
    let _ = SIGNAL.set(signal);
    Ok(())
}

/// Whether the user asked to stop (only after [`install`]).
pub fn requested() -> bool {
    signal().is_some()
}

/// The signal that asked to stop: `SIGINT` (2) or `SIGTERM` (15).
pub fn signal() -> Option<i32> {
    let number = SIGNAL.get()?.load(Ordering::Relaxed);
    (number != 0).then_some(number as i32)
}

/// `SIGINT` or `SIGTERM`, as the user would name it.
pub fn name(signal: i32) -> &'static str {
    match signal {
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        _ => "a signal",
    }
}

/// The exit status a shell gives a process killed by `signal`: 128 + its number.
pub fn exit_status(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_follow_the_shells_convention() {
        assert_eq!(exit_status(libc::SIGINT), 130);
        assert_eq!(exit_status(libc::SIGTERM), 143);
    }
}
