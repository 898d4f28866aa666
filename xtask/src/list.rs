//! `cargo xtask list`: the scenarios, what each changes, and what the Debian guest does not
//! realize of it.

use nixos_tuning::backend::debian::realize;
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
        let mut rows = Vec::new();
        for loaded in &scenarios {
            let realized = realize::realize(loaded)?;
            rows.push((loaded, realized));
        }
        if self.json {
            let rows: Vec<_> = rows
                .iter()
                .map(|(loaded, realized)| {
                    serde_json::json!({
                        "name": loaded.scenario.name,
                        "modules": loaded.scenario.modules.iter().map(|m| m.display().to_string()).collect::<Vec<_>>(),
                        "changes": loaded.describe(),
                        "not_realized_on_debian": realized.not_realized,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
            return Ok(());
        }
        let width = rows
            .iter()
            .map(|(l, _)| l.scenario.name.len())
            .max()
            .unwrap_or(0);
        for (loaded, realized) in &rows {
            println!("{:width$}  {}", loaded.scenario.name, loaded.describe());
            for not in &realized.not_realized {
                println!(
                    "{:width$}    not realized on debian: {} ({})",
                    "", not.option, not.file
                );
            }
        }
        Ok(())
    }
}
