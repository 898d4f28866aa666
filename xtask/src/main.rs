//! `cargo xtask`: the command line of nixos-tuning. See `cargo xtask --help`.
//!
//! Each subcommand lives in its own file as a clap struct with
//! `fn run(self, sh: &Shell) -> anyhow::Result<()>`; the work itself is in the library.

mod advise;
mod backend;
mod bench;
mod check;
mod list;
mod options;
mod parse;
mod progress;
mod realize;
mod report;
mod test;
mod vm;
mod vmtest;

use std::io::Write;
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
    Advise(advise::Advise),
    Backend(backend::Backend),
    Bench(bench::Bench),
    Check(check::Check),
    List(list::List),
    Options(options::Options),
    Parse(parse::Parse),
    Realize(realize::Realize),
    Report(report::ReportCmd),
    Vm(vm::Vm),
    Test(test::Test),
    Vmtest(vmtest::Vmtest),
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
            // A closed stderr must not turn an error into a panic: ignore write failures.
            let mut stderr = std::io::stderr().lock();
            if is_interrupt(&err) {
                let _ = writeln!(stderr, "interrupted");
                return ExitCode::from(130);
            }
            let _ = writeln!(stderr, "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(project_root());
    match cli.command {
        Command::Advise(cmd) => cmd.run(&sh),
        Command::Backend(cmd) => cmd.run(&sh),
        Command::Bench(cmd) => cmd.run(&sh),
        Command::Check(cmd) => cmd.run(&sh),
        Command::List(cmd) => cmd.run(&sh),
        Command::Options(cmd) => cmd.run(&sh),
        Command::Parse(cmd) => cmd.run(&sh),
        Command::Realize(cmd) => cmd.run(&sh),
        Command::Report(cmd) => cmd.run(&sh),
        Command::Vm(cmd) => cmd.run(&sh),
        Command::Test(cmd) => cmd.run(&sh),
        Command::Vmtest(cmd) => cmd.run(&sh),
    }
}

/// Ctrl-C reaches us as the driver's `Interrupted` error, anywhere in the chain.
fn is_interrupt(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<nixos_tuning::vm::VmError>(),
            Some(nixos_tuning::vm::VmError::Interrupted)
        )
    })
}

/// The workspace root: the parent of this crate's manifest directory.
pub fn project_root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
