//! The scenario snapshots: for every backend and scenario (trial `<backend>::<scenario>`), its
//! facts in `snapshots/<backend>/<scenario>.snap` and what it changes compared with baseline
//! in `snapshots/effects/<scenario>.snap`, which both backends share: an effect one backend
//! shows and the other does not is a real difference, and fails here. The scenario's claims
//! must also hold their bands on the figures of its run and baseline's.
//!
//! A scenario's run is reused when one with the same inputs is kept (`cargo xtask vmtest`
//! and `cargo xtask test` make them); otherwise the trial runs the VM itself, claims
//! measured, so `cargo nextest run` alone is complete. With `NIXOS_TUNING_SKIP_CLAIMS` set
//! (`cargo xtask vmtest` without `--measure`), the claims are checked only where a run
//! measured them. Where Nix cannot build the flake, the nixos trials are ignored with the
//! reason, never passed. Each trial writes what it found for `cargo xtask vmtest`.

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use nixos_tuning::backend::{Backend, Choice, Kind};
use nixos_tuning::claims;
use nixos_tuning::facts::Facts;
use nixos_tuning::lock::Wait;
use nixos_tuning::progress::Silent;
use nixos_tuning::runs::{Check, Record, Runs};
use nixos_tuning::scenario::{self, BASELINE};
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{effects, Claims, Runner, SKIP_CLAIMS};

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
        false => Choice::Only(Kind::Nixos)
            .resolve(project_root())
            .err()
            .map(|err| err.to_string()),
    };
    if let (false, Some(reason)) = (only_debian, &nixos_missing) {
        eprintln!("nixos trials ignored: {reason}");
    }
    let mut trials = Vec::new();
    for kind in Kind::ALL {
        for name in &names {
            let name = name.clone();
            let trial = Trial::test(format!("{kind}::{name}"), move || trial(kind, &name));
            trials.push(match (kind, &nixos_missing) {
                (Kind::Nixos, Some(_)) => trial.with_ignored_flag(true),
                _ => trial,
            });
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

/// Checks one scenario and records what it found.
fn trial(kind: Kind, name: &str) -> Result<(), Failed> {
    let runs = Runs::of_project(project_root());
    let check = check(kind, name).unwrap_or_else(|err| Check {
        error: Some(format!("{err:#}")),
        ..Check::default()
    });
    // The trial's verdict stands without it: the file only lets xtask phrase its summary.
    let _ = check.write(&runs.check_file(kind, name));
    let mut failures: Vec<String> = check.snapshots.clone();
    if !failures.is_empty() {
        failures.push(
            "read the diff above; if it is intended, accept it with `cargo insta review`".into(),
        );
    }
    failures.extend(
        check
            .claims
            .map(|c| format!("claims outside their bands:\n{c}")),
    );
    failures.extend(check.error);
    match failures.is_empty() {
        true => Ok(()),
        false => Err(failures.join("\n").into()),
    }
}

fn check(kind: Kind, name: &str) -> anyhow::Result<Check> {
    let skip_claims = std::env::var_os(SKIP_CLAIMS).is_some_and(|v| !v.is_empty());
    let selection = Choice::Only(kind).resolve(project_root())?;
    let backend = Backend::prepare(selection, project_root(), AccelChoice::Auto, &Silent)?;
    let runner = Runner {
        backend: &backend,
        runs: Runs::of_project(project_root()),
        claims: if skip_claims {
            Claims::Skip
        } else {
            Claims::Measure
        },
        wait: Wait::Wait,
        progress: &Silent,
        sharing: None,
    };
    let ensure = |name: &str| -> anyhow::Result<Record> {
        runner.ensure(&scenario::load_named(project_root(), name)?)
    };
    let record = ensure(name)?;
    let baseline = match name {
        BASELINE => record.clone(),
        _ => ensure(BASELINE)?,
    };
    let changes = effects::render(&effects::diff(&baseline.facts, &record.facts));
    // insta reports a mismatch by panicking: catch each, so both snapshots are written.
    let snapshots = [
        assert_in(kind.name(), || {
            insta::assert_yaml_snapshot!(name, record.facts)
        }),
        assert_in("effects", || insta::assert_snapshot!(name, changes)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let claims = bands(&runner, &record, &baseline.facts, skip_claims)?;
    Ok(Check {
        snapshots,
        claims,
        error: None,
    })
}

/// The scenario's claims judged on the figures of its run and baseline's: `None` when they
/// hold. Without figures the claims are unchecked only when the trial was told to skip them.
fn bands(
    runner: &Runner,
    record: &Record,
    baseline: &Facts,
    skip_claims: bool,
) -> anyhow::Result<Option<String>> {
    if claims::of_scenario(&record.scenario, &record.optimizations)
        .next()
        .is_none()
    {
        return Ok(None);
    }
    let kind = runner.backend.kind();
    let figures = |scenario: &str| runner.runs.scenario(kind, scenario).figures();
    let (Some(base), Some(this)) = (figures(BASELINE), figures(&record.scenario)) else {
        if skip_claims {
            eprintln!("claims not checked: no run of this scenario measured them");
            return Ok(None);
        }
        anyhow::bail!(
            "the claims of `{}` were to be measured, but its run or baseline's has no figures",
            record.scenario
        );
    };
    let assessments = claims::check(
        &claims::Evidence {
            scenario: &record.scenario,
            baseline: claims::Side {
                figures: Some(&base),
                facts: Some(baseline),
            },
            this: claims::Side {
                figures: Some(&this),
                facts: Some(&record.facts),
            },
        },
        &record.optimizations,
    );
    Ok(claims::bands_hold(&assessments).err())
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
