//! `cargo xtask test`: the whole test suite. Builds the guest image and base disk first and
//! makes (or reuses) every scenario's run with its claims measured, with progress, on the debian backend and, where
//! Nix can build the flake, on the nixos one too, so no test spends its deadline on a first
//! build or run (a clean checkout's baseline alone takes minutes under TCG); then runs
//! nextest.

use anyhow::Context;
use nixos_tuning::backend::{debian, Choice, Kind};
use nixos_tuning::scenario;
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vmtest::{self, Claims};
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
        debian::prepare(&root, AccelChoice::Auto, &reporter)?;
        let resolved = Choice::Auto.resolve(&root)?;
        eprintln!("{}", resolved.reason);
        let mut kinds = vec![Kind::Debian];
        if resolved.kind() == Kind::Nixos {
            kinds.push(Kind::Nixos);
        }
        for kind in kinds {
            for name in scenario::names(&root)? {
                eprintln!("== {kind} {name}");
                vmtest::ensure(
                    &root,
                    kind,
                    &name,
                    AccelChoice::Auto,
                    Claims::Measure,
                    &reporter,
                )
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
