//! Parallelism: one Nix build of independent CPU-bound derivations (no nixpkgs, no network)
//! at `max-jobs = 1`, and one at the machine's own settings, each in its own scope.

use super::{fields, Setup};
use crate::figures::{id, Figures, Spec, Unit};
use crate::probe::nix_config;
use crate::vm::Machine;

const METHOD: &str = "nix-build of 4 independent derivations, each counting to 100000 in \
    /bin/sh, timed in the guest; serial with --max-jobs 1, parallel with the machine's \
    nix.conf; peak memory from the build's cgroup (memory.peak)";

pub const SERIAL: Spec = Spec::new(
    id::BUILD_SERIAL_SECONDS,
    "build time, max-jobs = 1",
    Unit::Seconds,
    METHOD,
    true,
);
pub const PARALLEL: Spec = Spec::new(
    id::BUILD_PARALLEL_SECONDS,
    "build time, as configured",
    Unit::Seconds,
    METHOD,
    true,
);
pub const SPEEDUP: Spec = Spec::new(
    id::BUILD_SPEEDUP,
    "parallel build speedup",
    Unit::Ratio,
    METHOD,
    true,
);
pub const JOBS: Spec = Spec::new(
    id::BUILD_JOBS,
    "max-jobs in effect",
    Unit::Count,
    METHOD,
    false,
);
pub const PEAK: Spec = Spec::new(
    id::BUILD_PEAK_MEMORY_BYTES,
    "peak memory of the build, as configured",
    Unit::Bytes,
    METHOD,
    false,
);

pub fn run(machine: &mut Machine, setup: &Setup, figures: &mut Figures) -> anyhow::Result<()> {
    let config = nix_config::parse(
        &machine.succeed("nix --extra-experimental-features nix-command show-config 2>&1")?,
    )?;
    // show-config prints `auto` resolved; should a Nix print it as is, it means one per CPU.
    let jobs = match config.max_jobs {
        Some(nix_config::MaxJobs::Count(n)) => n as f64,
        Some(nix_config::MaxJobs::Auto) => machine.succeed("nproc")?.trim().parse()?,
        None => anyhow::bail!("`nix show-config` prints no max-jobs"),
    };
    for rep in 0..super::REPETITIONS {
        let build = |machine: &mut Machine, name: &str, options: &str| {
            fields(machine, setup,
                &format!("systemd-run --scope -q sh /run/nixos-tuning/build.sh {name}-{rep}-$RANDOM {options}"),
                600,
            )
        };
        let serial = build(machine, "serial", "--max-jobs 1")?;
        let parallel = build(machine, "parallel", "")?;
        let (serial_s, parallel_s) = (serial.seconds("ns")?, parallel.seconds("ns")?);
        figures.record(&SERIAL, serial_s);
        figures.record(&PARALLEL, parallel_s);
        figures.record(&SPEEDUP, serial_s / parallel_s);
        figures.record(&JOBS, jobs);
        figures.record(&PEAK, parallel.number("peak-bytes")?);
    }
    Ok(())
}
