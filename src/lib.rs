//! nixos-tuning: boots a QEMU VM per NixOS performance optimization of the guide, runs the
//! guide's verification and monitoring commands inside it and turns their output into typed
//! facts that tests snapshot with insta.
//!
//! The library holds everything a test can reach; `xtask/` is a thin command line over it.

//! Data flows one way: `nix-tests` → [`scenario`] → [`backend`] → [`vm`] → [`facts`] (through
//! the [`probe`] parsers) → snapshots, [`claims`] and [`report`]; [`runs`] keeps each run.
//! [`check`] reads a live server's facts with the same parsers and compares them with the
//! snapshots.

pub mod advise;
pub mod backend;
pub mod cache;
pub mod check;
pub mod claims;
pub mod diskfull;
pub mod disko;
pub mod facts;
pub mod figures;
pub mod host;
pub mod lock;
pub mod nix;
pub mod optimization;
pub mod options;
pub mod probe;
pub mod progress;
pub mod report;
pub mod runs;
pub mod scenario;
pub mod vm;
pub mod vmtest;
pub mod workload;
