//! The `cargo xtask` command line, run as a user runs it.

mod advise;
mod backend;
mod check;
mod parse;
mod scenarios;
mod setup;
#[path = "../../../tests/shared/mod.rs"]
mod shared;
mod vm;
