//! What each optimization module sets, and where the facts show it: so a report can say, per
//! optimization, which of its settings changed the machine and which were already so in
//! baseline (a setting that equals NixOS's default changes nothing).

use crate::vmtest::Facts;

/// Where a setting shows in the facts.
#[derive(Debug, Clone, Copy)]
pub enum Lookup {
    /// An option in a mount's options.
    MountOption(&'static str, &'static str),
    /// A `nix show-config` setting.
    Nix(&'static str),
    /// A `nix show-config` list, as the set Nix acts on: duplicates and a URL's trailing
    /// slash dropped (NixOS appends its default cache to the guide's, so it shows twice).
    NixSet(&'static str),
    /// A sysctl value.
    Sysctl(&'static str),
    /// A zram swap device.
    ZramSwap,
}

#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub scenario: &'static str,
    /// As the module writes it.
    pub option: &'static str,
    pub lookup: Lookup,
}

const fn set(scenario: &'static str, option: &'static str, lookup: Lookup) -> Setting {
    Setting {
        scenario,
        option,
        lookup,
    }
}

pub const SETTINGS: &[Setting] = &[
    set(
        "compression",
        "compress=zstd:1 on /",
        Lookup::MountOption("/", "compress=zstd:1"),
    ),
    set(
        "compression",
        "compress=zstd:1 on /nix",
        Lookup::MountOption("/nix", "compress=zstd:1"),
    ),
    set(
        "compression",
        "compress=zstd:1 on /home",
        Lookup::MountOption("/home", "compress=zstd:1"),
    ),
    set(
        "parallelism",
        "nix.settings.max-jobs = \"auto\"",
        Lookup::Nix("max-jobs"),
    ),
    set(
        "parallelism",
        "nix.settings.cores = 0",
        Lookup::Nix("cores"),
    ),
    set(
        "zram",
        "zramSwap.enable = true; memoryPercent = 50",
        Lookup::ZramSwap,
    ),
    set(
        "binary-cache",
        "nix.settings.substituters",
        Lookup::NixSet("substituters"),
    ),
    set(
        "binary-cache",
        "nix.settings.trusted-public-keys",
        Lookup::NixSet("trusted-public-keys"),
    ),
    set(
        "ssd",
        "boot.kernel.sysctl.\"vm.swappiness\" = 10",
        Lookup::Sysctl("vm.swappiness"),
    ),
    set("ssd", "noatime on /", Lookup::MountOption("/", "noatime")),
    set(
        "ssd",
        "nodiratime on /",
        Lookup::MountOption("/", "nodiratime"),
    ),
    set(
        "ssd",
        "discard=async on /",
        Lookup::MountOption("/", "discard=async"),
    ),
];

/// The settings a scenario applies: its own, or every one for `all`.
pub fn of_scenario(scenario: &str) -> impl Iterator<Item = &'static Setting> + '_ {
    SETTINGS
        .iter()
        .filter(move |s| scenario == "all" || s.scenario == scenario)
}

/// A setting compared between baseline and the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    pub option: &'static str,
    pub baseline: String,
    pub scenario: String,
}

impl Compared {
    pub fn changed(&self) -> bool {
        self.baseline != self.scenario
    }
}

impl Setting {
    /// What the facts say about this setting, in words.
    pub fn read(&self, facts: &Facts) -> String {
        match self.lookup {
            Lookup::MountOption(mount, option) => match facts.mounts.get(mount) {
                Some(m) if m.options.iter().any(|o| o == option) => "on".to_owned(),
                Some(_) => "off".to_owned(),
                None => format!("{mount} not mounted"),
            },
            Lookup::Nix(key) => facts
                .nix
                .get(key)
                .cloned()
                .unwrap_or_else(|| "(unset)".to_owned()),
            Lookup::NixSet(key) => {
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
            Lookup::Sysctl(key) => facts
                .sysctl
                .get(key)
                .cloned()
                .unwrap_or_else(|| "(unset)".to_owned()),
            Lookup::ZramSwap => {
                let zram: Vec<String> = facts
                    .swap
                    .iter()
                    .filter(|s| s.name.contains("zram"))
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

    pub fn compare(&self, baseline: &Facts, scenario: &Facts) -> Compared {
        Compared {
            option: self.option,
            baseline: self.read(baseline),
            scenario: self.read(scenario),
        }
    }
}
