//! The guide's claims as data: each quotes the guide, names the figures it rests on and
//! judges a run against a band that encodes it. [`check`] judges a scenario's run against
//! baseline's; [`bands_hold`] is what the vmtest trial asserts.

mod band;
mod catalogue;
mod claim;
pub mod derived;
pub mod settings;
mod verdict;

pub use band::Band;
pub use catalogue::{CLAIMS, NOT_MEASURED};
pub use claim::{Assessment, Claim, Evidence, Judgement, Side};
pub use verdict::Verdict;

use crate::optimization::Optimization;

/// The claims a scenario's run is judged on: those of the optimizations its modules apply,
/// none for the scenario of every module (each claim is judged on a scenario of its own
/// optimization, where nothing else moves the figures).
pub fn of_scenario<'a>(
    scenario: &str,
    optimizations: &'a [Optimization],
) -> impl Iterator<Item = &'static Claim> + 'a {
    let judged = scenario != crate::scenario::ALL;
    CLAIMS
        .iter()
        .filter(move |c| judged && optimizations.contains(&c.optimization))
}

/// Judges every claim of the scenario's optimizations on its run and baseline's.
pub fn check(evidence: &Evidence, optimizations: &[Optimization]) -> Vec<Assessment> {
    let baseline = derived::with_derived(evidence.baseline.figures, evidence.baseline.facts);
    let this = derived::with_derived(evidence.this.figures, evidence.this.facts);
    let full = Evidence {
        scenario: evidence.scenario,
        baseline: Side {
            figures: baseline.as_ref(),
            facts: evidence.baseline.facts,
        },
        this: Side {
            figures: this.as_ref(),
            facts: evidence.this.facts,
        },
    };
    of_scenario(evidence.scenario, optimizations)
        .map(|claim| assess(claim, &full))
        .collect()
}

fn assess(claim: &'static Claim, evidence: &Evidence) -> Assessment {
    let judgement = (claim.judge)(evidence);
    let scenario = evidence.this.figure(claim.figure).cloned();
    let emulated = evidence.this.figures.is_some_and(|f| f.accel == "tcg");
    let caveat = scenario
        .as_ref()
        .filter(|f| f.cpu_bound && emulated)
        .map(|_| "CPU-bound, and this run was emulated (TCG): real hardware can differ".to_owned());
    Assessment {
        claim,
        id: claim.id,
        judged_on: evidence.scenario.to_owned(),
        verdict: judgement.verdict,
        why: judgement.why,
        band: judgement.band,
        baseline: evidence
            .baseline
            .figure(claim.baseline_figure.map_or(claim.figure, |(id, _)| id))
            .cloned(),
        scenario,
        caveat,
    }
}

/// Ok when every asserted claim holds or has no effect; otherwise every failing claim,
/// one per line, with the guide's words and why.
pub fn bands_hold(assessments: &[Assessment]) -> Result<(), String> {
    let failures: Vec<String> = assessments
        .iter()
        .filter(|a| a.claim.asserted)
        .filter(|a| matches!(a.verdict, Verdict::DoesNotHold | Verdict::NotMeasured))
        .map(|a| format!("{} \"{}\": {}: {}", a.id, a.claim.quote, a.verdict, a.why))
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}
