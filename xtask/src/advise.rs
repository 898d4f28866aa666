//! `cargo xtask advise [--from DIR | --ssh DESTINATION]`: the guide's "When to Apply" rules
//! on a real machine: this one, a server whose outputs were captured into DIR, or a server
//! reached over ssh with the same live capture as `cargo xtask check`.

use std::path::PathBuf;
use std::time::Duration;

use nixos_tuning::advise::{self, Captures};
use nixos_tuning::backend::Kind;
use nixos_tuning::report::Report;
use nixos_tuning::runs::Runs;
use xshell::Shell;

/// Say which optimizations the guide's rules recommend for a machine, and why
///
/// Without --from or --ssh, runs the commands here. With --ssh, runs them on the server
/// over ssh, as `cargo xtask check` does. Or capture on the server yourself, into one
/// folder: `free -b > free.txt; mount > mount.txt; df -h > df.txt;
/// swapon --show --bytes > swapon.txt; zramctl > zramctl.txt;
/// nix --extra-experimental-features nix-command show-config > nix-config.txt;
/// sudo compsize -x / > compsize.txt; nproc > nproc.txt` (free and mount are required),
/// copy the folder here and pass it with --from.
#[derive(clap::Args)]
pub struct Advise {
    /// A folder of captured outputs, one file per command (free.txt, mount.txt, ...)
    #[arg(long, conflicts_with = "ssh")]
    from: Option<PathBuf>,
    /// A server to read over ssh: host, user@host, ssh://user@host:port or a Host of your
    /// ssh config
    #[arg(long, value_name = "DESTINATION")]
    ssh: Option<String>,
    /// With --ssh, also run compsize there with `sudo -n`
    #[arg(long, requires = "ssh")]
    sudo: bool,
    #[command(flatten)]
    connection: crate::check::Connection,
    /// Whose measured figures to show: the runs of the debian or the nixos backend
    #[arg(long, default_value = "debian")]
    backend: Kind,
    /// Read the measured figures from this folder (one sub-folder per scenario) instead of
    /// the project's runs of the backend
    #[arg(long)]
    runs: Option<PathBuf>,
}

impl Advise {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        let captures = match (&self.from, &self.ssh) {
            // A relative path is the user's, not the project root's the shell moved to.
            (Some(dir), _) => Captures::from_dir(&std::env::current_dir()?.join(dir))?,
            (None, Some(destination)) => {
                let ssh = self.connection.ssh(destination, self.sudo)?;
                ssh.capture()?.captures()?
            }
            (None, None) => Captures::local(Duration::from_secs(20))?,
        };
        let advice = advise::advise(&captures)?;
        let runs = match &self.runs {
            Some(dir) => std::env::current_dir()?.join(dir),
            None => Runs::of_project(&sh.current_dir()).backend_dir(self.backend),
        };
        let text = match Report::gather(&runs, self.backend.name()) {
            Ok(report) => advise::render(&advice, Ok(&report)),
            Err(err) => advise::render(&advice, Err(&err.to_string())),
        };
        print!("{text}");
        Ok(())
    }
}
