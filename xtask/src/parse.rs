//! `cargo xtask parse <probe> [FILE]`: reads a command's captured output and prints it as JSON.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::builder::PossibleValuesParser;
use nixos_tuning::probe::Probe;
use xshell::Shell;

use crate::Exit;

/// Parse a command's output (a file, or stdin) and print the typed value as JSON
///
/// Exits 0 on success and 2 when the input cannot be read as that command's output.
#[derive(clap::Args)]
pub struct Parse {
    /// Which command's output this is
    #[arg(value_parser = PossibleValuesParser::new(Probe::ALL.iter().map(|p| p.name())))]
    probe: String,
    /// File holding the output; stdin when absent or `-`
    file: Option<PathBuf>,
}

impl Parse {
    pub fn run(self, _sh: &Shell) -> anyhow::Result<()> {
        let probe = Probe::from_name(&self.probe).context("unknown probe")?;
        let bytes = self.read_input()?;
        let input = String::from_utf8_lossy(&bytes);
        match probe.parse_to_json(&input) {
            Ok(value) => {
                println!("{}", serde_json::to_string_pretty(&value)?);
                Ok(())
            }
            Err(err) => {
                let source = match &self.file {
                    Some(path) => path.display().to_string(),
                    None => "stdin".to_owned(),
                };
                eprintln!("error: {source} is not {} output: {err}", probe.command());
                Err(Exit(2).into())
            }
        }
    }

    fn read_input(&self) -> anyhow::Result<Vec<u8>> {
        match &self.file {
            Some(path) if path.as_os_str() != "-" => {
                // Relative paths are the user's, not the project root's the shell moved to.
                let path = std::env::current_dir()?.join(path);
                std::fs::read(&path).with_context(|| format!("cannot read `{}`", path.display()))
            }
            _ => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .context("cannot read stdin")?;
                Ok(bytes)
            }
        }
    }
}
