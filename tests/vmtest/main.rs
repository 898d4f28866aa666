//! The scenario snapshots: for every scenario, its facts in `snapshots/debian/<scenario>.snap`
//! and what it changes compared with baseline in `snapshots/effects/<scenario>.snap`; when the
//! claim workloads wrote `figures.json` for it and baseline, its claims must hold their bands.
//!
//! A scenario's report is reused when `cargo xtask vmtest` just made it from the same inputs;
//! otherwise the test boots the VM itself, so `cargo nextest run` alone is complete.

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use nixos_tuning::claims;
use nixos_tuning::figures::Figures;
use nixos_tuning::progress::Silent;
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{self, effects};

fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn main() {
    let args = Arguments::from_args();
    let trials = match scenario::names(project_root()) {
        Ok(names) => names
            .into_iter()
            .map(|name| Trial::test(name.clone(), move || check(&name)))
            .collect(),
        Err(err) => vec![Trial::test("scenarios", move || {
            Err(format!("{err}").into())
        })],
    };
    libtest_mimic::run(&args, trials).exit();
}

fn check(name: &str) -> Result<(), Failed> {
    let report = vmtest::ensure(project_root(), name, AccelChoice::Auto, &Silent)
        .map_err(|err| format!("{err:#}"))?;
    let baseline = match name {
        "baseline" => report.clone(),
        _ => vmtest::ensure(project_root(), "baseline", AccelChoice::Auto, &Silent)
            .map_err(|err| format!("baseline: {err:#}"))?,
    };
    let changes = effects::render(&effects::diff(&baseline.facts, &report.facts));
    // insta reports a mismatch by panicking: catch each, so both snapshots are written.
    let failures: Vec<String> = [
        assert_in("debian", || {
            insta::assert_yaml_snapshot!(name, report.facts)
        }),
        assert_in("effects", || insta::assert_snapshot!(name, changes)),
    ]
    .into_iter()
    .flatten()
    .map(|failure| {
        format!("{failure}\nread the diff above; if it is intended, accept it with `cargo insta review`")
    })
    .chain(bands(name, &baseline.facts, &report.facts))
    .collect();
    if failures.is_empty() {
        return Ok(());
    }
    Err(failures.join("\n").into())
}

/// The scenario's claims judged on its latest `figures.json` and baseline's, when both exist
/// (the claim workloads write them); what fails, if anything.
fn bands(name: &str, baseline: &vmtest::Facts, facts: &vmtest::Facts) -> Option<String> {
    let read = |scenario: &str| -> Result<Option<Figures>, String> {
        let path = vmtest::out_dir(project_root(), scenario).join("figures.json");
        let Ok(bytes) = std::fs::read(&path) else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|err| format!("{} does not parse: {err}", path.display()))
    };
    let (base, this) = match (read("baseline"), read(name)) {
        (Ok(Some(base)), Ok(Some(this))) => (base, this),
        (Err(err), _) | (_, Err(err)) => return Some(err),
        _ => return None,
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
        .err()
        .map(|failed| format!("claims outside their bands:\n{failed}"))
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
