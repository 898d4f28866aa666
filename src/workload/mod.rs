//! The claim workloads: what runs inside a scenario's VM after the probes, to measure what
//! the guide claims (space and speed of compression, parallel builds, memory pressure with
//! and without zram, swappiness, async discard). Each one records [`Figures`]; the claims
//! compare a scenario's figures with baseline's.
//!
//! The guest side is a few scripts in `guest/`, installed into `/run/nixos-tuning/` once
//! per boot; each prints `key value` lines that [`Fields`] reads.

mod build;
mod corpus;
mod discard;
mod fields;
mod pressure;
mod swappiness;

use std::path::Path;

use anyhow::Context;

use crate::figures::Figures;
use crate::optimization::Optimization;
use crate::progress::{self, Progress};
use crate::scenario::Scenario;
use crate::vm::Machine;
use crate::vmtest::sharing::{Sharing, Turn};
use fields::Fields;

/// One measurement of one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Compression: space saved on the corpus, and its write and read throughput.
    Corpus,
    /// Parallelism: a build of independent derivations at `max-jobs = 1` and as configured.
    Build,
    /// Zram: more memory than the machine has, on the machine's own swap.
    Pressure,
    /// The alternative zram replaces: the same pressure on a swap file on disk.
    DiskSwap,
    /// `vm.swappiness`: swap traffic under the same mixed memory pressure.
    Swappiness,
    /// `discard=async`: what the host still holds of deleted data.
    Discard,
}

/// Discard comes first: what the others delete would otherwise be discarded while it
/// measures, and counted as its own.
const ALL: &[Workload] = &[
    Workload::Discard,
    Workload::Corpus,
    Workload::Build,
    Workload::Pressure,
    Workload::DiskSwap,
    Workload::Swappiness,
];

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Corpus => "corpus",
            Workload::Build => "build",
            Workload::Pressure => "pressure",
            Workload::DiskSwap => "disk-swap",
            Workload::Swappiness => "swappiness",
            Workload::Discard => "discard",
        }
    }

    /// The turn it takes on a shared host: alone when its figures time the guest's CPU
    /// (corpus throughputs, build times), none for discard, whose guest mostly waits (it
    /// takes one for its write itself), beside the other runs otherwise.
    fn turn(self) -> Turn {
        match self {
            Workload::Corpus | Workload::Build => Turn::Alone,
            Workload::Discard => Turn::Idle,
            Workload::Pressure | Workload::DiskSwap | Workload::Swappiness => Turn::Beside,
        }
    }

    /// What measures `optimization`'s claims.
    fn measuring(optimization: Optimization) -> &'static [Workload] {
        match optimization {
            Optimization::Compression => &[Workload::Corpus],
            Optimization::Parallelism => &[Workload::Build],
            Optimization::Zram => &[Workload::Pressure],
            Optimization::Swappiness => &[Workload::Swappiness],
            Optimization::Discard => &[Workload::Discard],
            // The VMs are offline: the claim rests on the settings Nix reports.
            Optimization::BinaryCache => &[],
        }
    }

    /// The workloads a scenario runs, in [`ALL`]'s order: every one in baseline, the
    /// reference each claim is compared with (with the swap file zram is compared with);
    /// none in the scenario of every module, which judges no claim of its own; otherwise
    /// those of the optimizations its modules apply.
    pub fn for_scenario(scenario: &Scenario, optimizations: &[Optimization]) -> Vec<Workload> {
        if scenario.is_baseline() {
            return ALL.to_vec();
        }
        if scenario.is_all() {
            return Vec::new();
        }
        ALL.iter()
            .copied()
            .filter(|workload| {
                optimizations
                    .iter()
                    .any(|o| Workload::measuring(*o).contains(workload))
            })
            .collect()
    }
}

/// Repetitions of the corpus and build workloads in one run. One: what they assert (the
/// space compression saves) is the same in every repetition, and what varies (throughputs,
/// build times and speedup) is decided by the emulated CPU, so it is reported, not asserted
/// (each repetition cost 15-60 s under TCG). Runs on the same inputs pool their samples, so
/// the spread comes from repeated runs (`cargo xtask vmtest --measure` again). In this file,
/// so that a change of it is a change of [`fingerprint`].
const REPETITIONS: usize = 1;

/// Where a run happens: what the workloads need besides the guest's shell.
pub struct Setup<'a> {
    /// The guest's disk image as the host holds it (a qcow2 file), when the backend knows
    /// it; the discard workload measures its allocation.
    pub disk_image: Option<&'a Path>,
    /// Where every workload command and its output is appended, for a reader of the run.
    pub transcript: &'a Path,
    /// The turns taken with other runs of the process, if the host is shared.
    pub sharing: Option<&'a Sharing>,
}

