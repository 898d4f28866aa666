//! `cargo xtask realize <scenario> [--json]`: without booting, what the Debian guest would
//! get for a scenario: each file under its guest path, the root mount options, the disk
//! layout, and every option it does not realize, with why. Exit 0, or 1 with the error when
//! the modules cannot be evaluated or realized.

use nixos_tuning::backend::debian::realize;
use nixos_tuning::scenario;
use xshell::Shell;

/// Show what the Debian guest would get for a scenario, without booting
#[derive(clap::Args)]
pub struct Realize {
    /// The scenario (see `cargo xtask list`)
    scenario: String,
    /// Print it as JSON
    #[arg(long)]
    json: bool,
}

impl Realize {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        let loaded = scenario::load_named(&sh.current_dir(), &self.scenario)?;
        let realized = realize::realize(&loaded)?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&realized)?);
        } else {
            print!("{}", realized.render());
        }
        Ok(())
    }
}
