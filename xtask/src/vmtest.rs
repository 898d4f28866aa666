//! `cargo xtask vmtest <scenario>... | --all`: boots each scenario's VM with progress, then
//! checks its snapshots through the `vmtest` test target (so `cargo insta review` sees the
//! same snapshots), prints a summary table and fails with the diff when one changed.

use std::time::Instant;

use anyhow::Context;
use nixos_tuning::backend::nixos::{self, nix};
use nixos_tuning::backend::{debian, Backend, Choice, Kind};
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{self, Claims};
use xshell::{cmd, Shell};

use crate::progress::{in_ci, Reporter};

/// Boot scenarios in VMs, run the guide's commands and check their snapshots
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
}

/// What runs the scenarios: the Debian guest, prepared once, or Nix, which builds each VM.
enum Runner {
    Debian(Box<debian::Prepared>),
    Nixos(nix::Nix),
}

struct Row {
    name: String,
    boot: f64,
    total: f64,
    changes: usize,
    snapshot: &'static str,
}

impl Vmtest {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        nixos_tuning::vm::interrupt::install()?;
        let root = sh.current_dir();
        let names = self.selected(&root)?;
        let resolved = self.backend.resolve(&root)?;
        eprintln!("{}", resolved.reason);
        let backend = resolved.kind();
        let reporter = Reporter::new();
        let runner = match resolved.backend {
            Backend::Debian => {
                Runner::Debian(Box::new(debian::prepare(&root, self.accel, &reporter)?))
            }
            Backend::Nixos(nix) => Runner::Nixos(nix),
        };
        let claims = match self.measure {
            true => Claims::Measure,
            false => Claims::Skip,
        };
        let mut rows = Vec::new();
        for name in &names {
            eprintln!("== {name}");
            let started = Instant::now();
            match &runner {
                Runner::Nixos(nix) => nixos::prepare(nix, &root, name, &reporter)
                    .and_then(|vm| vmtest::run_nixos(&root, &vm, claims, &reporter)),
                Runner::Debian(prepared) => scenario::realize_named(&root, name)
                    .map_err(anyhow::Error::from)
                    .and_then(|realized| {
                        vmtest::run(&root, prepared, &realized, claims, &reporter)
                    }),
            }
            .with_context(|| format!("scenario `{name}` failed"))?;
            let measurements = read_measurements(&root, backend, name);
            rows.push(Row {
                name: name.clone(),
                boot: measurements.boot_seconds,
                total: started.elapsed().as_secs_f64(),
                changes: 0,
                snapshot: "",
            });
        }
        if !names.iter().any(|n| n == "baseline") {
            eprintln!("== baseline (for the effects)");
            vmtest::ensure(&root, backend, "baseline", self.accel, claims, &reporter)?;
        }
        let mut failed = Vec::new();
        for row in &mut rows {
            row.changes = count_changes(&root, backend, &row.name);
            let profile = if in_ci() { "ci" } else { "default" };
            let filter = format!("test(={backend}::{})", row.name);
            let ok = cmd!(
                sh,
                "cargo nextest run --profile {profile} --test vmtest -E {filter}"
            )
            // The diff is what matters; a backtrace of the assertion is noise.
            .env("RUST_BACKTRACE", "0")
            .quiet()
            .run()
            .is_ok();
            row.snapshot = if ok { "matches" } else { "CHANGED" };
            if !ok {
                failed.push(row.name.clone());
            }
        }
        print_table(&rows);
        if !failed.is_empty() {
            eprintln!(
                "\nsnapshots changed for: {}\nread the diffs above; if the change is intended, \
                 accept it with `cargo insta review`",
                failed.join(", ")
            );
            return Err(crate::Exit(1).into());
        }
        Ok(())
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

fn read_measurements(root: &std::path::Path, backend: Kind, name: &str) -> vmtest::Measurements {
    let path = vmtest::out_dir(root, backend, name).join("measurements.json");
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn count_changes(root: &std::path::Path, backend: Kind, name: &str) -> usize {
    let read = |n: &str| -> Option<vmtest::Report> {
        let bytes = std::fs::read(vmtest::out_dir(root, backend, n).join("report.json")).ok()?;
        serde_json::from_slice(&bytes).ok()
    };
    match (read("baseline"), read(name)) {
        (Some(base), Some(this)) => vmtest::effects::diff(&base.facts, &this.facts).len(),
        _ => 0,
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<14} {:>8} {:>8} {:>8}  snapshot",
        "scenario", "boot s", "total s", "effects"
    );
    for row in rows {
        println!(
            "{:<14} {:>8.1} {:>8.1} {:>8}  {}",
            row.name, row.boot, row.total, row.changes, row.snapshot
        );
    }
}
