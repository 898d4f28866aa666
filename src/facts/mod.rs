//! The facts of a machine: what its commands ([`commands`]) say that is the same on every
//! run, parsed by the probes' parsers. This is what the snapshots assert and the claims and
//! the report read. Numbers that wobble between runs are rounded or bucketed here, each rule
//! with its reason; the raw numbers are measurements (`vmtest::measurements`) instead.

pub mod commands;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::probe::{
    btrfs_usage, compsize, df, free, iostat, mount, nix_config, swapon, sysctl, systemctl_failed,
    systemctl_status, top, zramctl,
};

/// Raw outputs by command name ([`commands::Command::name`]).
pub type Outputs = BTreeMap<String, String>;

/// The raw outputs a run kept in `raw` (`<name>.txt` per command).
pub fn read_outputs(raw: &Path) -> anyhow::Result<Outputs> {
    let mut outputs = Outputs::new();
    for command in commands::ALL {
        let file = raw.join(format!("{}.txt", command.name));
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read `{}`", file.display()))?;
        outputs.insert(command.name.to_owned(), text);
    }
    Ok(outputs)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Block-device file systems by mount point, with their options as the kernel reports them.
    pub mounts: BTreeMap<String, MountFact>,
    pub btrfs: BtrfsFact,
    /// `df -h` rows of block devices: which device holds which mount point.
    pub disk_usage: BTreeMap<String, DfFact>,
    pub memory: MemoryFact,
    pub swap: Vec<SwapFact>,
    pub zram: Vec<ZramFact>,
    pub sysctl: BTreeMap<String, String>,
    /// Every setting `nix show-config` prints.
    pub nix: BTreeMap<String, String>,
    pub systemd: SystemdFact,
    pub compression: CompressionFact,
    pub io: IoFact,
    pub build: BuildFact,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MountFact {
    pub device: String,
    pub fs_type: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BtrfsFact {
    /// Profile of each block group type (`Data: single`, `Metadata: DUP`).
    pub profiles: BTreeMap<String, String>,
    /// Rounded to the GiB: btrfs prints two decimals of a size that is fixed by the layout.
    pub device_size_gib: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DfFact {
    pub filesystem: String,
    /// To a tenth of a GiB: the size is fixed by the layout, but `df -h` prints it rounded
    /// up in varying units (`3.8G`, `255M`); used and free shift with every write.
    pub size_gib: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryFact {
    /// RAM the kernel reports, to the nearest 64 MiB: the VM has a fixed 1 GiB, of which the
    /// kernel keeps a few MiB that vary between kernel builds.
    pub ram_mib: u64,
    /// Swap total as a fraction of that RAM, two decimals.
    pub swap_fraction_of_ram: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwapFact {
    pub name: String,
    pub kind: Option<String>,
    /// Size as a fraction of RAM, two decimals: zram's size is a share of RAM by design.
    pub fraction_of_ram: f64,
    pub priority: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZramFact {
    pub name: String,
    pub algorithm: Option<String>,
    pub disksize_fraction_of_ram: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemdFact {
    pub state: String,
    pub failed_units: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompressionFact {
    /// Extent types compsize finds in the corpus written after boot (`none`, `zstd`...).
    pub corpus_types: Vec<String>,
    /// Whether the corpus takes less disk than its size. The ratio itself is a measurement.
    pub corpus_compressed: bool,
    /// What the guide's own `compsize /` says: `works`, or its error without the file name.
    pub guide_command: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IoFact {
    /// Block devices iostat reports (zram appears when zram swap is on).
    pub devices: Vec<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildFact {
    /// The store path the offline build produced, empty when it failed.
    pub output: String,
}

impl Facts {
    /// Builds the facts from the probes' raw outputs.
    pub fn from_outputs(outputs: &Outputs) -> anyhow::Result<Facts> {
        use commands as c;
        let get = |command: &c::Command| {
            outputs
                .get(command.name)
                .map(String::as_str)
                .with_context(|| format!("probe `{}` has no output", command.name))
        };
        let parse_err = |name: &'static str| move |err| anyhow::format_err!("{name}: {err}");
        let mount = mount::parse(get(&c::MOUNT)?).map_err(parse_err("mount"))?;
        // top's numbers are all volatile (measurements), but its output must still parse.
        top::parse(get(&c::TOP)?).map_err(parse_err("top"))?;
        let free = free::parse(get(&c::FREE_BYTES)?).map_err(parse_err("free -b"))?;
        let ram = free.mem.total.map_or(0, |size| size.bytes);
        Ok(Facts {
            mounts: mounts(&mount),
            btrfs: btrfs(&btrfs_usage::parse(get(&c::BTRFS_USAGE)?).map_err(parse_err("btrfs"))?),
            disk_usage: disk_usage(&df::parse(get(&c::DF)?).map_err(parse_err("df"))?),
            memory: memory(&free, ram),
            swap: swap(
                &swapon::parse(get(&c::SWAPON)?).map_err(parse_err("swapon"))?,
                ram,
            ),
            zram: zram(
                &zramctl::parse(get(&c::ZRAMCTL)?).map_err(parse_err("zramctl"))?,
                ram,
            ),
            sysctl: sysctl(&sysctl::parse(get(&c::SYSCTL)?).map_err(parse_err("sysctl"))?),
            nix: nix_config::parse(get(&c::NIX_CONFIG)?)
                .map_err(parse_err("nix show-config"))?
                .settings,
            systemd: systemd(
                &systemctl_status::parse(get(&c::SYSTEMCTL_STATUS)?)
                    .map_err(parse_err("systemctl status"))?,
                &systemctl_failed::parse(get(&c::SYSTEMCTL_FAILED)?)
                    .map_err(parse_err("systemctl --failed"))?,
            ),
            compression: compression(
                &compsize::parse(get(&c::COMPSIZE_CORPUS)?).map_err(parse_err("compsize"))?,
                get(&c::COMPSIZE_AS_WRITTEN)?,
            ),
            io: io(&iostat::parse(get(&c::IOSTAT)?).map_err(parse_err("iostat"))?),
            build: BuildFact {
                output: get(&c::NIX_BUILD)?
                    .lines()
                    .find(|line| line.starts_with("/nix/store/"))
                    .unwrap_or_default()
                    .to_owned(),
            },
        })
    }
}

fn mounts(table: &mount::MountTable) -> BTreeMap<String, MountFact> {
    table
        .mounts
        .iter()
        .filter(|m| m.device.starts_with("/dev/"))
        .map(|m| {
            let options = m
                .options
                .iter()
                .map(|o| match &o.value {
                    Some(value) => format!("{}={value}", o.name),
                    None => o.name.clone(),
                })
                .collect();
            let fact = MountFact {
                device: m.device.clone(),
                fs_type: m.fs_type.clone(),
                options,
            };
            (m.mount_point.clone(), fact)
        })
        .collect()
}

fn btrfs(usage: &btrfs_usage::BtrfsUsage) -> BtrfsFact {
    BtrfsFact {
        profiles: usage
            .sections
            .iter()
            .map(|s| (s.kind.clone(), s.profile.clone()))
            .collect(),
        device_size_gib: gib(usage.overall.device_size.bytes),
    }
}

fn disk_usage(df: &df::Df) -> BTreeMap<String, DfFact> {
    df.filesystems
        .iter()
        .filter(|row| row.filesystem.starts_with("/dev/"))
        .filter_map(|row| {
            let fact = DfFact {
                filesystem: row.filesystem.clone(),
                size_gib: (row.size?.bytes as f64 / f64::from(1 << 30) * 10.0).round() / 10.0,
            };
            Some((row.mounted_on.clone()?, fact))
        })
        .collect()
}

fn memory(free: &free::Free, ram: u64) -> MemoryFact {
    const STEP: u64 = 64 << 20;
    MemoryFact {
        ram_mib: (ram + STEP / 2) / STEP * 64,
        swap_fraction_of_ram: fraction(free.swap.as_ref().map_or(0, |s| s.total.bytes), ram),
    }
}

fn swap(devices: &[swapon::SwapDevice], ram: u64) -> Vec<SwapFact> {
    devices
        .iter()
        .map(|d| SwapFact {
            name: d.name.clone(),
            kind: d.kind.clone(),
            fraction_of_ram: fraction(d.size.map_or(0, |s| s.bytes), ram),
            priority: d.priority,
        })
        .collect()
}

fn zram(devices: &[zramctl::ZramDevice], ram: u64) -> Vec<ZramFact> {
    devices
        .iter()
        .map(|d| ZramFact {
            name: d.name.clone(),
            algorithm: d.algorithm.clone(),
            disksize_fraction_of_ram: fraction(d.disksize.map_or(0, |s| s.bytes), ram),
        })
        .collect()
}

fn sysctl(values: &sysctl::Sysctl) -> BTreeMap<String, String> {
    values
        .entries
        .iter()
        .map(|e| (e.key.clone(), e.raw.clone()))
        .collect()
}

fn systemd(
    status: &systemctl_status::SystemctlStatus,
    failed: &systemctl_failed::SystemctlFailed,
) -> SystemdFact {
    let state = serde_json::to_value(&status.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{:?}", status.state).to_lowercase());
    SystemdFact {
        state,
        failed_units: failed.units.iter().map(|u| u.unit.clone()).collect(),
    }
}

fn compression(corpus: &compsize::Compsize, as_written: &str) -> CompressionFact {
    CompressionFact {
        corpus_types: corpus.types.keys().cloned().collect(),
        corpus_compressed: corpus
            .total
            .as_ref()
            .is_some_and(|t| t.disk_usage.bytes < t.uncompressed.bytes),
        guide_command: as_written.trim().to_owned(),
    }
}

fn io(stats: &iostat::Iostat) -> IoFact {
    let last = stats.reports.last();
    let mut devices: Vec<String> = last
        .map(|r| r.devices.iter().map(|d| d.name.clone()).collect())
        .unwrap_or_default();
    devices.sort();
    IoFact {
        devices,
        columns: last.map(|r| r.columns.clone()).unwrap_or_default(),
    }
}

fn gib(bytes: u64) -> u64 {
    (bytes + (1 << 29)) >> 30
}

/// `part / whole` to two decimals; two decimals because zram-generator and the kernel round
/// sizes to pages, which moves the third decimal.
fn fraction(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 / whole as f64 * 100.0).round() / 100.0
}
