//! `cargo xtask test`: the whole test suite. Builds the guest image and base disk first, with
//! progress, so no test spends its deadline on a first build, then runs nextest.

use nixos_tuning::backend::debian;
use nixos_tuning::vm::accel::AccelChoice;
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
        debian::prepare(&sh.current_dir(), AccelChoice::Auto, &reporter)?;
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
