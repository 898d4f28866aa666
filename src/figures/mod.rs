//! Figures: what the claim workloads measured inside one scenario's VM, every repetition
//! kept so a report can state the spread. A run writes them as `figures.json` beside its
//! `report.json`; the claims compare a scenario's figures with baseline's.

pub mod id;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Every figure one VM run measured, by id (see [`id`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub scenario: String,
    /// `debian` or `nixos`.
    pub backend: String,
    /// `kvm` or `tcg`: under TCG, CPU-bound figures are not those of real hardware.
    pub accel: String,
    /// What the runs depended on (the report's `inputs`): runs with equal inputs pool their
    /// samples, so a figure's spread covers repeated runs, not only one run's repetitions.
    #[serde(default)]
    pub inputs: String,
    /// How many runs the samples come from.
    #[serde(default = "one")]
    pub runs: u32,
    pub figures: BTreeMap<String, Figure>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// What it is, in a few words: "space saved on the corpus".
    pub label: String,
    pub unit: Unit,
    /// How it was obtained, for a reader: the workload and the command that read it.
    pub method: String,
    /// Whether emulated CPU speed decides it (so TCG distorts it).
    pub cpu_bound: bool,
    /// One value per repetition, in the order measured. Never empty.
    pub samples: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Bytes,
    Percent,
    Seconds,
    MibPerSecond,
    /// A plain ratio (1.0: equal).
    Ratio,
    Count,
    /// 1 (yes) or 0 (no).
    Flag,
}

/// What a figure is, before any value: the workloads declare one per id they measure.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub id: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    pub method: &'static str,
    pub cpu_bound: bool,
}

impl Spec {
    pub const fn new(
        id: &'static str,
        label: &'static str,
        unit: Unit,
        method: &'static str,
        cpu_bound: bool,
    ) -> Spec {
        Spec {
            id,
            label,
            unit,
            method,
            cpu_bound,
        }
    }
}

impl Figures {
    /// This run's figures with an earlier run's samples in front, when both ran on the same
    /// inputs; otherwise this run's alone.
    pub fn pooled_with(self, earlier: Option<Figures>) -> Figures {
        let Some(mut pooled) = earlier.filter(|e| e.inputs == self.inputs && !e.inputs.is_empty())
        else {
            return self;
        };
        for (id, figure) in self.figures {
            match pooled.figures.get_mut(&id) {
                Some(kept) => kept.samples.extend(figure.samples),
                None => {
                    pooled.figures.insert(id, figure);
                }
            }
        }
        pooled.runs += self.runs;
        pooled.accel = self.accel;
        pooled
    }

    /// Adds one repetition's value of `spec`.
    pub fn record(&mut self, spec: &Spec, value: f64) {
        self.figures
            .entry(spec.id.to_owned())
            .or_insert_with(|| Figure {
                label: spec.label.to_owned(),
                unit: spec.unit,
                method: spec.method.to_owned(),
                cpu_bound: spec.cpu_bound,
                samples: Vec::new(),
            })
            .samples
            .push(value);
    }
}

impl Figure {
    pub fn median(&self) -> f64 {
        let mut sorted = self.samples.clone();
        sorted.sort_by(f64::total_cmp);
        match sorted.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => sorted[n / 2],
            n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        }
    }

    pub fn min(&self) -> f64 {
        self.samples.iter().copied().fold(f64::NAN, f64::min)
    }

    pub fn max(&self) -> f64 {
        self.samples.iter().copied().fold(f64::NAN, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(inputs: &str, value: f64) -> Figures {
        let mut figures = Figures {
            inputs: inputs.to_owned(),
            runs: 1,
            ..Figures::default()
        };
        figures.record(&Spec::new("x", "x", Unit::Count, "", false), value);
        figures
    }

    #[test]
    fn runs_on_the_same_inputs_pool_their_samples() {
        let pooled = run("a", 2.0).pooled_with(Some(run("a", 1.0)));
        assert_eq!(pooled.runs, 2);
        assert_eq!(pooled.figures["x"].samples, [1.0, 2.0]);
        assert_eq!(pooled.figures["x"].median(), 1.5);
    }

    #[test]
    fn a_run_on_other_inputs_starts_afresh() {
        let fresh = run("b", 2.0).pooled_with(Some(run("a", 1.0)));
        assert_eq!(
            (fresh.runs, fresh.figures["x"].samples.clone()),
            (1, vec![2.0])
        );
        let unkeyed = run("", 2.0).pooled_with(Some(run("", 1.0)));
        assert_eq!(unkeyed.runs, 1);
    }
}
