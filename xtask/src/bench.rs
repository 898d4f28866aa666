//! `cargo xtask bench`: how fast the VMs are on this machine, as a table: the floor (the same
//! kernel and initrd booted straight to the backdoor shell, no systemd), the real boot to the
//! backdoor and to a settled systemd (`systemctl is-system-running --wait`), each with its
//! ratio to the floor, one command's round trip (median and p99), realizing every scenario,
//! and a whole scenario run. Floor and boot alternate in one run, so both see the same host
//! load.

use std::time::{Duration, Instant};

use nixos_tuning::backend::{debian, Backend, Bundle, Choice, Kind};
use nixos_tuning::lock::Wait;
use nixos_tuning::progress::Silent;
use nixos_tuning::runs::Runs;
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{Claims, Runner};
use xshell::Shell;

use crate::progress::Reporter;

/// Measure boot time against its floor, command round trip and a full scenario run
#[derive(clap::Args)]
pub struct Bench {
    /// Boots (and full runs) to time
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Round trips of `true` per boot
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    round_trips: u32,
    /// Accelerator: auto (KVM when it really works), kvm or tcg
    #[arg(long, default_value = "auto")]
    accel: AccelChoice,
}

/// Every sample, by what was timed.
#[derive(Default)]
struct Samples {
    floor: Vec<Duration>,
    boot: Vec<Duration>,
    /// From QEMU's start to `systemctl is-system-running --wait` returning.
    settled: Vec<Duration>,
    trips: Vec<Duration>,
    realize: Vec<Duration>,
    full: Vec<Duration>,
}

impl Bench {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        nixos_tuning::vm::interrupt::install()?;
        let root = sh.current_dir();
        let reporter = Reporter::new();
        let backend = Backend::choose(Choice::Only(Kind::Debian), &root, self.accel, &reporter)?;
        let baseline = scenario::load_named(&root, scenario::BASELINE)?;
        let bundle = backend.bundle(&baseline, &reporter)?;
        let floor = debian::floor(&bundle)?;
        // Runs of their own: a bench never replaces a scenario's report.
        let runs = Runs::of_project(&root).scratch("bench");
        let runner = Runner {
            backend: &backend,
            runs: runs.clone(),
            claims: Claims::Skip,
            wait: Wait::Wait,
            progress: &Silent,
            sharing: None,
        };
        let boot_dir = runs.root().join("boot");
        let mut samples = Samples::default();
        for run in 1..=self.runs {
            eprintln!("run {run}/{}", self.runs);
            samples.floor.push(floor_boot(&floor, &boot_dir)?);
            let booted = boot_and_trips(&bundle, &boot_dir, self.round_trips)?;
            samples.boot.push(booted.boot);
            samples.settled.push(booted.settled);
            samples.trips.extend(booted.trips);
            samples.realize.push(realize_all(&root)?);
            let started = Instant::now();
            runner.run(&baseline)?;
            samples.full.push(started.elapsed());
        }
        println!("accelerator: {}", backend.accel().name());
        print_table(&samples);
        Ok(())
    }
}

/// The floor: to the backdoor shell without systemd.
fn floor_boot(floor: &Bundle, dir: &std::path::Path) -> anyhow::Result<Duration> {
    let guest = floor.boot(dir, &Silent)?;
    let time = guest.machine.boot_time();
    guest.shutdown()?;
    Ok(time)
}

/// What one real boot measured.
struct Booted {
    boot: Duration,
    settled: Duration,
    trips: Vec<Duration>,
}

/// The real boot, then round trips of a settled guest (the backdoor is up before the boot
/// has finished: what systemd still does after it counts in `settled`).
fn boot_and_trips(
    bundle: &Bundle,
    dir: &std::path::Path,
    round_trips: u32,
) -> anyhow::Result<Booted> {
    let mut guest = bundle.boot(dir, &Silent)?;
    let boot = guest.machine.boot_time();
    let waited = Instant::now();
    let state = guest
        .machine
        .execute("systemctl is-system-running --wait")?;
    let settled = boot + waited.elapsed();
    anyhow::ensure!(
        state.status == 0,
        "systemd did not settle as running: {}",
        state.stdout.trim()
    );
    let mut trips = Vec::new();
    for _ in 0..round_trips {
        let started = Instant::now();
        guest.machine.succeed("true")?;
        trips.push(started.elapsed());
    }
    guest.shutdown()?;
    Ok(Booted {
        boot,
        settled,
        trips,
    })
}

/// Every scenario evaluated and realized for the Debian guest, as `cargo xtask realize` does
/// for one, without booting.
fn realize_all(root: &std::path::Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    for name in scenario::names(root)? {
        debian::realize(&scenario::load_named(root, &name)?)?;
    }
    Ok(started.elapsed())
}

fn print_table(samples: &Samples) {
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9} {:>5}",
        "", "median", "p99", "min", "max", "n"
    );
    let seconds = |durations: &[Duration]| -> Vec<f64> {
        durations.iter().map(Duration::as_secs_f64).collect()
    };
    let ratios = |boots: &[Duration]| -> Vec<f64> {
        boots
            .iter()
            .zip(&samples.floor)
            .map(|(boot, floor)| boot.as_secs_f64() / floor.as_secs_f64())
            .collect()
    };
    row("floor: kernel+initrd to shell (s)", seconds(&samples.floor));
    row("boot to backdoor (s)", seconds(&samples.boot));
    row("boot / floor (x)", ratios(&samples.boot));
    row("boot to systemd settled (s)", seconds(&samples.settled));
    row("settled / floor (x)", ratios(&samples.settled));
    let millis = samples.trips.iter().map(|d| d.as_secs_f64() * 1e3);
    row("`true` round trip (ms)", millis.collect());
    row("realize every scenario (s)", seconds(&samples.realize));
    row("full baseline run (s)", seconds(&samples.full));
}

fn row(name: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    let stats = Stats::of(&values);
    println!(
        "{name:<34} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>5}",
        stats.median,
        stats.p99,
        stats.min,
        stats.max,
        values.len()
    );
}

/// Summary of sorted samples; the percentiles are nearest-rank, so every figure printed is
/// a sample that was measured.
#[derive(Debug, PartialEq)]
struct Stats {
    median: f64,
    p99: f64,
    min: f64,
    max: f64,
}

impl Stats {
    fn of(sorted: &[f64]) -> Stats {
        let rank = |p: f64| -> f64 {
            let n = sorted.len();
            let index = ((p * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1;
            sorted.get(index).copied().unwrap_or_default()
        };
        Stats {
            median: rank(0.5),
            p99: rank(0.99),
            min: sorted.first().copied().unwrap_or_default(),
            max: sorted.last().copied().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_samples() {
        let values: Vec<f64> = (1..=200).map(f64::from).collect();
        let stats = Stats::of(&values);
        assert_eq!((stats.median, stats.p99), (100.0, 198.0));
        assert_eq!((stats.min, stats.max), (1.0, 200.0));
        let few = Stats::of(&[3.0, 5.0]);
        assert_eq!((few.median, few.p99), (3.0, 5.0));
        assert_eq!(Stats::of(&[]).median, 0.0);
    }
}
