//! How long work reports itself: the library says what it starts and how it ended, the
//! command line decides how to show it (a live line on a terminal, plain lines in CI). A
//! step that failed or was interrupted says so; only a step that succeeded is "done".

use std::time::Duration;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed,
    /// Ctrl-C or SIGTERM stopped it.
    Interrupted,
}

pub trait Progress {
    /// A step begins (`boot`, `install: mkfs.btrfs`, `probe compsize`).
    fn start(&self, step: &str);
    /// The step begun last has ended, as `outcome` says.
    fn finish(&self, step: &str, elapsed: Duration, outcome: Outcome);
    /// A one-line fact worth telling the user once (the accelerator chosen and why).
    fn note(&self, message: &str);
}

/// Reports nothing: for tests and library users who do not want output.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _step: &str) {}
    fn finish(&self, _step: &str, _elapsed: Duration, _outcome: Outcome) {}
    fn note(&self, _message: &str) {}
}

/// Runs `work` as a step called `step`, reporting how it ended.
pub fn step<T, E>(
    progress: &dyn Progress,
    step: &str,
    work: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let started = std::time::Instant::now();
    progress.start(step);
    let result = work();
    let outcome = match (&result, crate::vm::interrupt::requested()) {
        (Ok(_), _) => Outcome::Done,
        (Err(_), true) => Outcome::Interrupted,
        (Err(_), false) => Outcome::Failed,
    };
    progress.finish(step, started.elapsed(), outcome);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[derive(Default)]
    struct Recorded(RefCell<Vec<Outcome>>);

    impl Progress for Recorded {
        fn start(&self, _step: &str) {}
        fn finish(&self, _step: &str, _elapsed: Duration, outcome: Outcome) {
            self.0.borrow_mut().push(outcome);
        }
        fn note(&self, _message: &str) {}
    }

    #[test]
    fn a_failed_step_is_not_done() {
        let recorded = Recorded::default();
        let _ = step(&recorded, "boot", || Err::<(), _>("QEMU exited"));
        let _ = step(&recorded, "probe", || Ok::<_, ()>(1));
        assert_eq!(*recorded.0.borrow(), [Outcome::Failed, Outcome::Done]);
    }
}
