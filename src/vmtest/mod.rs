//! Running a scenario: boot its VM, wait for systemd, write the corpus, run every probe, keep
//! the raw outputs and the serial log under `target/vmtest/<backend>/<scenario>/`, and turn
//! the outputs into [`Facts`] (snapshotted) and [`Measurements`] (not).

pub mod effects;
pub mod facts;
pub mod measurements;
pub mod probes;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::backend::debian::{self, Prepared};
use crate::backend::nixos::{self, Vm};
use crate::backend::{Backend, Choice, Kind};
use crate::cache::Key;
use crate::figures::Figures;
use crate::progress::{self, Progress};
use crate::scenario::Realized;
use crate::vm::accel::AccelChoice;
use crate::vm::Machine;
use crate::workload::{self, Workload};
pub use facts::{Facts, Outputs};
pub use measurements::Measurements;

/// Whether a run also measures the guide's claims. The claim workloads take minutes under
/// TCG (Btrfs alone holds freed space 120 s before discarding it), so the snapshot job does
/// without them; `cargo xtask vmtest --measure` and the test suite run them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claims {
    Skip,
    Measure,
}

/// Repetitions of the cheap claim workloads in one run, for their spread.
const REPETITIONS: usize = 3;

/// Where a scenario's run on `backend` keeps everything.
pub fn out_dir(project_root: &Path, backend: Kind, scenario: &str) -> PathBuf {
    project_root
        .join("target/vmtest")
        .join(backend.name())
        .join(scenario)
}

/// What `report.json` holds: the facts and the inputs they came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub scenario: String,
    /// A hash of the image, the base disk, the scenario's files and the probes: what the VM
    /// run depends on. A report with another key is stale.
    pub inputs: String,
    pub facts: Facts,
}

/// The hash a report must carry to be reused for `realized` on `prepared`.
pub fn inputs_key(prepared: &Prepared, realized: &Realized) -> String {
    let mut key = Key::new("vmtest-report");
    key.add("image", prepared.image.key.as_bytes())
        .add("base", prepared.base_disk.to_string_lossy().as_bytes())
        .add("files", format!("{:?}", realized.files).as_bytes())
        .add("rootflags", realized.root_options.join(",").as_bytes())
        .add("probes", include_bytes!("probes.rs"))
        .add("workloads", workload::fingerprint().as_bytes());
    key.finish()
}

/// The hash a nixos report must carry: the VM's store path covers the whole system.
pub fn nixos_inputs_key(vm: &Vm) -> String {
    let mut key = Key::new("vmtest-report-nixos");
    key.add("vm", vm.out.to_string_lossy().as_bytes())
        .add("probes", include_bytes!("probes.rs"))
        .add("workloads", workload::fingerprint().as_bytes());
    key.finish()
}

/// Runs `realized` in a fresh VM and writes its report, measurements and raw outputs.
pub fn run(
    project_root: &Path,
    prepared: &Prepared,
    realized: &Realized,
    claims: Claims,
    progress: &dyn Progress,
) -> anyhow::Result<Report> {
    let dir = out_dir(project_root, Kind::Debian, &realized.scenario);
    let raw = fresh_raw_dir(&dir)?;
    let mut guest = debian::boot(prepared, realized, &dir, progress)?;
    let mut measurements = Measurements {
        boot_seconds: guest.machine.boot_time().as_secs_f64(),
        ..Measurements::default()
    };
    let outputs = run_probes(&mut guest.machine, &raw, &mut measurements, progress)?;
    let disk_image = guest.disk_image().to_path_buf();
    let figures = measure(
        claims,
        &mut guest.machine,
        &raw,
        &realized.scenario,
        Kind::Debian,
        prepared.accel.name(),
        Some(&disk_image),
        progress,
    )?;
    progress::step(progress, "shut down", || guest.shutdown())?;
    let inputs = inputs_key(prepared, realized);
    finish(
        &dir,
        &realized.scenario,
        inputs,
        &outputs,
        measurements,
        figures,
    )
}

