//! Why a scenario cannot be found or evaluated, precise enough for callers to match on.

use crate::nix::NixError;

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

    /// A module that is not what the evaluator takes.
    #[error("{file}: the option `{option}` {message}")]
    Invalid {
        option: String,
        file: String,
        message: String,
    },

    #[error(transparent)]
    Nix(#[from] NixError),
}
