//! `cargo xtask vmtest <scenario>... | --all`: runs each scenario's VM with progress, then
//! checks its snapshots through the `vmtest` test target (so `cargo insta review` sees the
//! same snapshots), prints a summary table and fails with the diff when one changed.
//!
//! Exit status: 0 every snapshot matched and every asserted claim held; 1 a snapshot changed,
//! a claim fell outside its band or a run failed; 69 the check itself could not run (no trial
//! found, nextest missing or failing to start); 75 with `--no-wait`, another process was
//! running one of the scenarios; 2 bad arguments; 130 and 143 interrupted by SIGINT and
//! SIGTERM (the run's logs are kept where the message says).

use std::time::Instant;

use anyhow::Context;
use nixos_tuning::backend::{Backend, Choice};
use nixos_tuning::lock::Wait;
use nixos_tuning::runs::{Check, Runs};
use nixos_tuning::scenario::{self, BASELINE};
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{effects, Claims, Runner, SKIP_CLAIMS};
use xshell::{cmd, Shell};

use crate::progress::{in_ci, Reporter};

/// The check could not run: not a snapshot diff (sysexits' EX_UNAVAILABLE).
pub const CHECK_UNAVAILABLE: u8 = 69;

/// With `--no-wait`, another process runs the scenario: try again later (EX_TEMPFAIL).
pub const BUSY: u8 = 75;

/// Boot scenarios in VMs, run the guide's commands and check their snapshots
///
/// Exit status: 0 all matched; 1 a snapshot changed, a claim failed or a run failed; 69 the
/// snapshot check could not run; 75 `--no-wait` and another process runs a scenario; 130
/// SIGINT; 143 SIGTERM.
#[derive(clap::Args)]
pub struct Vmtest {
    /// Scenarios to run (see `cargo xtask list`)
    scenarios: Vec<String>,
    /// Run every scenario
    #[arg(long, conflicts_with = "scenarios")]
    all: bool,
    /// Accelerator: auto (KVM when it really works), kvm or tcg
    #[arg(long, default_value = "auto")]
    accel: AccelChoice,
    /// Backend: auto (nixos where a Nix with flakes can build the flake, else debian),
    /// nixos or debian
    #[arg(long, default_value = "auto")]
    backend: Choice,
    /// Also measure the guide's claims in each VM (and in baseline's), for
    /// `cargo xtask report`: minutes per scenario under TCG
    #[arg(long)]
    measure: bool,
    /// Fail at once (exit status 75) when another process runs one of these scenarios,
    /// instead of waiting for it
    #[arg(long)]
    no_wait: bool,
}

struct Row {
    name: String,
    boot: f64,
    total: f64,
    changes: usize,
    check: &'static str,
}

impl Vmtest {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        nixos_tuning::vm::interrupt::install()?;
        let root = sh.current_dir();
        let names = self.selected(&root)?;
        let reporter = Reporter::new();
        let backend = Backend::choose(self.backend, &root, self.accel, &reporter)?;
        let runner = Runner {
            backend: &backend,
            runs: Runs::of_project(&root),
            claims: if self.measure {
                Claims::Measure
            } else {
                Claims::Skip
            },
            wait: if self.no_wait {
                Wait::NoWait
            } else {
                Wait::Wait
            },
            progress: &reporter,
            sharing: None,
        };
        let mut rows = Vec::new();
        let mut records = Vec::new();
        for name in &names {
            eprintln!("== {name}");
            let started = Instant::now();
            let completed = scenario::load_named(&root, name)
                .map_err(anyhow::Error::from)
                .and_then(|loaded| runner.run(&loaded))
                .with_context(|| format!("scenario `{name}` failed"))?;
            rows.push(Row {
                name: name.clone(),
                boot: completed.measurements.boot_seconds,
                total: started.elapsed().as_secs_f64(),
                changes: 0,
                check: "",
            });
            records.push(completed.record);
        }
        let baseline = match records.iter().find(|r| r.scenario == BASELINE) {
            Some(record) => record.clone(),
            None => {
                eprintln!("== {BASELINE} (for the effects)");
                runner.ensure(&scenario::load_named(&root, BASELINE)?)?
            }
        };
        for (row, record) in rows.iter_mut().zip(&records) {
            row.changes = effects::diff(&baseline.facts, &record.facts).len();
        }
        let checks = self.check(sh, &runner, &mut rows)?;
        print_table(&rows);
        summarize(&checks)
    }

    /// Runs each scenario's trial and reads what it found.
    fn check(
        &self,
        sh: &Shell,
        runner: &Runner,
        rows: &mut [Row],
    ) -> anyhow::Result<Vec<(String, Option<Check>)>> {
        let kind = runner.backend.kind();
        let profile = if in_ci() { "ci" } else { "default" };
        let skip = if self.measure { "" } else { "1" };
        let mut checks = Vec::new();
        for row in rows {
            let check_file = runner.runs.check_file(kind, &row.name);
            let _ = std::fs::remove_file(&check_file);
            let filter = format!("test(={kind}::{})", row.name);
            let ran = cmd!(
                sh,
                "cargo nextest run --profile {profile} --test vmtest -E {filter}"
            )
            // The diff is what matters; a backtrace of the assertion is noise.
            .env("RUST_BACKTRACE", "0")
            .env(SKIP_CLAIMS, skip)
            .quiet()
            .run();
            let check = Check::read(&check_file);
            row.check = match (&check, ran.is_ok()) {
                (Some(check), true) if check.passed() => "matches",
                (Some(check), _) if !check.snapshots.is_empty() => "CHANGED",
                (Some(check), _) if check.error.is_some() => "FAILED",
                (Some(_), _) => "CLAIMS",
                (None, _) => "NOT RUN",
            };
            checks.push((row.name.clone(), check));
        }
        Ok(checks)
    }

    fn selected(&self, root: &std::path::Path) -> anyhow::Result<Vec<String>> {
        if self.all {
            return Ok(scenario::names(root)?);
        }
        anyhow::ensure!(
            !self.scenarios.is_empty(),
            "name one or more scenarios, or --all; the scenarios are: {}",
            scenario::names(root)?.join(", ")
        );
        for name in &self.scenarios {
            scenario::find(root, name)?;
        }
        Ok(self.scenarios.clone())
    }
}