/// The guest scripts, by the name they get under `/run/nixos-tuning/`.
const SCRIPTS: &[(&str, &str)] = &[
    ("corpus-write.sh", include_str!("guest/corpus-write.sh")),
    ("build.nix", include_str!("guest/build.nix")),
    ("build.sh", include_str!("guest/build.sh")),
    ("pressure.py", include_str!("guest/pressure.py")),
    ("pressure.sh", include_str!("guest/pressure.sh")),
    ("swappiness.sh", include_str!("guest/swappiness.sh")),
    ("discard.sh", include_str!("guest/discard.sh")),
    ("fill.py", include_str!("guest/fill.py")),
];

/// What a run's figures depend on besides the guest: the scripts and how many times they run.
pub fn fingerprint() -> String {
    // The Rust side chooses the commands' arguments and the repetitions, so it counts too.
    const SOURCES: &[(&str, &str)] = &[
        ("mod.rs", include_str!("mod.rs")),
        ("build.rs", include_str!("build.rs")),
        ("corpus.rs", include_str!("corpus.rs")),
        ("discard.rs", include_str!("discard.rs")),
        ("pressure.rs", include_str!("pressure.rs")),
        ("swappiness.rs", include_str!("swappiness.rs")),
    ];
    let mut text = String::new();
    for (name, script) in SCRIPTS.iter().chain(SOURCES) {
        text.push_str(name);
        text.push_str(script);
    }
    text
}

/// Runs `workloads` in `machine` and returns what they measured.
pub fn run(
    machine: &mut Machine,
    workloads: &[Workload],
    setup: &Setup,
    progress: &dyn Progress,
) -> anyhow::Result<Figures> {
    let mut figures = Figures::default();
    if workloads.is_empty() {
        return Ok(figures);
    }
    install_scripts(machine)?;
    for &workload in workloads {
        let step = format!("measure {}", workload.name());
        progress::step(progress, &step, || {
            let _turn = setup.sharing.map(|sharing| sharing.take(workload.turn()));
            match workload {
                Workload::Corpus => corpus::run(machine, setup, &mut figures),
                Workload::Build => build::run(machine, setup, &mut figures),
                Workload::Pressure => pressure::run(machine, setup, &mut figures),
                Workload::DiskSwap => pressure::run_on_disk_swap(machine, setup, &mut figures),
                Workload::Swappiness => swappiness::run(machine, setup, &mut figures),
                Workload::Discard => discard::run(machine, setup, &mut figures),
            }
        })
        .with_context(|| format!("workload `{}` failed", workload.name()))?;
    }
    Ok(figures)
}

fn install_scripts(machine: &mut Machine) -> anyhow::Result<()> {
    use base64::Engine;
    machine.succeed("mkdir -p /run/nixos-tuning")?;
    for (name, text) in SCRIPTS {
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        machine
            .succeed(&format!(
                "echo {encoded} | base64 -d > /run/nixos-tuning/{name}"
            ))
            .with_context(|| format!("cannot install the workload script `{name}`"))?;
    }
    Ok(())
}

/// Runs a guest command that prints `key value` lines, failing with its output otherwise;
/// both go to the transcript.
fn fields(
    machine: &mut Machine,
    setup: &Setup,
    command: &str,
    deadline_secs: u64,
) -> anyhow::Result<Fields> {
    let output = machine.execute_within(
        &format!("{command} 2>&1"),
        std::time::Duration::from_secs(deadline_secs),
    )?;
    let entry = format!(
        "$ {command}\n{}[exit status {}]\n\n",
        output.stdout, output.status
    );
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(setup.transcript)
        .and_then(|mut file| std::io::Write::write_all(&mut file, entry.as_bytes()))
        .with_context(|| format!("cannot write `{}`", setup.transcript.display()))?;
    anyhow::ensure!(
        output.status == 0,
        "`{command}` failed with exit status {}:\n{}",
        output.status,
        output.stdout
    );
    Ok(Fields::parse(&output.stdout))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(name: &str) -> Scenario {
        Scenario {
            name: name.into(),
            modules: Vec::new(),
        }
    }

    #[test]
    fn baseline_runs_every_workload_discard_first() {
        let list = Workload::for_scenario(&scenario(crate::scenario::BASELINE), &[]);
        assert_eq!(list, ALL);
        // Discard first: the others' deletions would be discarded while it measures.
        assert_eq!(list[0], Workload::Discard);
    }

    #[test]
    fn a_scenario_runs_the_workloads_of_what_its_modules_apply() {
        let mine = scenario("my-tuning");
        let list = Workload::for_scenario(&mine, &[Optimization::Zram, Optimization::Swappiness]);
        assert_eq!(list, [Workload::Pressure, Workload::Swappiness]);
        assert!(Workload::for_scenario(&mine, &[Optimization::BinaryCache]).is_empty());
        let every = Workload::for_scenario(&scenario(crate::scenario::ALL), &Optimization::ALL);
        assert!(every.is_empty(), "{every:?}");
    }
}
