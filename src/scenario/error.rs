//! Why a scenario cannot be found, loaded or realized, precise enough for callers to match on.

use crate::backend::debian::layout::LayoutError;
use crate::nix::NixError;

/// The option paths the Debian backend realizes; everything else is refused.
pub const REALIZED_OPTIONS: &str = "disko.devices.*, fileSystems.<mountpoint>.options, \
     nix.settings.*, zramSwap.{enable,memoryPercent,memoryMax,algorithm,priority,swapDevices}, \
     boot.kernel.sysctl.*";

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("unknown scenario `{name}`; valid scenarios: {}", valid.join(", "))]
    UnknownScenario { name: String, valid: Vec<String> },

    #[error("{file}: `{name}` is a built-in scenario name; rename the module")]
    ReservedName { name: String, file: String },

    #[error("cannot list the optimization modules in {dir}: {message}")]
    Discovery { dir: String, message: String },

    /// Two modules give one option two different values, which NixOS refuses too.
    #[error(
        "the option `{option}` has conflicting definition values: {first_value} in {first_file} \
         and {second_value} in {second_file}"
    )]
    Conflict {
        option: String,
        first_file: String,
        first_value: String,
        second_file: String,
        second_value: String,
    },

    #[error(
        "{file}: the option `{option}` is not realized by the debian backend \
         (it realizes {REALIZED_OPTIONS})"
    )]
    Unsupported { option: String, file: String },

    /// A realized option with a value NixOS's type for it would refuse.
    #[error("{file}: the option `{option}` {message}")]
    Invalid {
        option: String,
        file: String,
        message: String,
    },

    #[error(transparent)]
    Nix(#[from] NixError),

    #[error("the scenario's disko layout cannot be installed: {0}")]
    Layout(#[from] LayoutError),
}
