//! The guide's "When to Apply Optimizations" rules, one function per optimization, each
//! condition quoted from the guide and decided from the captures where they can decide it.

use super::machine::Machine;
use super::{Condition, Item, Recommendation, Status};
use crate::optimization::Optimization;
use crate::probe::nix_config::{Cores, MaxJobs};

const GIB: f64 = (1u64 << 30) as f64;
/// "RAM is limited (< 8GB)": the guide's GB, read as GiB (what `free -h` prints).
const LIMITED_RAM: f64 = 8.0 * GIB;
/// "Disk space is limited": less than this free on `/`, or this full. The guide gives no
/// number; a VPS disk with under 20 GiB free, or 70% used, is one where space is a concern.
const LIMITED_FREE: f64 = 20.0 * GIB;
const LIMITED_USE_PERCENT: u8 = 70;

pub fn all(machine: &Machine) -> Vec<Item> {
    vec![
        compression(machine),
        zram(machine),
        parallelism(machine),
        binary_caches(machine),
    ]
}

fn condition(rule: &'static str, status: Status, evidence: impl Into<String>) -> Condition {
    Condition {
        rule,
        status,
        evidence: evidence.into(),
    }
}

fn gib(bytes: f64) -> String {
    format!("{:.1} GiB", bytes / GIB)
}

/// Apply when every condition the captures decide is met, not when one is not met, and
/// undecided when none decides.
fn decide(conditions: &[Condition]) -> Recommendation {
    let decided: Vec<&Condition> = conditions
        .iter()
        .filter(|c| c.status != Status::Unknown)
        .collect();
    if decided.is_empty() {
        Recommendation::Undecided
    } else if decided.iter().all(|c| c.status == Status::Met) {
        Recommendation::Apply
    } else {
        Recommendation::NotRecommended
    }
}

fn cpus(machine: &Machine, rule: &'static str) -> Condition {
    match machine.cpus {
        Some(n) if n >= 2 => condition(rule, Status::Met, format!("{n} CPUs (nproc)")),
        Some(n) => condition(rule, Status::NotMet, format!("{n} CPU(s) (nproc)")),
        None => condition(rule, Status::Unknown, "nproc not captured"),
    }
}

/// "Abundant" has no number in the guide: one CPU is not, four or more are, and two or
/// three depend on the load, which the outputs do not show.
fn abundant_cpus(machine: &Machine) -> Condition {
    const RULE: &str = "CPU resources are abundant";
    match machine.cpus {
        Some(n) if n >= 4 => condition(RULE, Status::Met, format!("{n} CPUs (nproc)")),
        Some(1) => condition(RULE, Status::NotMet, "1 CPU (nproc)"),
        Some(n) => unknown(RULE, &format!("{n} CPUs (nproc): depends on your load")),
        None => unknown(RULE, "nproc not captured"),
    }
}

fn unknown(rule: &'static str, why: &str) -> Condition {
    condition(rule, Status::Unknown, why)
}

fn compression(machine: &Machine) -> Item {
    let mut item = Item::new(&[Optimization::Compression]);
    let Some(root) = machine.root() else {
        item.summary = "the mount output has no `/`".to_owned();
        return item;
    };
    if root.fs_type != "btrfs" {
        item.recommendation = Recommendation::NotApplicable;
        item.summary = format!("`/` is {}, and compression needs Btrfs", root.fs_type);
        return item;
    }
    if let Some(c) = root.btrfs.as_ref().and_then(|b| b.compress.as_ref()) {
        item.recommendation = Recommendation::AlreadyApplied;
        item.summary = format!(
            "`/` is mounted with compress={}{}",
            c.algorithm,
            c.level.map(|l| format!(":{l}")).unwrap_or_default()
        );
        if let Some(total) = machine.compsize.as_ref().and_then(|c| c.total.as_ref()) {
            item.summary += &format!(
                "; compsize: {} on disk for {} of data ({}%)",
                gib(total.disk_usage.bytes as f64),
                gib(total.uncompressed.bytes as f64),
                total.percent
            );
        }
        return item;
    }
    let space = match machine.df.as_ref().and_then(|df| df.at("/")) {
        None => unknown("Disk space is limited", "df not captured"),
        Some(row) => {
            let free = row.available.map(|s| s.bytes as f64);
            let limited = free.is_some_and(|f| f < LIMITED_FREE)
                || row.use_percent.is_some_and(|p| p >= LIMITED_USE_PERCENT);
            let evidence = format!(
                "`/` has {} free of {}{}",
                free.map_or("?".to_owned(), gib),
                row.size.map_or("?".to_owned(), |s| gib(s.bytes as f64)),
                row.use_percent
                    .map(|p| format!(" ({p}% used)"))
                    .unwrap_or_default()
            );
            let status = if limited { Status::Met } else { Status::NotMet };
            condition("Disk space is limited", status, evidence)
        }
    };
    let text = match machine.compsize.as_ref().and_then(|c| c.total.as_ref()) {
        Some(total) => unknown(
            "Storing mostly text files (code, logs, configs)",
            &format!(
                "compsize sees {} of data; what kind of files is not in the outputs",
                gib(total.uncompressed.bytes as f64)
            ),
        ),
        None => unknown(
            "Storing mostly text files (code, logs, configs)",
            "what the files are is not in the outputs",
        ),
    };
    item.conditions = vec![
        space,
        text,
        abundant_cpus(machine),
        unknown(
            "I/O is not a bottleneck",
            "needs `iostat -x 5` under your load",
        ),
    ];
    item.recommendation = decide(&item.conditions);
    item
}

