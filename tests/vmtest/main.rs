//! The scenario snapshots: for every backend and scenario (trial `<backend>::<scenario>`), its
//! facts in `snapshots/<backend>/<scenario>.snap` and what it changes compared with baseline
//! in `snapshots/effects/<scenario>.snap`, which both backends share: an effect one backend
//! shows and the other does not is a real difference, and fails here. When the claims were
//! measured (`cargo xtask test` and `cargo xtask vmtest --measure` do), the scenario's claims
//! must also hold their bands on the figures of its run and baseline's.
//!
//! A scenario's report is reused when `cargo xtask vmtest` just made it from the same inputs;
//! otherwise the test boots the VM itself, so `cargo nextest run` alone is complete. Where Nix
//! cannot build the flake, the nixos trials are ignored with the reason, never passed.

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use nixos_tuning::backend::{Choice, Kind};
use nixos_tuning::claims;
use nixos_tuning::figures::Figures;
use nixos_tuning::progress::Silent;
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{self, effects, Claims};

fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn main() {
    let args = Arguments::from_args();
    let names = match scenario::names(project_root()) {
        Ok(names) => names,
        Err(err) => {
            let trial = Trial::test("scenarios", move || Err(format!("{err}").into()));
            libtest_mimic::run(&args, vec![trial]).exit();
        }
    };
    // nextest runs each trial as its own process with `--exact NAME`: a debian trial does
    // not need to ask Nix, whose check may fetch the flake's inputs.
    let only_debian = args.exact
        && args
            .filter
            .as_deref()
            .is_some_and(|filter| filter.starts_with(&format!("{}::", Kind::Debian)));
    let nixos_missing = match only_debian {
        true => Some("not selected".to_owned()),
        false => Choice::Nixos
            .resolve(project_root())
            .err()
            .map(|err| err.to_string()),
    };
    if let (false, Some(reason)) = (only_debian, &nixos_missing) {
        eprintln!("nixos trials ignored: {reason}");
    }
    let mut trials = Vec::new();
    for backend in Kind::ALL {
        for name in &names {
            let name = name.clone();
            let trial = Trial::test(format!("{backend}::{name}"), move || check(backend, &name));
            trials.push(match (backend, &nixos_missing) {
                (Kind::Nixos, Some(_)) => trial.with_ignored_flag(true),
                _ => trial,
            });
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn check(backend: Kind, name: &str) -> Result<(), Failed> {
    // The claims are measured by `cargo xtask test` and `cargo xtask vmtest --measure`; a
    // run without them still has its snapshots checked.
    let ensure = |name| {
        vmtest::ensure(
            project_root(),
            backend,
            name,
            AccelChoice::Auto,
            Claims::Skip,
            &Silent,
        )
    };
    let report = ensure(name).map_err(|err| format!("{err:#}"))?;
    let baseline = match name {
        "baseline" => report.clone(),
        _ => ensure("baseline").map_err(|err| format!("baseline: {err:#}"))?,
    };
    let changes = effects::render(&effects::diff(&baseline.facts, &report.facts));
    // insta reports a mismatch by panicking: catch each, so both snapshots are written.
    let snapshots: Vec<String> = [
        assert_in(backend.name(), || {
            insta::assert_yaml_snapshot!(name, report.facts)
        }),
        assert_in("effects", || insta::assert_snapshot!(name, changes)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut failures = Vec::new();
    if !snapshots.is_empty() {
        failures.push(format!(
            "{}\nread the diff above; if it is intended, accept it with `cargo insta review`",
            snapshots.join("\n")
        ));
    }
    failures.extend(bands(backend, name, &baseline.facts, &report.facts).err());
    match failures.is_empty() {
        true => Ok(()),
        false => Err(failures.join("\n").into()),
    }
}

/// The scenario's claims judged on the figures of its run and baseline's, when both were
/// measured (a run keeps figures only for the inputs they were measured on).
fn bands(
    backend: Kind,
    name: &str,
    baseline: &vmtest::Facts,
    facts: &vmtest::Facts,
) -> Result<(), String> {
    let read = |scenario: &str| -> Result<Option<Figures>, String> {
        let path = vmtest::out_dir(project_root(), backend, scenario).join("figures.json");
        let Ok(bytes) = std::fs::read(&path) else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|err| format!("{} does not parse: {err}", path.display()))
    };
    let (Some(base), Some(this)) = (read("baseline")?, read(name)?) else {
        return Ok(());
    };
    let assessments = claims::check(&claims::Evidence {
        scenario: name,
        baseline: claims::Side {
            figures: Some(&base),
            facts: Some(baseline),
        },
        this: claims::Side {
            figures: Some(&this),
            facts: Some(facts),
        },
    });
    claims::bands_hold(&assessments)
        .map_err(|failed| format!("claims outside their bands:\n{failed}"))
}

/// Runs one snapshot assertion with snapshots under `snapshots/<area>/`; its panic message on
/// a mismatch.
fn assert_in(area: &str, assertion: impl FnOnce() + std::panic::UnwindSafe) -> Option<String> {
    let settings = snapshot_settings(area);
    let _guard = settings.bind_to_scope();
    std::panic::catch_unwind(assertion).err().map(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| format!("the {area} snapshot does not match"))
    })
}

fn snapshot_settings(area: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(project_root().join("snapshots").join(area));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}
