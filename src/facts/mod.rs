//! The facts of a machine: what its commands ([`commands`]) say that is the same on every
//! run, parsed by the probes' parsers. This is what the snapshots assert and the claims and
//! the report read. Numbers that wobble between runs are rounded or bucketed here, each rule
//! with its reason; the raw numbers are measurements (`vmtest::measurements`) instead. A live
//! server's facts come from the same parsers ([`Facts::from_available`]); what only the VM
//! can have (its corpus, its build) is absent there, and absent from its serialized form.

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

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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
    /// Only the VM builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildFact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MountFact {
    pub device: String,
    pub fs_type: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SystemdFact {
    pub state: String,
    pub failed_units: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CompressionFact {
    /// Extent types compsize finds in the corpus written after boot (`none`, `zstd`...).
    /// Only the VM writes a corpus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corpus_types: Option<Vec<String>>,
    /// Whether the corpus takes less disk than its size. The ratio itself is a measurement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corpus_compressed: Option<bool>,
    /// What the guide's own `compsize /` says: `works`, or its error without the file name.
    /// A live server runs it only as root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide_command: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
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
    /// Builds the facts from the probes' raw outputs: every command of [`commands::ALL`].
    pub fn from_outputs(outputs: &Outputs) -> anyhow::Result<Facts> {
        Facts::read(&Reader {
            outputs,
            every: true,
        })
    }

    /// Builds the facts from the outputs a live server gave: a command without output (not
    /// run there, or failed) leaves its facts empty, and its caller says why. An output that
    /// does not parse is an error all the same.
    pub fn from_available(outputs: &Outputs) -> anyhow::Result<Facts> {
        Facts::read(&Reader {
            outputs,
            every: false,
        })
    }

    fn read(r: &Reader) -> anyhow::Result<Facts> {
        use commands as c;
        // top's numbers are all volatile (measurements), but its output must still parse.
        r.parse(&c::TOP, top::parse)?;
        let free = r.parse(&c::FREE_BYTES, free::parse)?;
        let ram = free
            .as_ref()
            .and_then(|f| f.mem.total)
            .map_or(0, |size| size.bytes);
        Ok(Facts {
            mounts: r.fact(&c::MOUNT, mount::parse, mounts)?,
            btrfs: r.fact(&c::BTRFS_USAGE, btrfs_usage::parse, btrfs)?,
            disk_usage: r.fact(&c::DF, df::parse, disk_usage)?,
            memory: free.as_ref().map(|f| memory(f, ram)).unwrap_or_default(),
            swap: r.fact(&c::SWAPON, swapon::parse, |d| swap(d, ram))?,
            zram: r.fact(&c::ZRAMCTL, zramctl::parse, |d| zram(d, ram))?,
            sysctl: r.fact(&c::SYSCTL, sysctl::parse, sysctl)?,
            nix: r.fact(&c::NIX_CONFIG, nix_config::parse, |n| n.settings.clone())?,
            systemd: SystemdFact {
                state: r.fact(&c::SYSTEMCTL_STATUS, systemctl_status::parse, state)?,
                failed_units: r.fact(
                    &c::SYSTEMCTL_FAILED,
                    systemctl_failed::parse,
                    failed_units,
                )?,
            },
            compression: compression(
                r.parse(&c::COMPSIZE_CORPUS, compsize::parse)?.as_ref(),
                r.text(&c::COMPSIZE_AS_WRITTEN)?,
            ),
            io: r.fact(&c::IOSTAT, iostat::parse, io)?,
            build: r.text(&c::NIX_BUILD)?.map(|text| BuildFact {
                output: text
                    .lines()
                    .find(|line| line.starts_with("/nix/store/"))
                    .unwrap_or_default()
                    .to_owned(),
            }),
        })
    }
}

/// The commands a top-level field of [`Facts`] is read from (`mounts`: `mount`), so a fact
/// that cannot be read can say which output it lacks.
pub fn commands_of(field: &str) -> &'static [commands::Command] {
    use commands as c;
    match field {
        "mounts" => &[c::MOUNT],
        "btrfs" => &[c::BTRFS_USAGE],
        "disk_usage" => &[c::DF],
        "memory" => &[c::FREE_BYTES],
        "swap" => &[c::SWAPON, c::FREE_BYTES],
        "zram" => &[c::ZRAMCTL, c::FREE_BYTES], // tidy: not a scenario (a field of the facts)
        "sysctl" => &[c::SYSCTL],
        "nix" => &[c::NIX_CONFIG],
        "systemd" => &[c::SYSTEMCTL_STATUS, c::SYSTEMCTL_FAILED],
        "compression" => &[c::COMPSIZE_CORPUS, c::COMPSIZE_AS_WRITTEN], // tidy: not a scenario (a field of the facts)
        "io" => &[c::IOSTAT],
        "build" => &[c::NIX_BUILD],
        _ => &[],
    }
}

/// The outputs facts are read from, and whether each command must have one.
struct Reader<'a> {
    outputs: &'a Outputs,
    every: bool,
}

impl Reader<'_> {
    /// A command's output; `None` for a missing one, unless every command must have one.
    fn text(&self, command: &commands::Command) -> anyhow::Result<Option<&str>> {
        match self.outputs.get(command.name) {
            Some(text) => Ok(Some(text)),
            None if self.every => anyhow::bail!("probe `{}` has no output", command.name),
            None => Ok(None),
        }
    }

    /// What `read` makes of a command's parsed output; empty without an output.
    fn fact<T, F: Default>(
        &self,
        command: &commands::Command,
        parser: fn(&str) -> Result<T, crate::probe::ParseError>,
        read: impl FnOnce(&T) -> F,
    ) -> anyhow::Result<F> {
        Ok(self
            .parse(command, parser)?
            .map(|parsed| read(&parsed))
            .unwrap_or_default())
    }

    /// A command's output parsed; an error names the probe and its command.
    fn parse<T>(
        &self,
        command: &commands::Command,
        parser: fn(&str) -> Result<T, crate::probe::ParseError>,
    ) -> anyhow::Result<Option<T>> {
        let Some(text) = self.text(command)? else {
            return Ok(None);
        };
        parser(text).map(Some).map_err(|err| {
            anyhow::format_err!("probe `{}` (`{}`): {err}", command.name, command.command)
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

fn state(status: &systemctl_status::SystemctlStatus) -> String {
    serde_json::to_value(&status.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{:?}", status.state).to_lowercase())
}

fn failed_units(failed: &systemctl_failed::SystemctlFailed) -> Vec<String> {
    failed.units.iter().map(|u| u.unit.clone()).collect()
}

fn compression(corpus: Option<&compsize::Compsize>, as_written: Option<&str>) -> CompressionFact {
    CompressionFact {
        corpus_types: corpus.map(extent_types),
        corpus_compressed: corpus.map(takes_less_disk),
        guide_command: as_written.map(|text| text.trim().to_owned()),
    }
}

/// The extent types compsize found (`none`, `zstd`...).
pub fn extent_types(compsize: &compsize::Compsize) -> Vec<String> {
    compsize.types.keys().cloned().collect()
}

/// Whether what compsize read takes less disk than its size: some of it is compressed.
fn takes_less_disk(compsize: &compsize::Compsize) -> bool {
    compsize
        .total
        .as_ref()
        .is_some_and(|t| t.disk_usage.bytes < t.uncompressed.bytes)
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