fn zram(machine: &Machine) -> Item {
    let mut item = Item::new(&[Optimization::Zram]);
    let zram_swap: Vec<&str> = machine
        .swap
        .iter()
        .flatten()
        .filter(|s| s.name.contains("zram")) // tidy: not a scenario (the zram device names)
        .map(|s| s.name.as_str())
        .collect();
    if !zram_swap.is_empty() {
        item.recommendation = Recommendation::AlreadyApplied;
        item.summary = format!("zram swap is on: {}", zram_swap.join(", "));
        return item;
    }
    let ram = match machine.ram_bytes {
        Some(bytes) if (bytes as f64) < LIMITED_RAM => condition(
            "RAM is limited (< 8GB)",
            Status::Met,
            format!("{} of RAM", gib(bytes as f64)),
        ),
        Some(bytes) => condition(
            "RAM is limited (< 8GB)",
            Status::NotMet,
            format!("{} of RAM", gib(bytes as f64)),
        ),
        None => unknown("RAM is limited (< 8GB)", "free shows no total"),
    };
    let disk_swap = match &machine.swap {
        None => unknown(
            "Want better swap performance than disk-based",
            "swapon not captured",
        ),
        Some(devices) if devices.is_empty() => condition(
            "Want better swap performance than disk-based",
            Status::Met,
            "no swap at all: zram gives swap without touching the disk",
        ),
        Some(devices) => condition(
            "Want better swap performance than disk-based",
            Status::Met,
            format!(
                "swap is on disk: {}",
                devices
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    };
    item.conditions = vec![
        ram,
        unknown(
            "Building large packages that need swap",
            "depends on what you build",
        ),
        disk_swap,
    ];
    item.recommendation = decide(&item.conditions);
    item
}

fn parallelism(machine: &Machine) -> Item {
    let mut item = Item::new(&[Optimization::Parallelism]);
    let Some(nix) = &machine.nix else {
        item.summary = "nix-config not captured: the current settings are unknown".to_owned();
        item.conditions = vec![cpus(machine, "Have multiple CPU cores available")];
        return item;
    };
    let jobs = match nix.max_jobs {
        Some(MaxJobs::Count(n)) => Some(n),
        _ => None,
    };
    let all_cores = nix.cores == Some(Cores::All);
    let enough_jobs = match (jobs, machine.cpus) {
        (Some(j), Some(n)) => j >= n,
        (Some(j), None) => j > 1,
        _ => nix.max_jobs == Some(MaxJobs::Auto),
    };
    if all_cores && enough_jobs {
        item.recommendation = Recommendation::AlreadyApplied;
        item.summary = format!(
            "max-jobs = {}, cores = 0: what the guide sets (and NixOS's defaults)",
            jobs.map_or("auto".to_owned(), |j| j.to_string())
        );
        return item;
    }
    item.summary = format!(
        "now max-jobs = {}, cores = {}",
        jobs.map_or("auto".to_owned(), |j| j.to_string()),
        match nix.cores {
            Some(Cores::All) => "0".to_owned(),
            Some(Cores::Count(n)) => n.to_string(),
            None => "?".to_owned(),
        }
    );
    item.conditions = vec![
        unknown(
            "Building many packages from source",
            "depends on what you build",
        ),
        cpus(machine, "Have multiple CPU cores available"),
        unknown(
            "Not concerned about high memory usage during builds",
            "your call",
        ),
    ];
    item.recommendation = decide(&item.conditions);
    item
}

fn binary_caches(machine: &Machine) -> Item {
    let mut item = Item::new(&[Optimization::BinaryCache]);
    let Some(nix) = &machine.nix else {
        item.summary = "nix-config not captured: the current caches are unknown".to_owned();
        return item;
    };
    let caches = nix.substituters.clone().unwrap_or_default();
    if caches
        .iter()
        .any(|c| c.trim_end_matches('/') == "https://cache.nixos.org")
    {
        item.recommendation = Recommendation::AlreadyApplied;
        item.summary = format!(
            "Nix already uses {}: the guide's list adds nothing to it",
            caches.join(", ")
        );
        return item;
    }
    item.summary = if caches.is_empty() {
        "Nix uses no binary cache".to_owned()
    } else {
        format!("Nix uses {} but not cache.nixos.org", caches.join(", "))
    };
    item.conditions = vec![
        unknown(
            "Building common packages (not custom)",
            "depends on what you build",
        ),
        unknown("Have good network bandwidth", "not in the outputs"),
        unknown("Want to minimize local build time", "your call"),
    ];
    // Every condition is the user's to judge; with no cache at all the guide's default
    // is the one that serves common packages.
    item.recommendation = Recommendation::Apply;
    item
}
