//! Swappiness: the same mixed memory pressure on every machine (anonymous memory held while
//! a file larger than what is left is read twice, on a temporary swap file), and the pages
//! the kernel swapped out and in meanwhile, at the machine's `vm.swappiness`.

use super::{fields, Setup};
use crate::figures::{id, Figures, Spec, Unit};
use crate::vm::Machine;

const METHOD: &str = "650 MiB of anonymous memory held while a 700 MiB file (incompressible: \
    a random MiB repeated) is read twice, with a temporary 512 MiB Btrfs swap file; pswpout and \
    pswpin from /proc/vmstat, before and after";

pub const VALUE: Spec = Spec::new(id::SWAPPINESS, "vm.swappiness", Unit::Count, METHOD, false);
pub const PSWPOUT: Spec = Spec::new(
    id::SWAPPINESS_PSWPOUT,
    "pages swapped out",
    Unit::Count,
    METHOD,
    false,
);
pub const PSWPIN: Spec = Spec::new(
    id::SWAPPINESS_PSWPIN,
    "pages swapped in",
    Unit::Count,
    METHOD,
    false,
);

pub fn run(machine: &mut Machine, setup: &Setup, figures: &mut Figures) -> anyhow::Result<()> {
    let out = fields(machine, setup, "bash /run/nixos-tuning/swappiness.sh", 900)?;
    figures.record(&VALUE, out.number("swappiness")?);
    figures.record(&PSWPOUT, out.number("pswpout")?);
    figures.record(&PSWPIN, out.number("pswpin")?);
    Ok(())
}
