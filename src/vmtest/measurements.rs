//! What a run measured: timings and ratios that change from run to run, kept beside the
//! snapshot (in `measurements.json`) and never in it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::facts::{commands, Outputs};
use crate::probe::{btrfs_usage, compsize, free, iostat, top};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// Seconds from QEMU's start to the backdoor shell.
    pub boot_seconds: f64,
    /// Seconds each probe took, by name.
    pub probe_seconds: BTreeMap<String, f64>,
    /// The corpus: bytes written, bytes on disk, and their ratio (compsize).
    pub corpus_bytes: Option<u64>,
    pub corpus_disk_bytes: Option<u64>,
    pub corpus_disk_ratio: Option<f64>,
    /// `btrfs filesystem usage`: bytes used.
    pub btrfs_used_bytes: Option<u64>,
    /// `free -b`: used and available memory, used swap.
    pub mem_used_bytes: Option<u64>,
    pub mem_available_bytes: Option<u64>,
    pub swap_used_bytes: Option<u64>,
    /// `top -b -n 1`: processes and the one-minute load average at the time of the probes.
    pub tasks: Option<u64>,
    pub load_one_minute: Option<f64>,
    /// iostat's last one-second report, per device: the values as printed.
    pub io: BTreeMap<String, BTreeMap<String, f64>>,
}

impl Measurements {
    /// Reads what it can from the outputs; a probe that does not parse leaves its fields empty
    /// (the facts already fail on it).
    pub fn from_outputs(outputs: &Outputs) -> Measurements {
        let mut m = Measurements::default();
        let text = |command: &commands::Command| {
            outputs
                .get(command.name)
                .map(String::as_str)
                .unwrap_or_default()
        };
        if let Ok(corpus) = compsize::parse(text(&commands::COMPSIZE_CORPUS)) {
            if let Some(total) = corpus.total {
                m.corpus_bytes = Some(total.uncompressed.bytes);
                m.corpus_disk_bytes = Some(total.disk_usage.bytes);
                m.corpus_disk_ratio = (total.uncompressed.bytes > 0)
                    .then(|| total.disk_usage.bytes as f64 / total.uncompressed.bytes as f64);
            }
        }
        if let Ok(usage) = btrfs_usage::parse(text(&commands::BTRFS_USAGE)) {
            m.btrfs_used_bytes = Some(usage.overall.used.bytes);
        }
        if let Ok(free) = free::parse(text(&commands::FREE_BYTES)) {
            m.mem_used_bytes = free.mem.used.map(|s| s.bytes);
            m.mem_available_bytes = free.mem.available.map(|s| s.bytes);
            m.swap_used_bytes = free.swap.map(|s| s.used.bytes);
        }
        if let Ok(top) = top::parse(text(&commands::TOP)) {
            m.tasks = top.tasks.map(|t| t.total);
            m.load_one_minute = top.load_average.map(|l| l.one);
        }
        if let Ok(stats) = iostat::parse(text(&commands::IOSTAT)) {
            if let Some(report) = stats.reports.last() {
                for device in &report.devices {
                    m.io.insert(device.name.clone(), device.values.clone());
                }
            }
        }
        m
    }
}