/// Prints what went wrong and ends with its exit status.
fn summarize(checks: &[(String, Option<Check>)]) -> anyhow::Result<()> {
    let (text, status) = summary(checks);
    eprint!("{text}");
    match status {
        0 => Ok(()),
        status => Err(crate::Exit(status).into()),
    }
}

/// What went wrong, in the order a user fixes it (the check that could not run first), and
/// the exit status. Only a changed snapshot is sent to `cargo insta review`.
fn summary(checks: &[(String, Option<Check>)]) -> (String, u8) {
    let names = |keep: &dyn Fn(&Option<Check>) -> bool| -> String {
        let names: Vec<&str> = checks
            .iter()
            .filter(|(_, c)| keep(c))
            .map(|(n, _)| n.as_str())
            .collect();
        names.join(", ")
    };
    let not_run = names(&|c| c.is_none());
    if !not_run.is_empty() {
        let text = format!(
            "\nthe snapshot check did not run for: {not_run}\nnextest found no trial to run, \
             or could not start (is cargo-nextest installed? run `tools/setup-debian.sh`); its \
             output is above. No snapshot was compared.\n"
        );
        return (text, CHECK_UNAVAILABLE);
    }
    let mut text = String::new();
    let failed = names(&|c| c.as_ref().is_some_and(|c| c.error.is_some()));
    let changed = names(&|c| c.as_ref().is_some_and(|c| !c.snapshots.is_empty()));
    let claims = names(&|c| c.as_ref().is_some_and(|c| c.claims.is_some()));
    if !failed.is_empty() {
        text += &format!("\nthe trial could not run its scenario: {failed}; its error is above\n");
    }
    if !changed.is_empty() {
        text += &format!(
            "\nsnapshots changed for: {changed}\nread the diffs above; if the change is \
             intended, accept it with `cargo insta review`\n"
        );
    }
    if !claims.is_empty() {
        text += &format!(
            "\nclaims outside their bands for: {claims}; the measured figures are above\n"
        );
    }
    let status = if text.is_empty() { 0 } else { 1 };
    (text, status)
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<14} {:>8} {:>8} {:>8}  snapshot",
        "scenario", "boot s", "total s", "effects"
    );
    for row in rows {
        println!(
            "{:<14} {:>8.1} {:>8.1} {:>8}  {}",
            row.name, row.boot, row.total, row.changes, row.check
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(check: Option<Check>) -> Vec<(String, Option<Check>)> {
        vec![("parallelism".to_owned(), check)]
    }

    #[test]
    fn a_trial_that_never_ran_is_not_a_snapshot_diff() {
        let (text, status) = summary(&checked(None));
        assert_eq!(status, CHECK_UNAVAILABLE);
        assert!(text.contains("did not run for: parallelism"), "{text}");
        assert!(!text.contains("insta review"), "{text}");
    }

    #[test]
    fn only_a_changed_snapshot_is_sent_to_review() {
        let changed = Check {
            snapshots: vec!["diff".into()],
            ..Check::default()
        };
        let (text, status) = summary(&checked(Some(changed)));
        assert_eq!(status, 1);
        assert!(text.contains("cargo insta review"), "{text}");
        let out_of_band = Check {
            claims: Some("ssd.swappiness".into()),
            ..Check::default()
        };
        let (text, status) = summary(&checked(Some(out_of_band)));
        assert_eq!(status, 1);
        assert!(!text.contains("insta review"), "{text}");
        assert_eq!(
            summary(&checked(Some(Check::default()))),
            (String::new(), 0)
        );
    }
}
