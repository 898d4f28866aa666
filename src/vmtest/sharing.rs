//! How scenario runs that go at once in one process share the host's cores: a workload whose
//! figures time the guest's CPU runs alone, so no other guest's work is in its figures; every
//! other step of a run goes beside the steps of the others. A guest that only waits (the
//! discard workload while Btrfs holds the freed space back) takes no turn at all.
//!
//! Turns are taken step by step (a boot, a probe, a workload), so a run that needs to be
//! alone waits at most for the steps under way; while it waits, no new step starts (the
//! lock prefers writers), and the other guests sit idle at their shell.

use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The turn a step takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// It times the guest's CPU: every other run waits between its steps.
    Alone,
    /// It may run beside other runs' steps.
    Beside,
    /// Its guest only waits: it takes no turn.
    Idle,
}

/// A turn taken: held until dropped.
pub struct Taken<'a> {
    _alone: Option<RwLockWriteGuard<'a, ()>>,
    _beside: Option<RwLockReadGuard<'a, ()>>,
}

/// The turns of the runs of one process. A run that shares with nobody has none
/// ([`Runner::sharing`](super::Runner::sharing) is `None`).
#[derive(Debug, Default)]
pub struct Sharing(RwLock<()>);

impl Sharing {
    pub fn new() -> Sharing {
        Sharing::default()
    }

    /// Waits for `turn` and takes it.
    pub fn take(&self, turn: Turn) -> Taken<'_> {
        Taken {
            _alone: (turn == Turn::Alone).then(|| self.alone()),
            _beside: (turn == Turn::Beside).then(|| self.beside()),
        }
    }

    /// Held by a step that may run beside other runs' steps.
    pub fn beside(&self) -> RwLockReadGuard<'_, ()> {
        // A run that panicked holding a turn left nothing to repair: the lock guards no data.
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Held by a step that must run alone: every other run waits between its steps.
    pub fn alone(&self) -> RwLockWriteGuard<'_, ()> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn steps_go_beside_each_other_but_never_beside_one_that_runs_alone() {
        let sharing = Sharing::new();
        let first = sharing.beside();
        assert!(sharing.0.try_read().is_ok(), "a second step beside waits");
        let alone_ran = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let alone = scope.spawn(|| {
                let _alone = sharing.alone();
                alone_ran.store(true, Ordering::SeqCst);
            });
            std::thread::sleep(Duration::from_millis(50));
            assert!(
                !alone_ran.load(Ordering::SeqCst),
                "ran alone while a step was under way"
            );
            drop(first);
            alone.join().unwrap();
        });
        assert!(alone_ran.load(Ordering::SeqCst));
        let _alone = sharing.alone();
        assert!(
            sharing.0.try_read().is_err(),
            "a step started beside one alone"
        );
    }
}
