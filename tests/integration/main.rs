//! The project's fast integration tests, in one binary: parsers against real outputs, and
//! the repository's rules. Tests that boot VMs live in `tests/vm/`.

mod advise;
mod check;
mod claims;
mod flake;
mod layout;
mod modules;
mod nix_files;
mod options;
mod probes;
mod report;
mod scenarios;
mod support;
mod tidy;
