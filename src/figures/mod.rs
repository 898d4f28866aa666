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
    pub figures: BTreeMap<String, Figure>,
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
