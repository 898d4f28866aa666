//! The serial console: QEMU's stdout, copied to the log file by a thread that also keeps the
//! last lines, notices a kernel panic and records when the guest last said anything.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

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
}

/// A handle on what the console threads saw.
#[derive(Clone)]
pub struct Console {
    state: Arc<Mutex<State>>,
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
            if let Ok(mut file) = file.lock() {
                let _ = writeln!(file, "{text}");
            }
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
    }

    fn copy_qemu_stderr(&self, stderr: impl Read, file: &Mutex<std::fs::File>) {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Ok(mut file) = file.lock() {
                let _ = writeln!(file, "[qemu] {line}");
            }
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
