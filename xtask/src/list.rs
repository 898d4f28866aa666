//! `cargo xtask list`: the scenarios and what each changes.

use nixos_tuning::scenario;
use xshell::Shell;

/// List the scenarios and what each changes
#[derive(clap::Args)]
pub struct List {
    /// One JSON object per scenario, for a CI matrix
    #[arg(long)]
    json: bool,
}

impl List {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        let scenarios = scenario::list(&sh.current_dir())?;
        if self.json {
            let rows: Vec<_> = scenarios
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "name": s.name,
                        "modules": s.modules.iter().map(|m| m.display().to_string()).collect::<Vec<_>>(),
                        "changes": s.description,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
            return Ok(());
        }
        let width = scenarios.iter().map(|s| s.name.len()).max().unwrap_or(0);
        for s in &scenarios {
            println!("{:width$}  {}", s.name, s.description);
        }
        Ok(())
    }
}
