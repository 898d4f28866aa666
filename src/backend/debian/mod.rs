//! The Debian backend: a Debian 13 guest built with mmdebstrap, installed by itself onto the
//! disko Btrfs layout, with the scenario's NixOS options realized the way NixOS realizes them.

pub mod install;
pub mod layout;
