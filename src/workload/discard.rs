//! discard=async: the guest writes 256 MiB and deletes it; the host reads how much of its
//! disk image file is allocated before the write, after it, and once Btrfs has discarded what
//! the delete freed. The drive passes discards through (`discard=unmap`), so a discard frees host
//! space, as a TRIM frees flash on the guide's SSD.

use std::path::Path;

use anyhow::Context;

use super::{fields, Setup};
use crate::figures::{id, Figures, Spec, Unit};
use crate::vm::Machine;

const METHOD: &str = "256 MiB of incompressible data (a random MiB repeated) written to / \
    and synced, then deleted; the host's allocation of the disk image (st_blocks) after the \
    write and once Btrfs has less than 32 MiB left to discard (with discard=async, at most 200 s \
    later; Btrfs holds freed space 120 s, then discards it)";

pub const WRITTEN: Spec = Spec::new(
    id::DISCARD_WRITTEN_BYTES,
    "host allocation grown by the write",
    Unit::Bytes,
    METHOD,
    false,
);
pub const RELEASED: Spec = Spec::new(
    id::DISCARD_RELEASED_BYTES,
    "host allocation released after the delete",
    Unit::Bytes,
    METHOD,
    false,
);
pub const RELEASED_PERCENT: Spec = Spec::new(
    id::DISCARD_RELEASED_PERCENT,
    "share of the write released",
    Unit::Percent,
    METHOD,
    false,
);
pub const WAIT: Spec = Spec::new(
    id::DISCARD_WAIT_SECONDS,
    "wait for pending discards",
    Unit::Seconds,
    METHOD,
    false,
);

pub fn run(machine: &mut Machine, setup: &Setup, figures: &mut Figures) -> anyhow::Result<()> {
    // Without the image file there is nothing to measure: the nixos backend's disk lives in
    // its run script's own temporary directory.
    let Some(image) = setup.disk_image else {
        return Ok(());
    };
    let before = allocated(image)?;
    {
        // The write keeps the CPU busy; the wait after the delete does not.
        let _beside = setup.sharing.map(crate::vmtest::Sharing::beside);
        machine.succeed("sh /run/nixos-tuning/discard.sh write")?;
    }
    let written = allocated(image)?;
    let deleted = fields(
        machine,
        setup,
        "sh /run/nixos-tuning/discard.sh delete",
        300,
    )?;
    let after = allocated(image)?;
    let grown = written.saturating_sub(before) as f64;
    anyhow::ensure!(
        grown > 0.0,
        "the disk image `{}` did not grow when the guest wrote 256 MiB",
        image.display()
    );
    let released = written.saturating_sub(after) as f64;
    figures.record(&WRITTEN, grown);
    figures.record(&RELEASED, released);
    figures.record(&RELEASED_PERCENT, 100.0 * released / grown);
    figures.record(&WAIT, deleted.seconds("wait-ns")?);
    Ok(())
}

/// Bytes the host file system has allocated to `image`.
fn allocated(image: &Path) -> anyhow::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(image)
        .with_context(|| format!("cannot read the disk image `{}`", image.display()))?;
    Ok(meta.blocks() * 512)
}
