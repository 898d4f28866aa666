//! One writer at a time for each thing that is written (a scenario's run directory, a cache
//! entry being built): an exclusive `flock` on a lock file beside it. The kernel drops the
//! lock when its process dies, however it dies, so a stale lock is never waited for; the
//! file says who holds it, so a second process can say whom it waits for.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::progress::Progress;

/// Whether a second process waits for the lock or gives up at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Wait,
    NoWait,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{what}: in use by {holder} (lock file {}); wait for it, or run again without --no-wait", .file.display())]
    Busy {
        what: String,
        holder: String,
        file: PathBuf,
    },
    #[error("cannot take the lock {}: {source}", .file.display())]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("interrupted while waiting for {what}")]
    Interrupted { what: String },
}

/// Held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock at `file` for `what`; `purpose` says what this process does with it
    /// ("vmtest parallelism"), for whoever waits next.
    pub fn acquire(
        file: &Path,
        what: &str,
        purpose: &str,
        wait: Wait,
        progress: &dyn Progress,
    ) -> Result<Lock, LockError> {
        let io = |source| LockError::Io {
            file: file.to_owned(),
            source,
        };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut handle = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(file)
            .map_err(io)?;
        let mut told = false;
        while !try_lock(&handle).map_err(io)? {
            let holder = holder(&mut handle);
            if wait == Wait::NoWait {
                return Err(LockError::Busy {
                    what: what.to_owned(),
                    holder,
                    file: file.to_owned(),
                });
            }
            if !told {
                progress.note(&format!(
                    "waiting for {holder} ({what}; lock file {})",
                    file.display()
                ));
                told = true;
            }
            if crate::vm::interrupt::requested() {
                return Err(LockError::Interrupted {
                    what: what.to_owned(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let note = format!("pid {}: {purpose}\n", std::process::id());
        handle.set_len(0).map_err(io)?;
        handle.rewind().map_err(io)?;
        handle.write_all(note.as_bytes()).map_err(io)?;
        Ok(Lock { _file: handle })
    }
}

fn try_lock(file: &File) -> std::io::Result<bool> {
    // SAFETY: flock on a descriptor this function borrows; no memory is involved.
    let result = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if result == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EWOULDBLOCK) => Ok(false),
        Some(libc::EINTR) => Ok(false),
        _ => Err(err),
    }
}

/// What the holder wrote: `pid N: what it does`.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    match text.trim() {
        "" => "another process".to_owned(),
        holder => holder.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    #[test]
    fn a_second_taker_is_told_who_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.lock");
        let first = Lock::acquire(&file, "run x", "vmtest x", Wait::NoWait, &Silent).unwrap();
        let err = Lock::acquire(&file, "run x", "vmtest x", Wait::NoWait, &Silent).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(&format!("pid {}: vmtest x", std::process::id())),
            "{message}"
        );
        drop(first);
        Lock::acquire(&file, "run x", "vmtest x", Wait::NoWait, &Silent).unwrap();
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.lock");
        // A holder that dies with the lock held, like a `kill -9`.
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "exec 9>>'{}'; flock 9; echo 'pid 1: gone' >&9; kill -9 $$",
                file.display()
            ))
            .status()
            .unwrap();
        assert!(!status.success());
        Lock::acquire(&file, "run x", "vmtest x", Wait::NoWait, &Silent).unwrap();
    }
}
