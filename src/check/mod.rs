//! `check`: a live server against what the VMs verified. The server's outputs ([`Live`], over
//! the system's OpenSSH client: [`ssh`]) are parsed by the VM's own parsers into the same
//! [`Facts`]; the reference is the scenario's committed snapshot and baseline's
//! ([`Reference`]). Each thing the scenario's modules set, and each other effect the snapshot
//! shows, is read in the three and judged: the server has the tested value (applied),
//! baseline's (not applied), another (differs), or it cannot be read there (not checked, not
//! applicable), always with why. Values that legitimately differ between machines are
//! compared as what they mean (see [`compare`]).

mod compare;
pub mod live;
mod reference;
pub mod render;
pub mod ssh;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::advise;
pub use live::{Live, LiveFacts};
pub use reference::Reference;

/// What a check found about one setting, one effect, or one optimization as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The server has what the tested scenario has.
    Applied,
    /// The server has what baseline has: the optimization is not in effect.
    NotApplied,
    /// The server has neither: its value is shown beside the tested one.
    Differs,
    /// The server's outputs cannot show it (a probe that needs root, one that failed).
    NotChecked,
    /// It cannot hold on this server (compression on a root that is not Btrfs).
    NotApplicable,
}

impl Verdict {
    /// Whether it makes the check fail: the server lacks what the scenario promises.
    pub fn fails(self) -> bool {
        matches!(self, Verdict::NotApplied | Verdict::Differs)
    }

    fn checked(self) -> bool {
        matches!(
            self,
            Verdict::Applied | Verdict::NotApplied | Verdict::Differs
        )
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Applied => "applied",
            Verdict::NotApplied => "not applied",
            Verdict::Differs => "differs",
            Verdict::NotChecked => "not checked",
            Verdict::NotApplicable => "not applicable",
        })
    }
}

/// Where a row comes from: what a module sets, or a fact the snapshot shows changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Setting,
    Effect,
}

/// One thing checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// What a module sets (`compress=zstd:1 on /`) or the fact that changed (`io.devices`).
    pub what: String,
    pub source: Source,
    pub verdict: Verdict,
    /// What the server, the tested scenario and baseline show, as compared; `None` where it
    /// was not read.
    pub server: Option<String>,
    pub tested: Option<String>,
    pub baseline: Option<String>,
    /// Why it is not checked or not applicable, or what its values mean.
    pub why: Option<String>,
}

/// The rows of one optimization (a heading of the guide), and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub optimization: String,
    pub verdict: Verdict,
    pub rows: Vec<Row>,
}

/// What the guide's "When to Apply" rules say on the server's facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    pub optimization: String,
    pub recommendation: String,
    pub summary: String,
}

/// A whole check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub destination: String,
    pub scenario: String,
    /// The snapshots the server was compared with, relative to the project.
    pub reference: Vec<String>,
    /// Every effect of the scenario holds on the server: no row is not applied or differs.
    pub holds: bool,
    pub groups: Vec<Group>,
    /// The probes that gave nothing on the server, with why.
    pub not_run: BTreeMap<String, String>,
    pub advice: Vec<Advice>,
}

impl Report {
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.groups.iter().flat_map(|group| group.rows.iter())
    }
}

/// Compares what a server gave with the reference.
pub fn compare(reference: &Reference, live: &Live) -> anyhow::Result<Report> {
    let facts = live.facts()?;
    let advice = advise::advise(&live.captures()?)?;
    let groups = compare::groups(reference, &facts, live);
    let rows = groups.iter().flat_map(|group| group.rows.iter());
    Ok(Report {
        destination: live.destination.clone(),
        scenario: reference.scenario.clone(),
        reference: reference.files.clone(),
        holds: !rows.map(|row| row.verdict).any(Verdict::fails),
        groups,
        not_run: live.not_run.clone(),
        advice: advice
            .items
            .iter()
            .map(|item| Advice {
                optimization: item.optimization.to_owned(),
                recommendation: item.recommendation.to_string(),
                summary: item.summary.clone(),
            })
            .collect(),
    })
}

/// Captures a server over ssh and compares it with scenario `scenario` of the project.
pub fn check(project_root: &Path, scenario: &str, ssh: &ssh::Ssh) -> anyhow::Result<Report> {
    // An unknown name fails before connecting; the evaluation waits until the server answered.
    crate::scenario::find(project_root, scenario)?;
    let live = ssh.capture()?;
    let loaded = crate::scenario::load_named(project_root, scenario)?;
    let reference = Reference::load(project_root, &loaded)?;
    compare(&reference, &live)
}
