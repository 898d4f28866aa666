//! `cargo xtask backend [--backend auto|nixos|debian]`: which backend a run would use here and
//! why, in one line, without building or booting anything. CI runs it before the nixos matrix,
//! so a runner without a usable Nix fails in seconds with what is missing.

use nixos_tuning::backend::Choice;
use xshell::Shell;

/// Say which backend runs here, and why
#[derive(clap::Args)]
pub struct Backend {
    /// auto (nixos where a Nix with flakes can build the flake, else debian), nixos or debian
    #[arg(long, default_value = "auto")]
    backend: Choice,
}

impl Backend {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        let selection = self.backend.resolve(&sh.current_dir())?;
        println!("{}", selection.reason);
        Ok(())
    }
}
