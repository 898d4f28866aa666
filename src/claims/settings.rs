//! What a scenario's modules set ([`Setting`]), read in the facts of its run and of
//! baseline's: so a report can say, per optimization, which of its settings changed the
//! machine and which were already so in baseline (a setting that equals NixOS's default
//! changes nothing).

use crate::facts::Facts;
use crate::scenario::{Lookup, Setting};

/// A setting compared between baseline and the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    pub option: String,
    pub baseline: String,
    pub scenario: String,
}

impl Compared {
    pub fn changed(&self) -> bool {
        self.baseline != self.scenario
    }
}

/// What the facts say about a setting, in words.
pub fn read(lookup: &Lookup, facts: &Facts) -> String {
    match lookup {
        Lookup::MountOption {
            mountpoint: mount,
            option,
        } => match facts.mounts.get(mount) {
            Some(m) if m.options.iter().any(|o| o == option) => "on".to_owned(),
            Some(_) => "off".to_owned(),
            None => format!("{mount} not mounted"),
        },
        Lookup::Nix { key } => facts
            .nix
            .get(key)
            .cloned()
            .unwrap_or_else(|| "(unset)".to_owned()),
        Lookup::NixSet { key } => {
            let mut items: Vec<&str> = facts
                .nix
                .get(key)
                .map(|list| {
                    list.split_whitespace()
                        .map(|i| i.trim_end_matches('/'))
                        .collect()
                })
                .unwrap_or_default();
            items.sort_unstable();
            items.dedup();
            items.join(" ")
        }
        Lookup::Sysctl { key } => facts
            .sysctl
            .get(key)
            .cloned()
            .unwrap_or_else(|| "(unset)".to_owned()),
        Lookup::ZramSwap => {
            let zram: Vec<String> = facts
                .swap
                .iter()
                .filter(|s| s.name.contains("zram")) // tidy: not a scenario (the zram device names)
                .map(|s| format!("{} ({} of RAM)", s.name, s.fraction_of_ram))
                .collect();
            if zram.is_empty() {
                "none".to_owned()
            } else {
                zram.join(", ")
            }
        }
    }
}

/// A setting read in baseline's facts and the scenario's.
pub fn compare(setting: &Setting, baseline: &Facts, scenario: &Facts) -> Compared {
    Compared {
        option: setting.option.clone(),
        baseline: read(&setting.lookup, baseline),
        scenario: read(&setting.lookup, scenario),
    }
}
