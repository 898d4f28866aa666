//! `cargo xtask check <ssh-destination> [--scenario all] [--sudo] [--json]`: a live server
//! against the facts its scenario's VM verified (see `nixos_tuning::check`). The table goes
//! to stdout (JSON with --json), Markdown to `$GITHUB_STEP_SUMMARY` when that is set.
//!
//! Exit status: 0 every effect of the scenario holds on the server; 1 one does not; 2 the
//! check could not be made (bad arguments, unreachable server, refused key, output that does
//! not parse), with what happened and what to do on stderr.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use nixos_tuning::check::{self, render, ssh::Ssh, Report};
use nixos_tuning::host;
use xshell::Shell;

/// The check could not be made: no verdict on the server.
pub const CANNOT_CHECK: u8 = 2;

/// Check a live server against what the VMs verified for a scenario
///
/// Connects with your OpenSSH client (your ssh config, agent, ProxyJump and known_hosts;
/// BatchMode, so never a prompt), runs the VMs' read-only probes there in one connection,
/// and compares their facts with the scenario's committed snapshots. Writes nothing on the
/// server. Exit status: 0 every effect holds, 1 one does not, 2 the check could not be made.
#[derive(clap::Args)]
pub struct Check {
    /// Where to connect, as ssh takes it: host, user@host, ssh://user@host:port, or a Host
    /// of your ssh config
    destination: String,
    /// The scenario whose facts the server must have (see `cargo xtask list`)
    #[arg(long, default_value = nixos_tuning::scenario::ALL)]
    scenario: String,
    /// Also run the probes that need root (compsize), with `sudo -n`: never a password
    #[arg(long)]
    sudo: bool,
    #[command(flatten)]
    connection: Connection,
    /// Print the result as JSON instead of a table
    #[arg(long)]
    json: bool,
}

/// How to reach the server, shared with `advise --ssh`.
#[derive(clap::Args)]
pub struct Connection {
    /// ssh's ConnectTimeout, in seconds
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    connect_timeout: u64,
    /// An ssh config file to use instead of ~/.ssh/config (ssh -F)
    #[arg(long)]
    ssh_config: Option<PathBuf>,
    /// An ssh option (`Key=value`, as ssh -o takes it), passed to ssh as it is; repeatable
    #[arg(long = "ssh-option", value_name = "KEY=VALUE")]
    ssh_options: Vec<String>,
}

impl Connection {
    pub fn ssh(&self, destination: &str, sudo: bool) -> anyhow::Result<Ssh> {
        // A relative config file is the user's, not the project root's the shell moved to.
        let config = match &self.ssh_config {
            Some(file) => Some(std::env::current_dir()?.join(file)),
            None => None,
        };
        Ok(Ssh::new(
            destination,
            Duration::from_secs(self.connect_timeout),
            config,
            self.ssh_options.clone(),
            sudo,
        )?)
    }
}

impl Check {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        let report = match self.report(sh) {
            Ok(report) => report,
            Err(err) => {
                let _ = writeln!(std::io::stderr(), "error: {err:#}");
                return Err(crate::Exit(CANNOT_CHECK).into());
            }
        };
        self.print(&report)?;
        match report.holds {
            true => Ok(()),
            false => Err(crate::Exit(1).into()),
        }
    }

    fn report(&self, sh: &Shell) -> anyhow::Result<Report> {
        host::require(&[host::SSH, host::NIX_INSTANTIATE])?;
        let ssh = self.connection.ssh(&self.destination, self.sudo)?;
        check::check(&sh.current_dir(), &self.scenario, &ssh)
    }

    fn print(&self, report: &Report) -> anyhow::Result<()> {
        let text = match self.json {
            true => serde_json::to_string_pretty(report)? + "\n",
            false => render::table(report),
        };
        print!("{text}");
        crate::step_summary::append(&render::markdown(report))
    }
}