/// Runs the built NixOS `vm` and writes its report, measurements and raw outputs.
pub fn run_nixos(
    project_root: &Path,
    vm: &Vm,
    claims: Claims,
    progress: &dyn Progress,
) -> anyhow::Result<Report> {
    let dir = out_dir(project_root, Kind::Nixos, &vm.scenario);
    let raw = fresh_raw_dir(&dir)?;
    let mut machine = nixos::boot(vm, &dir, progress)?;
    let mut measurements = Measurements {
        boot_seconds: machine.boot_time().as_secs_f64(),
        ..Measurements::default()
    };
    let outputs = run_probes(&mut machine, &raw, &mut measurements, progress)?;
    // The accelerator is QEMU's own choice in NixOS's run script: KVM when it can.
    let accel = if std::path::Path::new("/dev/kvm").exists() {
        "kvm"
    } else {
        "tcg"
    };
    let figures = measure(
        claims,
        &mut machine,
        &raw,
        &vm.scenario,
        Kind::Nixos,
        accel,
        None,
        progress,
    )?;
    progress::step(progress, "shut down", || machine.shutdown())?;
    finish(
        &dir,
        &vm.scenario,
        nixos_inputs_key(vm),
        &outputs,
        measurements,
        figures,
    )
}

/// Runs the scenario's claim workloads (see [`Workload::for_scenario`]) when asked to.
#[allow(clippy::too_many_arguments)]
fn measure(
    claims: Claims,
    machine: &mut Machine,
    raw: &Path,
    scenario: &str,
    backend: Kind,
    accel: &str,
    disk_image: Option<&Path>,
    progress: &dyn Progress,
) -> anyhow::Result<Option<Figures>> {
    if claims == Claims::Skip {
        return Ok(None);
    }
    let setup = workload::Setup {
        disk_image,
        repetitions: REPETITIONS,
        transcript: &raw.join("workloads.txt"),
    };
    let measured = workload::run(machine, Workload::for_scenario(scenario), &setup, progress)?;
    Ok(Some(Figures {
        scenario: scenario.to_owned(),
        backend: backend.name().to_owned(),
        accel: accel.to_owned(),
        runs: 1,
        ..measured
    }))
}

fn fresh_raw_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    let raw = dir.join("raw");
    let _ = std::fs::remove_dir_all(&raw);
    std::fs::create_dir_all(&raw).with_context(|| format!("cannot create `{}`", raw.display()))?;
    Ok(raw)
}

fn finish(
    dir: &Path,
    scenario: &str,
    inputs: String,
    outputs: &Outputs,
    mut measurements: Measurements,
    figures: Option<Figures>,
) -> anyhow::Result<Report> {
    let raw = dir.join("raw");
    let facts = Facts::from_outputs(outputs)
        .with_context(|| format!("the outputs in {} do not parse", raw.display()))?;
    let probe_seconds = std::mem::take(&mut measurements.probe_seconds);
    measurements = Measurements {
        boot_seconds: measurements.boot_seconds,
        probe_seconds,
        ..Measurements::from_outputs(outputs)
    };
    let report = Report {
        scenario: scenario.to_owned(),
        inputs,
        facts,
    };
    write_json(&dir.join("measurements.json"), &measurements)?;
    let kept = dir.join("figures.json");
    match figures {
        Some(figures) => {
            let figures = Figures {
                inputs: report.inputs.clone(),
                ..figures
            }
            .pooled_with(read_json(&kept));
            write_json(&kept, &figures)?;
        }
        // Figures measured on other inputs no longer describe this scenario.
        None => {
            let earlier: Option<Figures> = read_json(&kept);
            if earlier.is_some_and(|f| f.inputs != report.inputs) {
                let _ = std::fs::remove_file(&kept);
            }
        }
    }
    write_json(&dir.join("report.json"), &report)?;
    Ok(report)
}

