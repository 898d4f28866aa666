//! `cargo xtask test`: the whole test suite. Builds the guest image and base disk first, with
//! progress, and where Nix can build the flake every scenario's NixOS VM too, so no test
//! spends its deadline on a first build, then runs nextest.

use nixos_tuning::backend::{debian, nixos, Backend, Choice};
use nixos_tuning::scenario;
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
        let root = sh.current_dir();
        debian::prepare(&root, AccelChoice::Auto, &reporter)?;
        let resolved = Choice::Auto.resolve(&root)?;
        eprintln!("{}", resolved.reason);
        if let Backend::Nixos(nix) = &resolved.backend {
            for name in scenario::names(&root)? {
                nixos::prepare(nix, &root, &name, &reporter)?;
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
