//! `cargo xtask vm`: a scenario's guest by hand, for debugging it. It boots in a
//! scratch directory of its own (see `runs`), never in a scenario's run.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context;
use nixos_tuning::backend::{Backend, Choice};
use nixos_tuning::runs::Runs;
use nixos_tuning::vm::accel::AccelChoice;
use xshell::Shell;

use crate::progress::Reporter;

/// Boot a scenario's guest and work in it
#[derive(clap::Args)]
pub struct Vm {
    #[command(subcommand)]
    command: VmCommand,
    /// Accelerator: auto (KVM when it really works), kvm or tcg
    #[arg(long, default_value = "auto", global = true)]
    accel: AccelChoice,
    /// The scenario to boot (see `cargo xtask list`)
    #[arg(long, default_value = nixos_tuning::scenario::BASELINE, global = true)]
    scenario: String,
    /// Backend: debian, nixos or auto
    #[arg(long, default_value = "debian", global = true)]
    backend: Choice,
}

#[derive(clap::Subcommand)]
enum VmCommand {
    /// An interactive root shell in the guest (each line runs as one command)
    Shell,
    /// Run one command in the guest and print its output
    Run {
        /// The shell command, as one argument
        command: String,
    },
}

impl Vm {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        nixos_tuning::vm::interrupt::install()?;
        let root = sh.current_dir();
        let reporter = Reporter::new();
        let loaded = nixos_tuning::scenario::load_named(&root, &self.scenario)?;
        let backend = Backend::choose(self.backend, &root, self.accel, &reporter)?;
        let bundle = backend.bundle(&loaded, &reporter)?;
        let dir = Runs::of_project(&root)
            .scratch("vm")
            .root()
            .join(backend.kind().name());
        let _ = std::fs::remove_dir_all(&dir);
        let mut guest = bundle.boot(&dir, &reporter)?;
        eprintln!("serial log: {}", guest.machine.serial_log().display());
        match self.command {
            VmCommand::Run { command } => {
                let output = guest.machine.execute(&format!("{command} 2>&1"))?;
                print!("{}", output.stdout);
                guest.shutdown()?;
                if output.status != 0 {
                    return Err(crate::Exit(u8::try_from(output.status).unwrap_or(1)).into());
                }
            }
            VmCommand::Shell => {
                repl(&mut guest.machine)?;
                guest.shutdown()?;
            }
        }
        Ok(())
    }
}

/// Reads a line, runs it in the guest with stderr merged, prints the output and any
/// non-zero status. `exit` or end of input leaves.
fn repl(machine: &mut nixos_tuning::vm::Machine) -> anyhow::Result<()> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!("root shell in the guest; each line is one command, `exit` or Ctrl-D leaves");
    }
    let mut lines = std::io::stdin().lock().lines();
    loop {
        if interactive {
            eprint!("guest# ");
            std::io::stderr().flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line.context("cannot read stdin")?;
        match line.trim() {
            "" => continue,
            "exit" | "logout" => break,
            command => {
                let output = machine.execute(&format!("{command} 2>&1"))?;
                print!("{}", output.stdout);
                std::io::stdout().flush()?;
                if output.status != 0 {
                    eprintln!("[exit status {}]", output.status);
                }
            }
        }
    }
    Ok(())
}
