//! `cargo xtask test`: the whole test suite. Prepares each backend once (the Debian guest's
//! image and base disk, the accelerator) and makes (or reuses) every scenario's run with its
//! claims measured, with progress, on the debian backend and, where Nix can build the flake,
//! on the nixos one too, so no test spends its deadline on a first build or run; then runs
//! nextest.

use anyhow::Context;
use nixos_tuning::backend::{Backend, Choice, Kind};
use nixos_tuning::lock::Wait;
use nixos_tuning::runs::Runs;
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{Claims, Runner};
use xshell::{cmd, Shell};

use crate::progress::Reporter;

/// Run every test, VM tests included
#[derive(clap::Args)]
pub struct Test {
    /// Arguments passed on to `cargo nextest run`
    #[arg(last = true)]
    nextest_args: Vec<String>,
}

impl Test {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        nixos_tuning::vm::interrupt::install()?;
        let reporter = Reporter::new();
        let root = sh.current_dir();
        let mut selections = vec![Choice::Only(Kind::Debian).resolve(&root)?];
        let auto = Choice::Auto.resolve(&root)?;
        eprintln!("{}", auto.reason);
        if auto.kind == Kind::Nixos {
            selections.push(auto);
        }
        for selection in selections {
            let kind = selection.kind;
            let backend = Backend::prepare(selection, &root, AccelChoice::Auto, &reporter)?;
            let runner = Runner {
                backend: &backend,
                runs: Runs::of_project(&root),
                claims: Claims::Measure,
                wait: Wait::Wait,
                progress: &reporter,
            };
            for name in scenario::names(&root)? {
                eprintln!("== {kind} {name}");
                scenario::load_named(&root, &name)
                    .map_err(anyhow::Error::from)
                    .and_then(|loaded| runner.ensure(&loaded))
                    .with_context(|| format!("scenario `{name}` failed on the {kind} backend"))?;
            }
        }
        let profile = if crate::progress::in_ci() {
            "ci"
        } else {
            "default"
        };
        let args = self.nextest_args;
        cmd!(
            sh,
            "cargo nextest run --workspace --profile {profile} {args...}"
        )
        .run()?;
        Ok(())
    }
}
