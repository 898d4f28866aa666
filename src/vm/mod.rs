//! The VM driver: starts QEMU with the backdoor shell of NixOS's test instrumentation on a
//! virtio console, runs commands in the guest, and never leaves a QEMU behind.

pub mod accel;
mod console;
mod error;
pub mod interrupt;
mod machine;
pub mod protocol;
pub mod qemu;
mod qmp;
mod sockets;
pub mod tcg_race;

pub use error::{SerialTail, VmError};
pub use machine::{Deadlines, Launch, Machine, MachineConfig, Output};
