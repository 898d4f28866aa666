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

    /// The evaluator printed what the project does not read: a bug of the project's.
    #[error("the module evaluator (nix-tests/lib/eval.nix) gave an unexpected result: {message}")]
    Evaluator { message: String },

    #[error(transparent)]
    Nix(#[from] NixError),
}
