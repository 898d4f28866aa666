//! The serial console: QEMU's stdout, copied to the log file by a thread that also keeps the
//! last lines, notices a kernel panic and records when the guest last said anything. When
//! QEMU has exited, [`Console::drained`] waits for the thread to read what QEMU wrote last,
//! so an error quotes the guest's last words (an initrd that cannot mount `/`) rather than
//! what had been read when the exit was noticed. A log that cannot be written (a full disk)
//! is recorded, for the driver to report.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::error::SerialTail;

const TAIL_LINES: usize = 30;

/// Lines that mean the guest kernel is dead.
const PANIC_MARKERS: [&str; 2] = ["Kernel panic - not syncing", "---[ end Kernel panic"];

#[derive(Default)]
struct State {
    tail: VecDeque<String>,
    panicked: bool,
    /// The tail as it was when the panic line arrived: the call trace that follows would
    /// push the panic's own message out of the window.
    panic_tail: Option<Vec<String>>,
    last_output: Option<Instant>,
    qemu_stderr: String,
    /// The serial stream ended (QEMU closed its stdout): every line has been read.
    ended: bool,
    /// The first failed write to the log, as (kind, OS error number).
    log_error: Option<(std::io::ErrorKind, Option<i32>)>,
}

/// How long a drain waits for the end of the stream after QEMU exited: its pipe is closed,
/// so only the lines still in it are left to read; a bound in case something else holds it.
const DRAIN: Duration = Duration::from_secs(5);

/// A handle on what the console threads saw.
#[derive(Clone)]
pub struct Console {
    state: Arc<Mutex<State>>,
    ended: Arc<Condvar>,
    log: PathBuf,
}

impl Console {
    /// Starts copying QEMU's stdout (the serial console) and stderr into `log`.
    pub fn spawn(
        log: &Path,
        stdout: impl Read + Send + 'static,
        stderr: impl Read + Send + 'static,
    ) -> std::io::Result<(Console, Vec<JoinHandle<()>>)> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = Arc::new(Mutex::new(std::fs::File::create(log)?));
        let console = Console {
            state: Arc::new(Mutex::new(State::default())),
            ended: Arc::new(Condvar::new()),
            log: log.to_owned(),
        };
        let serial = {
            let (console, file) = (console.clone(), Arc::clone(&file));
            std::thread::spawn(move || console.copy_serial(stdout, &file))
        };
        let qemu = {
            let console = console.clone();
            std::thread::spawn(move || console.copy_qemu_stderr(stderr, &file))
        };
        Ok((console, vec![serial, qemu]))
    }

    fn copy_serial(&self, stdout: impl Read, file: &Mutex<std::fs::File>) {
        for line in BufReader::new(stdout).split(b'\n') {
            let Ok(line) = line else { break };
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches('\r');
            self.write_log(file, text);
            let mut state = self.lock();
            state.last_output = Some(Instant::now());
            if state.tail.len() == TAIL_LINES {
                state.tail.pop_front();
            }
            state.tail.push_back(text.to_owned());
            if !state.panicked && PANIC_MARKERS.iter().any(|marker| text.contains(marker)) {
                state.panicked = true;
                state.panic_tail = Some(state.tail.iter().cloned().collect());
            }
        }
        self.lock().ended = true;
        self.ended.notify_all();
    }

    fn write_log(&self, file: &Mutex<std::fs::File>, line: &str) {
        let written = match file.lock() {
            Ok(mut file) => writeln!(file, "{line}"),
            Err(_) => Ok(()),
        };
        if let Err(err) = written {
            let mut state = self.lock();
            if state.log_error.is_none() {
                state.log_error = Some((err.kind(), err.raw_os_error()));
            }
        }
    }

    fn copy_qemu_stderr(&self, stderr: impl Read, file: &Mutex<std::fs::File>) {
        // Bytes, not `lines()`: a line that is not UTF-8 must not stop the copy, or QEMU
        // would block once the pipe is full.
        for line in BufReader::new(stderr).split(b'\n') {
            let Ok(line) = line else { break };
            let line = String::from_utf8_lossy(&line);
            self.write_log(file, &format!("[qemu] {line}"));
            let mut state = self.lock();
            if state.qemu_stderr.len() < 8192 {
                state.qemu_stderr.push_str(&line);
                state.qemu_stderr.push('\n');
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means a console thread panicked; its data is still usable.
        self.state.lock().unwrap_or_else(|err| err.into_inner())
    }

    /// Waits until every line QEMU wrote has been read (call once QEMU has exited).
    pub fn drained(&self) {
        let state = self.lock();
        let _ = self
            .ended
            .wait_timeout_while(state, DRAIN, |state| !state.ended);
    }

    /// Why the log could not be written, if it could not.
    pub fn log_error(&self) -> Option<std::io::Error> {
        let (kind, os) = self.lock().log_error?;
        Some(os.map_or_else(|| kind.into(), std::io::Error::from_raw_os_error))
    }

    pub fn panicked(&self) -> bool {
        self.lock().panicked
    }

    /// When the guest last wrote to the serial console.
    pub fn last_output(&self) -> Option<Instant> {
        self.lock().last_output
    }

    pub fn qemu_stderr(&self) -> String {
        self.lock().qemu_stderr.clone()
    }

    pub fn tail(&self) -> SerialTail {
        SerialTail {
            lines: self.lock().tail.iter().cloned().collect(),
            log: self.log.clone(),
        }
    }

    /// The lines up to and including the kernel's panic message, once it panicked.
    pub fn panic_tail(&self) -> SerialTail {
        let state = self.lock();
        let lines = state
            .panic_tail
            .clone()
            .unwrap_or_else(|| state.tail.iter().cloned().collect());
        SerialTail {
            lines,
            log: self.log.clone(),
        }
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pipe read slowly, as on a host whose CPUs QEMU keeps busy: the console thread is
    /// still far behind when the writer has exited.
    struct Slow<R>(R);

    impl<R: Read> Read for Slow<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            std::thread::sleep(Duration::from_millis(30));
            let n = buf.len().min(512);
            self.0.read(&mut buf[..n])
        }
    }

    #[test]
    fn the_tail_holds_the_last_lines_written_before_the_writer_exited() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("serial.log");
        // A real process writing a boot's worth of lines into a real pipe, then exiting,
        // like QEMU after the initrd's last words.
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg("seq 1 400 | sed 's/^/[ 1.0] line /'; echo 'Failed to mount /dev/vda2 as root file system.'")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = Slow(child.stdout.take().unwrap());
        let stderr = child.stderr.take().unwrap();
        let (console, threads) = Console::spawn(&log, stdout, stderr).unwrap();
        child.wait().unwrap();
        console.drained();
        let tail = console.tail();
        assert_eq!(
            tail.lines.last().map(String::as_str),
            Some("Failed to mount /dev/vda2 as root file system."),
            "{tail}"
        );
        assert_eq!(tail.lines.len(), TAIL_LINES);
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(console.log_error().is_none());
    }

    #[test]
    fn a_log_that_cannot_be_written_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("serial.log");
        std::os::unix::fs::symlink("/dev/full", &log).unwrap();
        let (console, threads) =
            Console::spawn(&log, &b"[ 0.1] Linux version\n"[..], &b""[..]).unwrap();
        for thread in threads {
            thread.join().unwrap();
        }
        let err = console.log_error().expect("the write to /dev/full failed");
        assert_eq!(err.raw_os_error(), Some(libc::ENOSPC));
    }
}
