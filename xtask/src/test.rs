//! `cargo xtask test`: the whole test suite. Prepares each backend once (the Debian guest's
//! image and base disk, the accelerator) and makes (or reuses) every scenario's run with its
//! claims measured, with progress, on the debian backend and, where Nix can build the flake,
//! on the nixos one too, so no test spends its deadline on a first build or run; then runs
//! nextest.
//!
//! The scenario runs go several at once ([`JOBS`]): a TCG guest keeps about one host core
//! busy, since most of what runs in it is one thread, and the discard workload leaves its
//! guest idle for two minutes while Btrfs holds the freed space back. A workload whose
//! figures time the guest's CPU (build times, throughputs) still runs alone: the runs share
//! the host through [`Sharing`].

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use anyhow::Context;
use nixos_tuning::backend::{Backend, Choice, Kind};
use nixos_tuning::lock::Wait;
use nixos_tuning::runs::Runs;
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{Claims, Runner, Sharing};
use xshell::{cmd, Shell};

use crate::progress::Reporter;

/// Run every test, VM tests included
#[derive(clap::Args)]
pub struct Test {
    /// Arguments passed on to `cargo nextest run`
    #[arg(last = true)]
    nextest_args: Vec<String>,
}

impl Test {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        nixos_tuning::vm::interrupt::install()?;
        let reporter = Reporter::new();
        let root = sh.current_dir();
        let mut selections = vec![Choice::Only(Kind::Debian).resolve(&root)?];
        let auto = Choice::Auto.resolve(&root)?;
        eprintln!("{}", auto.reason);
        if auto.kind == Kind::Nixos {
            selections.push(auto);
        }
        for selection in selections {
            let kind = selection.kind;
            let backend = Backend::prepare(selection, &root, AccelChoice::Auto, &reporter)?;
            let names = scenario::names(&root)?;
            let jobs = jobs(names.len())?;
            eprintln!(
                "{} scenario runs on the {kind} backend, {jobs} at a time",
                names.len()
            );
            ensure_all(&backend, kind, &root, names, jobs)?;
        }
        let profile = if crate::progress::in_ci() {
            "ci"
        } else {
            "default"
        };
        let args = self.nextest_args;
        cmd!(
            sh,
            "cargo nextest run --workspace --profile {profile} {args...}"
        )
        .run()?;
        Ok(())
    }
}

/// How many scenario runs go at once: one per host core unless this says otherwise (`1`
/// runs them one after the other, as `cargo xtask vmtest --all --measure` does).
pub const JOBS: &str = "NIXOS_TUNING_JOBS";

fn jobs(scenarios: usize) -> anyhow::Result<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    jobs_from(std::env::var(JOBS).ok().as_deref(), cores, scenarios)
}

/// [`JOBS`]'s value if set, else `cores`; never more than there are scenarios.
fn jobs_from(setting: Option<&str>, cores: usize, scenarios: usize) -> anyhow::Result<usize> {
    let jobs = match setting {
        Some(value) => value
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| {
                format!("{JOBS}={value:?}: give how many scenario runs may go at once, 1 or more")
            })?,
        None => cores,
    };
    Ok(jobs.clamp(1, scenarios.max(1)))
}

/// Makes (or reuses) every scenario's run, `jobs` at a time, in the order of `names`
/// (baseline first: it runs every workload, so it is the longest). After a failure no run
/// starts; the ones under way finish, and an error of one that failed is returned.
fn ensure_all(
    backend: &Backend,
    kind: Kind,
    root: &Path,
    names: Vec<String>,
    jobs: usize,
) -> anyhow::Result<()> {
    let queue = Mutex::new(names.into_iter());
    let sharing = Sharing::new();
    let failed = AtomicBool::new(false);
    let worker = || -> anyhow::Result<()> {
        while !failed.load(Ordering::Relaxed) {
            let Some(name) = queue
                .lock()
                .map_err(|_| anyhow::anyhow!("a scenario job panicked"))?
                .next()
            else {
                break;
            };
            let reporter = if jobs > 1 {
                Reporter::for_job(&name)
            } else {
                Reporter::new()
            };
            eprintln!("== {kind} {name}");
            let runner = Runner {
                backend,
                runs: Runs::of_project(root),
                claims: Claims::Measure,
                wait: Wait::Wait,
                progress: &reporter,
                sharing: Some(&sharing),
            };
            let made = scenario::load_named(root, &name)
                .map_err(anyhow::Error::from)
                .and_then(|loaded| runner.ensure(&loaded))
                .with_context(|| format!("scenario `{name}` failed on the {kind} backend"));
            if let Err(error) = made {
                failed.store(true, Ordering::Relaxed);
                return Err(error);
            }
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let running: Vec<_> = (0..jobs).map(|_| scope.spawn(worker)).collect();
        let mut first = Ok(());
        for job in running {
            let ended = job
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("a scenario job panicked")));
            if first.is_ok() {
                first = ended;
            }
        }
        first
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_job_per_core_unless_told_and_never_more_than_scenarios() {
        assert_eq!(jobs_from(None, 2, 7).unwrap(), 2);
        assert_eq!(jobs_from(None, 16, 7).unwrap(), 7);
        assert_eq!(jobs_from(Some("1"), 16, 7).unwrap(), 1);
        assert_eq!(jobs_from(Some("3"), 2, 7).unwrap(), 3);
    }

    #[test]
    fn a_jobs_setting_that_is_no_positive_number_is_refused_naming_it() {
        for bad in ["0", "two", "-1", ""] {
            let error = jobs_from(Some(bad), 2, 7).unwrap_err().to_string();
            assert!(error.starts_with(&format!("{JOBS}=")), "{error}");
            assert!(error.contains("1 or more"), "{error}");
        }
    }
}
