//! What the VM tests share: the project, a progress that records how each step ended (and
//! can inject a fault when one starts), and the checks that nothing is left behind (with
//! `tests/shared`, which the command line's tests use too).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use nixos_tuning::progress::{Outcome, Progress};

pub fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

type Hook = Box<dyn Fn() + Send + Sync>;

/// Every step's end and every note, in order; `hook` runs when the step it names starts.
#[derive(Default)]
pub struct Recorder {
    finished: Mutex<Vec<(String, Outcome)>>,
    notes: Mutex<Vec<String>>,
    hook: Option<(String, Hook)>,
}

impl Recorder {
    /// Runs `fault` when the step `step` starts.
    pub fn injecting(step: &str, fault: impl Fn() + Send + Sync + 'static) -> Recorder {
        Recorder {
            hook: Some((step.to_owned(), Box::new(fault))),
            ..Recorder::default()
        }
    }

    pub fn finished(&self) -> Vec<(String, Outcome)> {
        self.finished.lock().unwrap().clone()
    }

    pub fn outcome(&self, step: &str) -> Option<Outcome> {
        self.finished()
            .into_iter()
            .find(|(name, _)| name == step)
            .map(|(_, outcome)| outcome)
    }
}

impl Progress for Recorder {
    fn start(&self, step: &str) {
        if let Some((at, fault)) = &self.hook {
            if at == step {
                fault();
            }
        }
    }

    fn finish(&self, step: &str, _elapsed: Duration, outcome: Outcome) {
        self.finished
            .lock()
            .unwrap()
            .push((step.to_owned(), outcome));
    }

    fn note(&self, message: &str) {
        self.notes.lock().unwrap().push(message.to_owned());
    }
}

/// The QEMU processes this test process started: their sockets live in its directories
/// (`<tmp>/nixos-tuning-<pid>-<n>`).
pub fn qemu_of_this_process() -> Vec<u32> {
    crate::shared::qemu_with(&format!("nixos-tuning-{}-", std::process::id()))
}

/// The socket directories of this process still in the temporary directory.
pub fn socket_dirs_of_this_process() -> Vec<PathBuf> {
    let marker = format!("nixos-tuning-{}-", std::process::id());
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&marker))
        .map(|entry| entry.path())
        .collect()
}

/// SIGKILL to every QEMU of this process, as `kill -9` from a shell.
pub fn kill_qemu() {
    let pids = qemu_of_this_process();
    assert_eq!(pids.len(), 1, "one QEMU runs the guest: {pids:?}");
    // SAFETY: kill(2) on a process this test started.
    unsafe { libc::kill(pids[0] as i32, libc::SIGKILL) };
}

/// Where the error says the failed run's logs are kept.
pub fn kept_attempt(err: &anyhow::Error) -> PathBuf {
    const KEPT: &str = "the run's serial log and raw outputs are kept in ";
    err.chain()
        .find_map(|cause| cause.to_string().strip_prefix(KEPT).map(PathBuf::from))
        .unwrap_or_else(|| panic!("the error does not say where the run is kept: {err:#}"))
}
