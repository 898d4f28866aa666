//! Do the options the project's Nix files set exist? [`scan`] reads declarations out of the
//! sources of nixpkgs, disko and Home Manager, [`index`] keeps them in a vendored file made by
//! `cargo xtask options` ([`build`], reading [`git`] repositories and [`nixpkgs`] whole or in
//! part), and [`check`] walks what a module sets against it; [`coverage`] names
//! the module that declares each NixOS option the project sets, so that a gap in a partial
//! nixpkgs part of the index fails as a gap rather than passing or reading as a typo.

pub mod build;
pub mod check;
pub mod coverage;
#[cfg(test)]
mod fixtures;
pub mod git;
pub mod index;
pub mod nixpkgs;
pub mod scan;
pub mod tree;
