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
mod step_summary;
mod test;
mod vm;
mod vmtest;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nixos_tuning::vm::interrupt;
use xshell::Shell;

/// Boot a VM per NixOS optimization of the guide and snapshot what it changes
#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    version,
    after_help = AFTER_HELP
)]
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

/// The variable that points the command line at another copy of the project.
pub const PROJECT_VARIABLE: &str = "NIXOS_TUNING_PROJECT";

const AFTER_HELP: &str = "\
Environment:
  NIXOS_TUNING_PROJECT=DIR  work on the project in DIR instead of this checkout: its
                            nix-tests/ are the scenarios, its target/ holds the caches and
                            the runs (tests use it for scratch projects whose target/nixos-tuning
                            links to the real caches)

Exit status: 0 success; 1 failure; 2 bad arguments; see each command's --help for its own
(vmtest: 69, 75); 130 interrupted by SIGINT (Ctrl-C); 143 interrupted by SIGTERM. An
interrupted run stops its VMs and keeps its logs where the message says.";

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
            if let Some(signal) = interrupted_by(&err) {
                let _ = writeln!(stderr, "{}", interrupted_message(&err, signal));
                return ExitCode::from(interrupt::exit_status(signal));
            }
            let _ = writeln!(stderr, "error: {err:#}");
            match is_busy(&err) {
                true => ExitCode::from(vmtest::BUSY),
                false => ExitCode::FAILURE,
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(project_root()?);
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

/// The signal that stopped the work: Ctrl-C or SIGTERM reach us as the driver's or a lock's
/// `Interrupted` error, anywhere in the chain.
fn interrupted_by(err: &anyhow::Error) -> Option<i32> {
    let interrupted = err.chain().any(is_interrupt);
    // Without a recorded signal (a library error built by hand), Ctrl-C is the likely one.
    interrupted.then(|| interrupt::signal().unwrap_or(interrupt::SIGINT))
}

fn is_interrupt(cause: &(dyn std::error::Error + 'static)) -> bool {
    use nixos_tuning::lock::LockError;
    use nixos_tuning::vm::VmError;
    matches!(cause.downcast_ref::<VmError>(), Some(VmError::Interrupted))
        || matches!(
            cause.downcast_ref::<LockError>(),
            Some(LockError::Interrupted { .. })
        )
}

/// `interrupted (SIGTERM): scenario `x` failed: its logs are kept in ...`: one line that
/// says what stopped and where what it left is.
fn interrupted_message(err: &anyhow::Error, signal: i32) -> String {
    let name = interrupt::name(signal);
    let context: Vec<String> = err
        .chain()
        .filter(|cause| !is_interrupt(*cause))
        .map(ToString::to_string)
        .collect();
    match context.is_empty() {
        true => format!("interrupted ({name})"),
        false => format!("interrupted ({name}): {}", context.join(": ")),
    }
}

/// Another process holds what this one was told not to wait for (`--no-wait`).
fn is_busy(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<nixos_tuning::lock::LockError>(),
            Some(nixos_tuning::lock::LockError::Busy { .. })
        )
    })
}

/// The project worked on: [`PROJECT_VARIABLE`] when set, else this checkout (the parent of
/// this crate's manifest directory).
pub fn project_root() -> anyhow::Result<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os(PROJECT_VARIABLE).filter(|dir| !dir.is_empty()) {
        let dir = std::path::PathBuf::from(dir);
        anyhow::ensure!(
            dir.join("nix-tests").is_dir(),
            "{PROJECT_VARIABLE}={} is not a nixos-tuning project: it has no nix-tests/",
            dir.display()
        );
        return Ok(dir);
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    Ok(manifest.parent().unwrap_or(manifest).to_path_buf())
}
