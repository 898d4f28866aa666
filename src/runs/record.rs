//! What a run's `report.json` records: the scenario's facts (what the snapshots assert), what
//! the run depended on, and what the scenario's modules set, so the report and the claims
//! read a run without evaluating the modules again (a run may come from another machine).

use serde::{Deserialize, Serialize};

use crate::facts::Facts;
use crate::optimization::Optimization;
use crate::scenario::Setting;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub scenario: String,
    /// A hash of everything the run depended on: the guest (see `Bundle::inputs`), the
    /// probes and the claim workloads. A record with another key is stale.
    pub inputs: String,
    pub facts: Facts,
    /// What the scenario's own modules set, as the facts show it.
    #[serde(default)]
    pub settings: Vec<Setting>,
    /// The guide's optimizations those settings apply.
    #[serde(default)]
    pub optimizations: Vec<Optimization>,
}