fn run_probes(
    machine: &mut Machine,
    raw: &Path,
    measurements: &mut Measurements,
    progress: &dyn Progress,
) -> anyhow::Result<Outputs> {
    let mut outputs = Outputs::new();
    // The probes read a settled system, as a user would after booting.
    let state = progress::step(progress, "wait for systemd", || {
        machine.execute_within(
            "systemctl is-system-running --wait",
            Duration::from_secs(300),
        )
    })?;
    std::fs::write(raw.join("is-system-running.txt"), &state.stdout)?;
    progress::step(progress, "write the corpus", || {
        machine.succeed(probes::WRITE_CORPUS)
    })
    .context("cannot write the compression corpus")?;
    for probe in probes::PROBES {
        let started = Instant::now();
        let output = progress::step(progress, &format!("probe {}", probe.name), || {
            machine.execute(probe.command)
        })?;
        measurements
            .probe_seconds
            .insert(probe.name.to_owned(), started.elapsed().as_secs_f64());
        std::fs::write(raw.join(format!("{}.txt", probe.name)), &output.stdout)?;
        anyhow::ensure!(
            output.status == 0,
            "probe `{}` (`{}`) failed with exit status {}:\n{}",
            probe.name,
            probe.command,
            output.status,
            output.stdout
        );
        outputs.insert(probe.name.to_owned(), output.stdout);
    }
    Ok(outputs)
}

/// The scenario's report: when a run with the same inputs left its raw outputs, the facts
/// are parsed from them again (so a parser change is always tested against real guest
/// output without a boot); otherwise a new run.
pub fn ensure(
    project_root: &Path,
    backend: Kind,
    scenario: &str,
    accel: AccelChoice,
    claims: Claims,
    progress: &dyn Progress,
) -> anyhow::Result<Report> {
    if backend == Kind::Nixos {
        return ensure_nixos(project_root, scenario, claims, progress);
    }
    let realized = crate::scenario::realize_named(project_root, scenario)?;
    let prepared = debian::prepare(project_root, accel, progress)?;
    if let Some(report) = reuse(
        project_root,
        backend,
        scenario,
        &inputs_key(&prepared, &realized),
        claims,
    )? {
        return Ok(report);
    }
    run(project_root, &prepared, &realized, claims, progress)
}

/// [`ensure`] on the nixos backend: Nix builds (or finds) the VM, and its store path says
/// whether a kept report still holds.
fn ensure_nixos(
    project_root: &Path,
    scenario: &str,
    claims: Claims,
    progress: &dyn Progress,
) -> anyhow::Result<Report> {
    crate::scenario::find(project_root, scenario)?;
    let Backend::Nixos(nix) = Choice::Nixos.resolve(project_root)?.backend else {
        anyhow::bail!("--backend nixos resolved to another backend");
    };
    let vm = nixos::prepare(&nix, project_root, scenario, progress)?;
    if let Some(report) = reuse(
        project_root,
        Kind::Nixos,
        scenario,
        &nixos_inputs_key(&vm),
        claims,
    )? {
        return Ok(report);
    }
    run_nixos(project_root, &vm, claims, progress)
}

/// The kept report of a run with these inputs, its facts parsed again from its raw outputs.
fn reuse(
    project_root: &Path,
    backend: Kind,
    scenario: &str,
    inputs: &str,
    claims: Claims,
) -> anyhow::Result<Option<Report>> {
    let dir = out_dir(project_root, backend, scenario);
    // Figures are kept only for the inputs they were measured on (see `finish`).
    let measured = || dir.join("figures.json").is_file();
    match read_report(&dir.join("report.json")) {
        Some(report) if report.inputs == inputs && (claims == Claims::Skip || measured()) => {
            let raw = dir.join("raw");
            let facts = Facts::from_outputs(&read_outputs(&raw)?)
                .with_context(|| format!("the outputs in {} do not parse", raw.display()))?;
            Ok(Some(Report { facts, ..report }))
        }
        _ => Ok(None),
    }
}

/// The raw outputs a run kept, by probe name.
fn read_outputs(raw: &Path) -> anyhow::Result<Outputs> {
    let mut outputs = Outputs::new();
    for probe in probes::PROBES {
        let file = raw.join(format!("{}.txt", probe.name));
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read `{}`", file.display()))?;
        outputs.insert(probe.name.to_owned(), text);
    }
    Ok(outputs)
}

fn read_report(path: &Path) -> Option<Report> {
    read_json(path)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Writes through a temporary file, so a report is never half written.
fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, serde_json::to_vec_pretty(value)?)
        .with_context(|| format!("cannot write `{}`", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write `{}`", path.display()))
}
