//! The guide's optimizations, as what a scenario's modules set shows them: which ones a
//! scenario applies is read from its settings, never from its name. The claims, the claim
//! workloads and the advice are keyed by these.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::scenario::{Loaded, Lookup, Setting};

/// One optimization of the guide, at the grain of its claims: the SSD section's two settings
/// are measured by different workloads, so they are two here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Optimization {
    /// A `compress=` (or `compress-force=`) mount option.
    Compression,
    /// `nix.settings.max-jobs` or `cores`.
    Parallelism,
    /// `zramSwap.enable = true`.
    Zram,
    /// The binary caches Nix uses and the keys it trusts.
    BinaryCache,
    /// `vm.swappiness`.
    Swappiness,
    /// A `discard` mount option.
    Discard,
}

impl Optimization {
    pub const ALL: [Optimization; 6] = [
        Optimization::Compression,
        Optimization::Parallelism,
        Optimization::Zram,
        Optimization::BinaryCache,
        Optimization::Swappiness,
        Optimization::Discard,
    ];

    /// The guide's heading for it.
    pub fn heading(self) -> &'static str {
        match self {
            Optimization::Compression => "Btrfs Compression",
            Optimization::Parallelism => "Nix Build Parallelism",
            Optimization::Zram => "Zram Swap",
            Optimization::BinaryCache => "Binary Cache Configuration",
            Optimization::Swappiness | Optimization::Discard => "SSD-Specific Optimizations",
        }
    }

    /// The optimization a setting belongs to, if any.
    pub fn of(setting: &Setting) -> Option<Optimization> {
        match &setting.lookup {
            Lookup::MountOption { option, .. } => {
                let name = option.split('=').next().unwrap_or_default();
                match name {
                    "compress" | "compress-force" => Some(Optimization::Compression),
                    "discard" => Some(Optimization::Discard),
                    _ => None,
                }
            }
            Lookup::Nix { key } | Lookup::NixSet { key } => match key.as_str() {
                "max-jobs" | "cores" => Some(Optimization::Parallelism),
                "substituters"
                | "extra-substituters"
                | "trusted-substituters"
                | "trusted-public-keys"
                | "extra-trusted-public-keys" => Some(Optimization::BinaryCache),
                _ => None,
            },
            Lookup::Sysctl { key } => (key == "vm.swappiness").then_some(Optimization::Swappiness),
            // Zram needs its `enable`: see `applied_by`.
            Lookup::ZramSwap => None,
        }
    }

    /// Every optimization the scenario's own modules apply, in [`Optimization::ALL`] order.
    pub fn applied_by(loaded: &Loaded) -> Vec<Optimization> {
        let settings = loaded.settings();
        let zram_on = settings.iter().any(|s| s.lookup == Lookup::ZramSwap)
            && loaded.get(&["zramSwap".into(), "enable".into()]) == Some(&Value::Bool(true));
        Optimization::ALL
            .into_iter()
            .filter(|optimization| match optimization {
                Optimization::Zram => zram_on,
                _ => settings
                    .iter()
                    .any(|s| Optimization::of(s) == Some(*optimization)),
            })
            .collect()
    }
}
