//! `cargo xtask`: the command line of nixos-tuning. See `cargo xtask --help`.
//!
//! Each subcommand lives in its own file as a clap struct with
//! `fn run(self, sh: &Shell) -> anyhow::Result<()>`; the work itself is in the library.

mod parse;
mod report;
mod vm;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xshell::Shell;

/// Boot a VM per NixOS optimization of the guide and snapshot what it changes
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Parse(parse::Parse),
    Vm(vm::Vm),
}

/// An error that ends the program with a chosen exit code and no further message.
#[derive(Debug)]
pub struct Exit(pub u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for Exit {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(Exit(code)) = err.downcast_ref::<Exit>() {
                return ExitCode::from(*code);
            }
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    match cli.command {
        Command::Parse(cmd) => cmd.run(&sh),
        Command::Vm(cmd) => cmd.run(&sh),
    }
}

/// The workspace root: the parent of this crate's manifest directory.
pub fn project_root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
