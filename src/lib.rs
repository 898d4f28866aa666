//! nixos-tuning: boots a QEMU VM per NixOS performance optimization of the guide, runs the
//! guide's verification and monitoring commands inside it and turns their output into typed
//! facts that tests snapshot with insta.
//!
//! The library holds everything a test can reach; `xtask/` is a thin command line over it.

pub mod advise;
pub mod backend;
pub mod cache;
pub mod claims;
pub mod figures;
pub mod host;
pub mod nix;
pub mod options;
pub mod probe;
pub mod progress;
pub mod report;
pub mod scenario;
pub mod vm;
pub mod vmtest;
pub mod workload;
