//! Do the options the project's Nix files set exist? [`scan`] reads declarations out of the
//! sources of nixpkgs, disko and Home Manager, [`index`] keeps them in a vendored file made by
//! `cargo xtask options`, and [`check`] walks what a module sets against it.

pub mod check;
pub mod index;
pub mod scan;
