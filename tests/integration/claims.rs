//! The band checks on recorded figures (`tests/fixtures/figures/`): a figure inside its
//! claim's band holds, outside it fails, and a missing figure is named.

use nixos_tuning::claims::{self, Assessment, Evidence, Side, Verdict};
use nixos_tuning::facts::Facts;
use nixos_tuning::figures::{id, Figures};
use nixos_tuning::runs::Record;

use crate::support::fixtures_dir;

pub fn figures(scenario: &str) -> Figures {
    let path = fixtures_dir()
        .join("figures/debian")
        .join(scenario)
        .join("figures.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

pub fn record(scenario: &str) -> Record {
    let path = fixtures_dir()
        .join("figures/debian")
        .join(scenario)
        .join("report.json");
    serde_json::from_slice::<Record>(&std::fs::read(&path).unwrap()).unwrap()
}

pub fn facts(scenario: &str) -> Facts {
    record(scenario).facts
}

fn set(figures: &mut Figures, figure: &str, samples: &[f64]) {
    figures.figures.get_mut(figure).unwrap().samples = samples.to_vec();
}

/// The claims of the optimizations the scenario's recorded run applied.
fn check(scenario: &str, base: (&Figures, &Facts), this: (&Figures, &Facts)) -> Vec<Assessment> {
    let evidence = Evidence {
        scenario,
        baseline: Side {
            figures: Some(base.0),
            facts: Some(base.1),
        },
        this: Side {
            figures: Some(this.0),
            facts: Some(this.1),
        },
    };
    claims::check(&evidence, &record(scenario).optimizations)
}

fn verdict_of(assessments: &[Assessment], claim: &str) -> (Verdict, String) {
    let a = assessments.iter().find(|a| a.id == claim).unwrap();
    (a.verdict, a.why.clone())
}

/// A scenario's fixture figures changed by `edit`, judged against baseline's fixture.
fn judge(
    scenario: &str,
    edit: impl FnOnce(&mut Figures, &mut Facts, &mut Facts),
) -> Vec<Assessment> {
    let (base_figures, mut base_facts) = (figures("baseline"), facts("baseline"));
    let (mut this_figures, mut this_facts) = (figures(scenario), facts(scenario));
    edit(&mut this_figures, &mut base_facts, &mut this_facts);
    check(
        scenario,
        (&base_figures, &base_facts),
        (&this_figures, &this_facts),
    )
}

#[test]
fn the_recorded_runs_hold_every_asserted_band() {
    for scenario in ["compression", "parallelism", "zram", "binary-cache", "ssd"] {
        let assessments = judge(scenario, |_, _, _| {});
        assert!(!assessments.is_empty(), "{scenario} has no claims");
        claims::bands_hold(&assessments).unwrap_or_else(|err| panic!("{scenario}: {err}"));
        for a in &assessments {
            assert_ne!(a.verdict, Verdict::NotMeasured, "{}: {}", a.id, a.why);
        }
    }
}

#[test]
fn compression_holds_above_zero_and_places_the_guides_range() {
    for (saved, verdict, place) in [
        (0.0, Verdict::DoesNotHold, "below"),
        (-3.0, Verdict::DoesNotHold, "below"),
        (12.0, Verdict::Holds, "below"),
        (25.0, Verdict::Holds, "within"),
        (63.6, Verdict::Holds, "above"),
    ] {
        let assessments = judge("compression", |f, _, _| {
            set(f, id::CORPUS_SAVED_PERCENT, &[saved, saved, saved]);
        });
        let (got, why) = verdict_of(&assessments, "compression.space");
        assert_eq!(got, verdict, "{saved}%: {why}");
        assert!(
            why.contains(&format!("{place} the guide's 20-30%")),
            "{why}"
        );
        assert_eq!(
            claims::bands_hold(&assessments).is_ok(),
            verdict == Verdict::Holds
        );
    }
}

#[test]
fn a_zram_run_killed_by_the_pressure_fails() {
    let assessments = judge("zram", |f, _, _| {
        set(f, id::PRESSURE_COMPLETED, &[0.0, 0.0, 1.0])
    });
    assert_eq!(
        verdict_of(&assessments, "zram.constrained").0,
        Verdict::DoesNotHold
    );
    let err = claims::bands_hold(&assessments).unwrap_err();
    assert!(err.contains("zram.constrained"), "{err}");
}

#[test]
fn swap_that_went_to_the_disk_fails_the_zram_io_claim() {
    let assessments = judge("zram", |f, _, _| {
        // Everything swapped was also written to the disk.
        set(f, id::PRESSURE_DISK_WRITE_BYTES, &[330e6, 335e6, 325e6]);
    });
    assert_eq!(
        verdict_of(&assessments, "zram.disk-io").0,
        Verdict::DoesNotHold
    );
    let nothing_swapped = judge("zram", |f, _, _| {
        set(f, id::PRESSURE_SWAP_USED_BYTES, &[0.0])
    });
    let (verdict, why) = verdict_of(&nothing_swapped, "zram.disk-io");
    assert_eq!(verdict, Verdict::DoesNotHold);
    assert!(why.contains("nothing was swapped"), "{why}");
}

#[test]
fn swappiness_10_must_swap_out_no_more_than_60() {
    let at_60 = figures("baseline").figures[id::SWAPPINESS_PSWPOUT].median();
    let assessments = judge("ssd", |f, _, _| {
        set(f, id::SWAPPINESS_PSWPOUT, &[1.2 * at_60]);
    });
    assert_eq!(
        verdict_of(&assessments, "ssd.swappiness").0,
        Verdict::DoesNotHold
    );
    assert!(claims::bands_hold(&assessments).is_err());
    let same = judge("ssd", |f, _, _| set(f, id::SWAPPINESS, &[60.0]));
    assert_eq!(verdict_of(&same, "ssd.swappiness").0, Verdict::NoEffect);
}

#[test]
fn a_pressure_that_made_nobody_swap_proves_nothing() {
    let (mut base, base_facts) = (figures("baseline"), facts("baseline"));
    set(&mut base, id::SWAPPINESS_PSWPOUT, &[0.0, 0.0, 0.0]);
    let (mut this, this_facts) = (figures("ssd"), facts("ssd"));
    set(&mut this, id::SWAPPINESS_PSWPOUT, &[0.0, 0.0, 0.0]);
    let assessments = check("ssd", (&base, &base_facts), (&this, &this_facts));
    assert_eq!(
        verdict_of(&assessments, "ssd.swappiness").0,
        Verdict::NotMeasured
    );
    assert!(claims::bands_hold(&assessments).is_err());
}

#[test]
fn settings_equal_to_baseline_have_no_effect_and_otherwise_the_band_decides() {
    let defaults = judge("parallelism", |_, _, _| {});
    let (verdict, why) = verdict_of(&defaults, "parallelism.builds");
    assert_eq!(verdict, Verdict::NoEffect);
    assert!(why.contains("NixOS's defaults"), "{why}");
    let slower = judge("parallelism", |f, _, facts| {
        facts.nix.insert("max-jobs".into(), "1".into());
        set(f, id::BUILD_SPEEDUP, &[0.9, 0.95, 0.92]);
    });
    assert_eq!(
        verdict_of(&slower, "parallelism.builds").0,
        Verdict::DoesNotHold
    );

    let trim = judge("ssd", |_, _, _| {});
    assert_eq!(verdict_of(&trim, "ssd.trim").0, Verdict::NoEffect);
    // A baseline without discard=async, which gives nothing back: the band decides.
    let (mut base, mut base_facts) = (figures("baseline"), facts("baseline"));
    let root = base_facts.mounts.get_mut("/").unwrap();
    root.options.retain(|o| o != "discard=async");
    set(&mut base, id::DISCARD_RELEASED_PERCENT, &[0.0]);
    let trimmed = |released: f64| {
        let (mut this, this_facts) = (figures("ssd"), facts("ssd"));
        set(&mut this, id::DISCARD_RELEASED_PERCENT, &[released]);
        let assessments = check("ssd", (&base, &base_facts), (&this, &this_facts));
        verdict_of(&assessments, "ssd.trim").0
    };
    assert_eq!(trimmed(95.0), Verdict::Holds);
    assert_eq!(trimmed(0.0), Verdict::DoesNotHold);
}

#[test]
fn the_binary_cache_verdict_comes_from_the_substituters_nix_uses() {
    let same = judge("binary-cache", |_, _, _| {});
    let (verdict, why) = verdict_of(&same, "binary-cache.faster");
    assert_eq!(verdict, Verdict::NoEffect);
    assert!(why.contains("offline"), "{why}");
    let more = judge("binary-cache", |_, _, facts| {
        facts.nix.insert(
            "substituters".into(),
            "https://cache.nixos.org/ https://nix-community.cachix.org".into(),
        );
    });
    let (verdict, why) = verdict_of(&more, "binary-cache.faster");
    assert_eq!(verdict, Verdict::NotMeasured);
    assert!(why.contains("nix-community.cachix.org"), "{why}");
}

#[test]
fn a_missing_figure_is_named_and_fails_an_asserted_claim() {
    let assessments = judge("compression", |f, _, _| {
        f.figures.remove(id::CORPUS_SAVED_PERCENT);
    });
    let (verdict, why) = verdict_of(&assessments, "compression.space");
    assert_eq!(verdict, Verdict::NotMeasured);
    assert!(why.contains(id::CORPUS_SAVED_PERCENT), "{why}");
    let err = claims::bands_hold(&assessments).unwrap_err();
    assert!(err.contains("corpus.saved-percent"), "{err}");
}

#[test]
fn only_reported_claims_may_fail_without_failing_the_run() {
    // Reading compressed data is slower under TCG: reported, not asserted.
    let assessments = judge("compression", |_, _, _| {});
    assert_eq!(
        verdict_of(&assessments, "compression.access").0,
        Verdict::DoesNotHold
    );
    assert!(claims::bands_hold(&assessments).is_ok());
}
