//! Zram: a workload that holds 115% of the machine's memory, on the machine's own swap
//! (zram, or none), and the same on a temporary swap file on disk: whether it completes or
//! is killed, how much swap it used, zram's compression and what reached the disk.

use super::{fields, Setup};
use crate::figures::{id, Figures, Spec, Unit};
use crate::probe::zramctl;
use crate::vm::Machine;

const METHOD: &str = "a Python process holds 115% of the guest's memory in pages a quarter \
    random and three quarters text, in its own scope; swap in use from /proc/meminfo and \
    zramctl --bytes while it holds everything, disk writes from /proc/diskstats";
const METHOD_DISK: &str = "the zram workload on a temporary Btrfs swap file as large as \
    zram's device (half the memory), with no zram";

pub const COMPLETED: Spec = Spec::new(
    id::PRESSURE_COMPLETED,
    "memory workload completed",
    Unit::Flag,
    METHOD,
    false,
);
pub const SWAP_USED: Spec = Spec::new(
    id::PRESSURE_SWAP_USED_BYTES,
    "swap in use at the peak",
    Unit::Bytes,
    METHOD,
    false,
);
pub const ZRAM_RATIO: Spec = Spec::new(
    id::PRESSURE_ZRAM_RATIO,
    "zram compression ratio",
    Unit::Ratio,
    METHOD,
    false,
);
pub const DISK_WRITES: Spec = Spec::new(
    id::PRESSURE_DISK_WRITE_BYTES,
    "disk writes during the workload",
    Unit::Bytes,
    METHOD,
    false,
);
pub const DISK_SWAP_COMPLETED: Spec = Spec::new(
    id::DISK_SWAP_COMPLETED,
    "memory workload completed on a swap file",
    Unit::Flag,
    METHOD_DISK,
    false,
);
pub const DISK_SWAP_USED: Spec = Spec::new(
    id::DISK_SWAP_USED_BYTES,
    "swap file in use at the peak",
    Unit::Bytes,
    METHOD_DISK,
    false,
);
pub const DISK_SWAP_WRITES: Spec = Spec::new(
    id::DISK_SWAP_DISK_WRITE_BYTES,
    "disk writes on a swap file",
    Unit::Bytes,
    METHOD_DISK,
    false,
);

/// On the machine's own swap.
pub fn run(machine: &mut Machine, setup: &Setup, figures: &mut Figures) -> anyhow::Result<()> {
    let out = fields(machine, setup, "sh /run/nixos-tuning/pressure.sh", 900)?;
    let completed = out.number("status")? == 0.0;
    figures.record(&COMPLETED, f64::from(u8::from(completed)));
    figures.record(&DISK_WRITES, out.number("disk-write-bytes")?);
    if completed {
        figures.record(&SWAP_USED, out.number("swap-used-bytes")?);
        if let Some(ratio) = zram_ratio(out.text())? {
            figures.record(&ZRAM_RATIO, ratio);
        }
    }
    Ok(())
}

/// On a swap file as large as zram's device would be (half the memory, zramSwap's default).
pub fn run_on_disk_swap(
    machine: &mut Machine,
    setup: &Setup,
    figures: &mut Figures,
) -> anyhow::Result<()> {
    let out = fields(machine, setup,
        "sh /run/nixos-tuning/pressure.sh $(awk '/^MemTotal:/ { print int($2 / 2048) }' /proc/meminfo)",
        900,
    )?;
    let completed = out.number("status")? == 0.0;
    figures.record(&DISK_SWAP_COMPLETED, f64::from(u8::from(completed)));
    figures.record(&DISK_SWAP_WRITES, out.number("disk-write-bytes")?);
    if completed {
        figures.record(&DISK_SWAP_USED, out.number("swap-used-bytes")?);
    }
    Ok(())
}

/// DATA / COMPR summed over the zram devices zramctl listed, if any.
fn zram_ratio(text: &str) -> anyhow::Result<Option<f64>> {
    let Some((_, table)) = text.split_once("--- zramctl\n") else {
        return Ok(None);
    };
    let devices = zramctl::parse(table)?;
    let (data, compressed) = devices.iter().fold((0u64, 0u64), |(d, c), dev| {
        (
            d + dev.data.as_ref().map_or(0, |s| s.bytes),
            c + dev.compr.as_ref().map_or(0, |s| s.bytes),
        )
    });
    Ok((compressed > 0).then(|| data as f64 / compressed as f64))
}
