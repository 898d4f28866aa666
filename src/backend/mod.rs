//! Backends turn a scenario into a bootable VM: `debian` everywhere QEMU runs.

pub mod debian;
