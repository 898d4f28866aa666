//! `cargo xtask bench`: how fast the VMs are on this machine: boot to backdoor, one command's
//! round trip, and a whole scenario run, each as median, min and max over repeated runs.

use std::time::{Duration, Instant};

use nixos_tuning::backend::debian;
use nixos_tuning::progress::Silent;
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest;
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
        let prepared = debian::prepare(&root, self.accel, &reporter)?;
        let baseline = scenario::realize_named(&root, "baseline")?;
        let run_dir = root.join("target/vmtest/bench");
        let (mut boots, mut trips, mut full) = (Vec::new(), Vec::new(), Vec::new());
        for run in 1..=self.runs.max(1) {
            eprintln!("run {run}/{}", self.runs);
            let mut guest = debian::boot(&prepared, &baseline, &run_dir, &Silent)?;
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
            vmtest::run(&root, &prepared, &baseline, vmtest::Claims::Skip, &Silent)?;
            full.push(started.elapsed());
        }
        println!("accelerator: {}", prepared.accel.name());
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
