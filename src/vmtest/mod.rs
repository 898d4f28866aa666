//! Running a scenario, once for every backend: its [`Bundle`] booted into a fresh attempt,
//! wait for systemd, write the corpus, run every command of [`facts::commands`], keep the raw
//! outputs, measure the claims when asked, turn the outputs into [`Facts`] (snapshotted)
//! and [`Measurements`] (not), and put the run in the scenario's place only when all of that
//! succeeded.

pub mod effects;
pub mod measurements;
pub mod sharing;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::backend::{Backend, Bundle};
use crate::cache::Key;
use crate::diskfull;
use crate::facts::{self, commands, Facts, Outputs};
use crate::figures::Figures;
use crate::lock::Wait;
use crate::optimization::Optimization;
use crate::progress::{self, Progress};
use crate::runs::{self, Attempt, Record, RunDir, Runs};
use crate::scenario::Loaded;
use crate::vm::Machine;
use crate::workload::{self, Workload};
pub use measurements::Measurements;
pub use sharing::Sharing;

/// Whether a run also measures the guide's claims. The claim workloads take minutes under
/// TCG, so the snapshot job does without them; `cargo xtask vmtest --measure` and the test
/// suite run them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claims {
    Skip,
    Measure,
}

/// Set (to anything but empty) for the `vmtest` trials: check the snapshots, and the claims
/// only when a run measured them, without measuring them in the trial itself. `cargo xtask
/// vmtest` without `--measure` sets it, so its snapshot job stays minutes long.
pub const SKIP_CLAIMS: &str = "NIXOS_TUNING_SKIP_CLAIMS";

/// How long systemd may take to settle after the backdoor is up.
const SETTLE: Duration = Duration::from_secs(300);

/// Runs scenarios on one prepared backend, into one set of run directories.
pub struct Runner<'a> {
    pub backend: &'a Backend,
    pub runs: Runs,
    pub claims: Claims,
    /// Whether to wait for another process running the same scenario.
    pub wait: Wait,
    pub progress: &'a dyn Progress,
    /// The turns this run takes with others of the same process, if it shares the host.
    pub sharing: Option<&'a Sharing>,
}

/// A run that completed: its record and what it measured.
#[derive(Debug, Clone)]
pub struct Completed {
    pub record: Record,
    pub measurements: Measurements,
}

impl Runner<'_> {
    /// A new run of `loaded`, whatever ran before.
    pub fn run(&self, loaded: &Loaded) -> anyhow::Result<Completed> {
        let bundle = self.backend.bundle(loaded, self.progress)?;
        self.run_bundle(loaded, &bundle)
    }

    /// The scenario's record: its last run's when that ran on the same inputs (its facts
    /// parsed again from its raw outputs, so a parser change is tested against real guest
    /// output without a boot), otherwise a new run.
    pub fn ensure(&self, loaded: &Loaded) -> anyhow::Result<Record> {
        let bundle = self.backend.bundle(loaded, self.progress)?;
        let dir = self.dir(loaded);
        match self.reusable(&dir, &inputs_key(&bundle))? {
            Some(record) => Ok(Record {
                settings: loaded.settings(),
                optimizations: Optimization::applied_by(loaded),
                ..record
            }),
            None => Ok(self.run_bundle(loaded, &bundle)?.record),
        }
    }

    /// The scenario's directory on this backend.
    pub fn dir(&self, loaded: &Loaded) -> RunDir {
        self.runs
            .scenario(self.backend.kind(), &loaded.scenario.name)
    }

    fn reusable(&self, dir: &RunDir, inputs: &str) -> anyhow::Result<Option<Record>> {
        let Some(record) = dir.record().filter(|r| r.inputs == inputs) else {
            return Ok(None);
        };
        // Figures are kept only for the inputs they were measured on (see `keep_figures`).
        if self.claims == Claims::Measure && dir.figures().is_none() {
            return Ok(None);
        }
        let facts = Facts::from_outputs(&dir.outputs()?)
            .with_context(|| format!("the outputs in {} do not parse", dir.raw_dir().display()))?;
        Ok(Some(Record { facts, ..record }))
    }

    /// A new run of `loaded` booted from `bundle`: the one [`Backend::bundle`] made, or one
    /// its caller changed (the fault tests add a unit that fills the guest's disk).
    pub fn run_bundle(&self, loaded: &Loaded, bundle: &Bundle) -> anyhow::Result<Completed> {
        let purpose = format!("vmtest {}", loaded.scenario.name);
        let attempt = Attempt::begin(&self.dir(loaded), &purpose, self.wait, self.progress)?;
        match self.attempt(&attempt, loaded, bundle) {
            Ok(completed) => {
                attempt.commit()?;
                Ok(completed)
            }
            // The attempt stays, with its serial log and outputs, where the error points.
            Err(err) => {
                let err = diskfull::explain(err, attempt.path(), || "during the run".to_owned());
                Err(err.context(format!(
                    "the run's serial log and raw outputs are kept in {}",
                    attempt.path().display()
                )))
            }
        }
    }

    fn attempt(
        &self,
        attempt: &Attempt,
        loaded: &Loaded,
        bundle: &Bundle,
    ) -> anyhow::Result<Completed> {
        let mut guest = {
            let _beside = self.sharing.map(Sharing::beside);
            bundle.boot(attempt.path(), self.progress)?
        };
        let boot_seconds = guest.machine.boot_time().as_secs_f64();
        let (outputs, probe_seconds) =
            run_commands(&mut guest.machine, attempt, self.progress, self.sharing)?;
        let optimizations = Optimization::applied_by(loaded);
        let disk_image = guest.disk_image().map(Path::to_path_buf);
        let figures = self.measure(
            &mut guest.machine,
            disk_image.as_deref(),
            loaded,
            &optimizations,
            attempt,
        )?;
        progress::step(self.progress, "shut down", || {
            let _beside = self.sharing.map(Sharing::beside);
            guest.shutdown()
        })?;
        let facts = Facts::from_outputs(&outputs).with_context(|| {
            format!(
                "the outputs in {} do not parse",
                attempt.raw_dir().display()
            )
        })?;
        let measurements = Measurements {
            boot_seconds,
            probe_seconds,
            ..Measurements::from_outputs(&outputs)
        };
        attempt.write_json(runs::MEASUREMENTS, &measurements)?;
        let record = Record {
            scenario: loaded.scenario.name.clone(),
            inputs: inputs_key(bundle),
            facts,
            settings: loaded.settings(),
            optimizations,
        };
        keep_figures(attempt, figures, &record.inputs)?;
        attempt.write_json(runs::REPORT, &record)?;
        Ok(Completed {
            record,
            measurements,
        })
    }

    /// Runs the scenario's claim workloads (see [`Workload::for_scenario`]) when asked to.
    fn measure(
        &self,
        machine: &mut Machine,
        disk_image: Option<&Path>,
        loaded: &Loaded,
        optimizations: &[Optimization],
        attempt: &Attempt,
    ) -> anyhow::Result<Option<Figures>> {
        if self.claims == Claims::Skip {
            return Ok(None);
        }
        let setup = workload::Setup {
            disk_image,
            transcript: &attempt.raw_dir().join("workloads.txt"),
            sharing: self.sharing,
        };
        let workloads = Workload::for_scenario(&loaded.scenario, optimizations);
        let measured = workload::run(machine, &workloads, &setup, self.progress)?;
        Ok(Some(Figures {
            scenario: loaded.scenario.name.clone(),
            backend: self.backend.kind().name().to_owned(),
            accel: self.backend.accel().name().to_owned(),
            runs: 1,
            ..measured
        }))
    }
}

