//! Tests that boot real VMs: the Debian guest on the disko Btrfs layout, under whichever
//! accelerator works here. They share the image and base disk that `cargo xtask test`
//! builds first (or build them on first use), and run one at a time (nextest group `vm`).

mod driver;
mod faults;
mod guest;
#[path = "../shared/mod.rs"]
mod shared;
mod support;
