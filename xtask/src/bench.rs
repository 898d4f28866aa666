//! `cargo xtask bench`: how fast the VMs are on this machine: boot to backdoor, one command's
//! round trip, and a whole scenario run, each as median, min and max over repeated runs.

use std::time::{Duration, Instant};

use nixos_tuning::backend::{Backend, Choice, Kind};
use nixos_tuning::lock::Wait;
use nixos_tuning::progress::Silent;
use nixos_tuning::runs::Runs;
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{Claims, Runner};
use xshell::Shell;

use crate::progress::Reporter;

/// Measure boot time, command round trip and a full scenario run
#[derive(clap::Args)]
pub struct Bench {
    /// Boots (and full runs) to time
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Round trips of `true` per boot
    #[arg(long, default_value_t = 50)]
    round_trips: usize,
    /// Accelerator: auto (KVM when it really works), kvm or tcg
    #[arg(long, default_value = "auto")]
    accel: AccelChoice,
}

impl Bench {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        nixos_tuning::vm::interrupt::install()?;
        let root = sh.current_dir();
        let reporter = Reporter::new();
        let backend = Backend::choose(Choice::Only(Kind::Debian), &root, self.accel, &reporter)?;
        let baseline = scenario::load_named(&root, scenario::BASELINE)?;
        let bundle = backend.bundle(&baseline, &reporter)?;
        // Runs of its own: a bench never replaces a scenario's report.
        let runs = Runs::of_project(&root).scratch("bench");
        let runner = Runner {
            backend: &backend,
            runs: runs.clone(),
            claims: Claims::Skip,
            wait: Wait::Wait,
            progress: &Silent,
        };
        let boot_dir = runs.root().join("boot");
        let (mut boots, mut trips, mut full) = (Vec::new(), Vec::new(), Vec::new());
        for run in 1..=self.runs.max(1) {
            eprintln!("run {run}/{}", self.runs);
            let mut guest = bundle.boot(&boot_dir, &Silent)?;
            boots.push(guest.machine.boot_time());
            // Round trips of a settled guest: the backdoor is up before the boot has finished.
            guest
                .machine
                .execute("systemctl is-system-running --wait")?;
            for _ in 0..self.round_trips {
                let started = Instant::now();
                guest.machine.succeed("true")?;
                trips.push(started.elapsed());
            }
            guest.shutdown()?;
            let started = Instant::now();
            runner.run(&baseline)?;
            full.push(started.elapsed());
        }
        println!("accelerator: {}", backend.accel().name());
        println!("{:<28} {:>10} {:>10} {:>10}", "", "median", "min", "max");
        row("boot to backdoor (s)", &boots, 1.0);
        row("`true` round trip (ms)", &trips, 1000.0);
        row("full baseline run (s)", &full, 1.0);
        Ok(())
    }
}

fn row(name: &str, samples: &[Duration], scale: f64) {
    let mut values: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * scale).collect();
    values.sort_by(f64::total_cmp);
    let median = values.get(values.len() / 2).copied().unwrap_or_default();
    let min = values.first().copied().unwrap_or_default();
    let max = values.last().copied().unwrap_or_default();
    println!(
        "{name:<28} {median:>10.1} {min:>10.1} {max:>10.1} (n={})",
        values.len()
    );
}
