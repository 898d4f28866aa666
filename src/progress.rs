//! How long work reports itself: the library says what it starts and finishes, the command
//! line decides how to show it (a live line on a terminal, plain lines in CI).

use std::time::Duration;

pub trait Progress {
    /// A step begins (`boot`, `install: mkfs.btrfs`, `probe compsize`).
    fn start(&self, step: &str);
    /// The step begun last has ended.
    fn finish(&self, step: &str, elapsed: Duration);
    /// A one-line fact worth telling the user once (the accelerator chosen and why).
    fn note(&self, message: &str);
}

/// Reports nothing: for tests and library users who do not want output.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _step: &str) {}
    fn finish(&self, _step: &str, _elapsed: Duration) {}
    fn note(&self, _message: &str) {}
}

/// Runs `work` as a step called `step`.
pub fn step<T>(progress: &dyn Progress, step: &str, work: impl FnOnce() -> T) -> T {
    let started = std::time::Instant::now();
    progress.start(step);
    let result = work();
    progress.finish(step, started.elapsed());
    result
}
