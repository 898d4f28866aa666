//! Parsers for the output of every command the guide runs, one module per command.
//!
//! Each module has `pub fn parse(input: &str) -> Result<T, ParseError>` where `T` is a serde
//! type. [`Probe`] names them all, so the command line, the VM runner and the tests reach
//! every parser through one list.

pub mod btrfs_usage;
pub mod compsize;
pub mod df;
pub mod error;
pub mod findmnt;
pub mod free;
pub mod iostat;
pub mod lines;
pub mod mount;
pub mod nix_config;
pub mod proc_swaps;
pub mod size;
pub mod swapon;
pub mod sysctl;
pub mod systemctl_failed;
pub mod systemctl_status;
pub mod top;
pub mod zramctl;

pub use error::ParseError;
pub use size::{Rounding, Size};

use serde::Serialize;

/// A command whose output the project can read: the one list of them. Its name (kebab-case:
/// `nix-config`) is what users type (`cargo xtask parse nix-config`) and the fixture folder's.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::VariantArray,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Probe {
    Mount,
    Findmnt,
    NixConfig,
    Free,
    Df,
    BtrfsUsage,
    Compsize,
    Iostat,
    Swapon,
    ProcSwaps,
    Zramctl,
    Sysctl,
    SystemctlStatus,
    SystemctlFailed,
    Top,
}

impl Probe {
    /// Every probe, in declaration order.
    pub const ALL: &'static [Probe] = <Probe as strum::VariantArray>::VARIANTS;

    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(name: &str) -> Option<Probe> {
        name.parse().ok()
    }

    /// The command whose output this probe reads.
    pub fn command(self) -> &'static str {
        match self {
            Probe::Mount => "mount",
            Probe::Findmnt => "findmnt (tree, --list, --raw, --pairs or --json)",
            Probe::NixConfig => "nix show-config / nix config show",
            Probe::Free => "free [-h|-b|-k|-m|-w]",
            Probe::Df => "df [-h|-B1|-T]",
            Probe::BtrfsUsage => "btrfs filesystem usage [-b|-h|-T]",
            Probe::Compsize => "compsize [-b]",
            Probe::Iostat => "iostat -x [-o JSON]",
            Probe::Swapon => "swapon --show [--bytes]",
            Probe::ProcSwaps => "cat /proc/swaps",
            Probe::Zramctl => "zramctl",
            Probe::Sysctl => "sysctl KEY / sysctl -a",
            Probe::SystemctlStatus => "systemctl status",
            Probe::SystemctlFailed => "systemctl --failed",
            Probe::Top => "top -b -n 1",
        }
    }

    /// Parses `input` with this probe's parser and returns the typed value as JSON.
    pub fn parse_to_json(self, input: &str) -> Result<serde_json::Value, ParseError> {
        match self {
            Probe::Mount => to_json(mount::parse(input)),
            Probe::Findmnt => to_json(findmnt::parse(input)),
            Probe::NixConfig => to_json(nix_config::parse(input)),
            Probe::Free => to_json(free::parse(input)),
            Probe::Df => to_json(df::parse(input)),
            Probe::BtrfsUsage => to_json(btrfs_usage::parse(input)),
            Probe::Compsize => to_json(compsize::parse(input)),
            Probe::Iostat => to_json(iostat::parse(input)),
            Probe::Swapon => to_json(swapon::parse(input)),
            Probe::ProcSwaps => to_json(proc_swaps::parse(input)),
            Probe::Zramctl => to_json(zramctl::parse(input)),
            Probe::Sysctl => to_json(sysctl::parse(input)),
            Probe::SystemctlStatus => to_json(systemctl_status::parse(input)),
            Probe::SystemctlFailed => to_json(systemctl_failed::parse(input)),
            Probe::Top => to_json(top::parse(input)),
        }
    }
}

fn to_json<T: Serialize>(parsed: Result<T, ParseError>) -> Result<serde_json::Value, ParseError> {
    let value = parsed?;
    serde_json::to_value(value)
        .map_err(|err| ParseError::whole(format!("parsed value is not JSON: {err}")))
}