/// What a run depends on: the guest, the commands and the claim workloads.
pub fn inputs_key(bundle: &Bundle) -> String {
    let mut key = Key::new("vmtest-run");
    key.add("guest", bundle.inputs.as_bytes())
        .add("commands", include_bytes!("../facts/commands.rs"))
        .add("workloads", workload::fingerprint().as_bytes());
    key.finish()
}

/// This run's figures pooled with the last run's of the same inputs; without new figures,
/// the last run's are kept only if they were measured on these inputs.
fn keep_figures(attempt: &Attempt, figures: Option<Figures>, inputs: &str) -> anyhow::Result<()> {
    let earlier = attempt.target().figures();
    let kept = match figures {
        Some(figures) => Some(
            Figures {
                inputs: inputs.to_owned(),
                ..figures
            }
            .pooled_with(earlier),
        ),
        None => earlier.filter(|f| f.inputs == inputs),
    };
    match kept {
        Some(figures) => attempt.write_json(runs::FIGURES, &figures),
        None => Ok(()),
    }
}

/// Waits for systemd, writes the corpus, runs every command; their outputs and how long
/// each took.
fn run_commands(
    machine: &mut Machine,
    attempt: &Attempt,
    progress: &dyn Progress,
    sharing: Option<&Sharing>,
) -> anyhow::Result<(Outputs, std::collections::BTreeMap<String, f64>)> {
    let write = |name: &str, text: &str| attempt.write_raw(name, text);
    let beside = || sharing.map(Sharing::beside);
    // The commands read a settled system, as a user would after booting.
    let state = progress::step(progress, "wait for systemd", || {
        let _beside = beside();
        machine.execute_within("systemctl is-system-running --wait", SETTLE)
    })?;
    write("is-system-running", &state.stdout)?;
    // Its stderr is kept in the error: a guest disk that ran full says so there.
    progress::step(progress, "write the corpus", || {
        let _beside = beside();
        machine.succeed(&format!("{{ {}\n}} 2>&1", commands::WRITE_CORPUS))
    })
    .context("step `write the corpus` failed: cannot write the compression corpus")?;
    let mut outputs = Outputs::new();
    let mut seconds = std::collections::BTreeMap::new();
    for command in commands::ALL {
        let started = Instant::now();
        let output = progress::step(progress, &format!("probe {}", command.name), || {
            let _beside = beside();
            machine.execute(command.command)
        })?;
        seconds.insert(command.name.to_owned(), started.elapsed().as_secs_f64());
        write(command.name, &output.stdout)?;
        anyhow::ensure!(
            output.status == 0,
            "probe `{}` (`{}`) failed with exit status {}:\n{}",
            command.name,
            command.command,
            output.status,
            output.stdout
        );
        outputs.insert(command.name.to_owned(), output.stdout);
    }
    Ok((outputs, seconds))
}
