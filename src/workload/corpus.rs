//! Compression: the corpus (the guest's Python standard library sources) written to the
//! /home subvolume and read back cold, timed, then measured by `compsize`, several times.

use super::{fields, Setup};
use crate::figures::{id, Figures, Spec, Unit};

use crate::probe::compsize;
use crate::vm::Machine;

const DIR: &str = "/home/bench-corpus";

const METHOD_SPACE: &str = "compsize -b on the corpus (the Python standard library sources, \
    __pycache__ left out) just written to the /home subvolume";
const METHOD_SPEED: &str = "tar of the corpus into the /home subvolume then sync (write), and \
    tar of it to wc after dropping the page cache (read), timed in the guest";

pub const BYTES: Spec = Spec::new(
    id::CORPUS_BYTES,
    "corpus size",
    Unit::Bytes,
    METHOD_SPACE,
    false,
);
pub const DISK_BYTES: Spec = Spec::new(
    id::CORPUS_DISK_BYTES,
    "corpus on disk",
    Unit::Bytes,
    METHOD_SPACE,
    false,
);
pub const SAVED_PERCENT: Spec = Spec::new(
    id::CORPUS_SAVED_PERCENT,
    "space saved on the corpus",
    Unit::Percent,
    METHOD_SPACE,
    false,
);
pub const WRITE: Spec = Spec::new(
    id::CORPUS_WRITE_MIB_S,
    "corpus write throughput",
    Unit::MibPerSecond,
    METHOD_SPEED,
    true,
);
pub const READ: Spec = Spec::new(
    id::CORPUS_READ_MIB_S,
    "corpus read throughput (cold cache)",
    Unit::MibPerSecond,
    METHOD_SPEED,
    true,
);

pub fn run(machine: &mut Machine, setup: &Setup, figures: &mut Figures) -> anyhow::Result<()> {
    for _ in 0..super::REPETITIONS {
        let timed = fields(machine, setup, "sh /run/nixos-tuning/corpus-write.sh", 300)?;
        let mib = timed.number("bytes")? / (1024.0 * 1024.0);
        figures.record(&WRITE, mib / timed.seconds("write-ns")?);
        figures.record(&READ, mib / timed.seconds("read-ns")?);
        let usage = compsize::parse(&machine.succeed(&format!("compsize -b {DIR}"))?)?;
        let total = usage
            .total
            .ok_or_else(|| anyhow::anyhow!("compsize printed no TOTAL row for {DIR}"))?;
        let (plain, disk) = (
            total.uncompressed.bytes as f64,
            total.disk_usage.bytes as f64,
        );
        anyhow::ensure!(plain > 0.0, "compsize found no data in {DIR}");
        figures.record(&BYTES, plain);
        figures.record(&DISK_BYTES, disk);
        figures.record(&SAVED_PERCENT, 100.0 * (1.0 - disk / plain));
    }
    machine.succeed(&format!("rm -rf {DIR}"))?;
    Ok(())
}
