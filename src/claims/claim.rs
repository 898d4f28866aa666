//! One claim of the guide, what it rests on, and how a run is judged against it.

use super::{Band, Verdict};
use crate::facts::Facts;
use crate::figures::{Figure, Figures};
use crate::optimization::Optimization;

/// A benefit the guide states for one optimization, as data.
#[derive(Debug)]
pub struct Claim {
    pub id: &'static str,
    /// What it is a benefit of: a scenario whose modules apply it is judged on it.
    pub optimization: Optimization,
    /// The guide's own words, quoted exactly.
    pub quote: &'static str,
    /// The figure charted and judged; its band is on this figure's scale.
    pub figure: &'static str,
    /// A range the guide states in numbers, on the figure's scale (the 20-30% of
    /// compression): the report says where the measured figure falls against it.
    pub guide_range: Option<(f64, f64)>,
    /// The figure of baseline's run it is compared with, and that bar's name, when not
    /// `figure` itself: zram's disk writes are compared with the same workload on a swap file.
    pub baseline_figure: Option<(&'static str, &'static str)>,
    /// Other figures the judgement reads.
    pub also: &'static [&'static str],
    /// Whether the vmtest trial fails when the claim does not hold. Claims decided by
    /// emulated CPU speed or by small timing differences are reported, not asserted: a
    /// test on them would fail on a busy host, not on a regression.
    pub asserted: bool,
    pub judge: fn(&Evidence) -> Judgement,
}

/// One side of a comparison: a run's figures and facts, either possibly absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Side<'a> {
    pub figures: Option<&'a Figures>,
    pub facts: Option<&'a Facts>,
}

impl Side<'_> {
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures?
            .figures
            .get(id)
            .filter(|f| !f.samples.is_empty())
    }

    pub fn median(&self, id: &str) -> Option<f64> {
        self.figure(id).map(Figure::median)
    }
}

/// What a claim is judged on: the scenario's run and baseline's.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub scenario: &'a str,
    pub baseline: Side<'a>,
    pub this: Side<'a>,
}

/// A judge's answer: the verdict, a sentence saying why, and the band on the figure's scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub why: String,
    pub band: Option<Band>,
}

impl Judgement {
    pub fn new(verdict: Verdict, why: impl Into<String>, band: Option<Band>) -> Judgement {
        Judgement {
            verdict,
            why: why.into(),
            band,
        }
    }

    /// Holds when `value` lies in `band`.
    pub fn by_band(value: f64, band: Band, why: impl Into<String>) -> Judgement {
        let verdict = if band.contains(value) {
            Verdict::Holds
        } else {
            Verdict::DoesNotHold
        };
        Judgement::new(verdict, why, Some(band))
    }
}

/// A claim judged on one run: what the report shows and the vmtest trial asserts.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub claim: &'static Claim,
    pub id: &'static str,
    /// The scenario whose run was judged.
    pub judged_on: String,
    pub verdict: Verdict,
    pub why: String,
    pub band: Option<Band>,
    /// The claim's figure in baseline and in the scenario, for the chart.
    pub baseline: Option<Figure>,
    pub scenario: Option<Figure>,
    /// Set when the figure is CPU-bound and the run was emulated (TCG).
    pub caveat: Option<String>,
}
