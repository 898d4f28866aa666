//! Backends turn a scenario into a bootable VM: `nixos` builds the real NixOS system from the
//! flake, `debian` runs everywhere QEMU runs. [`Choice`] is what the user asks for, [`Kind`]
//! what runs.

pub mod choice;
pub mod debian;
pub mod kind;
pub mod nixos;

pub use choice::{Backend, Choice, Resolved};
pub use kind::Kind;
