//! `advise`: the guide's "When to Apply" rules on a real machine, from the outputs of its
//! commands captured on a server (one file per probe in a folder) or run here. It says
//! which optimizations the rules recommend and why, beside the figures the VMs measured.

pub mod capture;
pub mod machine;
mod render;
mod rules;

use std::path::PathBuf;

use crate::optimization::Optimization;

pub use capture::{Captures, Origin, CAPTURES};
pub use machine::Machine;
pub use render::render;

/// Why no advice could be given: each names the file or command and what to do.
#[derive(Debug, thiserror::Error)]
pub enum AdviseError {
    #[error("{dir} is not a folder of captured outputs: create it with the capture commands in the README (`cargo xtask advise --help`)")]
    NoDir { dir: PathBuf },
    #[error("{file} is missing: capture it on the server with `{command} > {name}.txt`")]
    Missing {
        file: PathBuf,
        command: String,
        name: &'static str,
    },
    #[error("{file} is not `{command}` output ({error}): capture it again")]
    Garbage {
        file: PathBuf,
        command: &'static str,
        error: String,
    },
    #[error("cannot run `{command}` here: {why}")]
    CommandFailed { command: String, why: String },
}

/// What the guide's rules say about one optimization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recommendation {
    Apply,
    NotRecommended,
    AlreadyApplied,
    /// The optimization cannot apply to this machine (compression on ext4).
    NotApplicable,
    /// The captures cannot decide; the conditions say what is missing.
    Undecided,
}

impl std::fmt::Display for Recommendation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Recommendation::Apply => "recommended",
            Recommendation::NotRecommended => "not recommended",
            Recommendation::AlreadyApplied => "already applied",
            Recommendation::NotApplicable => "not applicable",
            Recommendation::Undecided => "undecided",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Met,
    NotMet,
    /// The captures do not show it: the user judges.
    Unknown,
}

/// One of the guide's "Apply ... If" conditions, decided on the machine.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The guide's words.
    pub rule: &'static str,
    pub status: Status,
    pub evidence: String,
}

#[derive(Debug, Clone)]
pub struct Item {
    /// The guide's heading.
    pub optimization: &'static str,
    /// What the VMs measure of it: their claims are shown beside the advice.
    pub optimizations: &'static [Optimization],
    pub recommendation: Recommendation,
    /// What the machine has now, when that decides it.
    pub summary: String,
    pub conditions: Vec<Condition>,
}

impl Item {
    fn new(optimizations: &'static [Optimization]) -> Item {
        Item {
            optimization: optimizations[0].heading(),
            optimizations,
            recommendation: Recommendation::Undecided,
            summary: String::new(),
            conditions: Vec::new(),
        }
    }
}

/// The advice for a machine: one item per optimization the guide gives rules for.
#[derive(Debug, Clone)]
pub struct Advice {
    pub origin: Origin,
    pub items: Vec<Item>,
    /// Captures that could not be had, with why.
    pub unavailable: Vec<(String, String)>,
}

/// Applies the rules to `captures`.
pub fn advise(captures: &Captures) -> Result<Advice, AdviseError> {
    let machine = Machine::parse(captures)?;
    Ok(Advice {
        origin: captures.origin.clone(),
        items: rules::all(&machine),
        unavailable: captures
            .unavailable
            .iter()
            .map(|(name, why)| ((*name).to_owned(), why.clone()))
            .collect(),
    })
}
