//! Figures read from a run's facts rather than measured by a workload: what a claim rests
//! on when the VM cannot exercise it (binary caches: the VMs are offline).

use crate::facts::Facts;
use crate::figures::{Figure, Figures, Unit};

/// How many distinct binary caches Nix uses.
pub const SUBSTITUTERS: &str = "facts.substituters";

/// The binary caches Nix uses, sorted, without duplicates: a trailing slash is the same
/// cache (NixOS lists cache.nixos.org both ways when the guide's list is added).
pub fn caches(facts: &Facts) -> Vec<String> {
    let mut caches: Vec<String> = facts
        .nix
        .get("substituters")
        .map(|list| {
            list.split_whitespace()
                .map(|url| url.trim_end_matches('/').to_owned())
                .collect()
        })
        .unwrap_or_default();
    caches.sort();
    caches.dedup();
    caches
}

/// `figures` with the derived figures of `facts` added (a run without figures gets a set of
/// derived ones only).
pub fn with_derived(figures: Option<&Figures>, facts: Option<&Facts>) -> Option<Figures> {
    let Some(facts) = facts else {
        return figures.cloned();
    };
    let mut all = figures.cloned().unwrap_or_default();
    all.figures.insert(
        SUBSTITUTERS.to_owned(),
        Figure {
            label: "distinct binary caches Nix uses".to_owned(),
            unit: Unit::Count,
            method: "`nix show-config`: substituters, a trailing slash ignored".to_owned(),
            cpu_bound: false,
            samples: vec![caches(facts).len() as f64],
        },
    );
    Some(all)
}
