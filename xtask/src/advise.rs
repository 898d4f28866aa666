//! `cargo xtask advise [--from DIR]`: the guide's "When to Apply" rules on a real machine,
//! this one or a server whose outputs were captured into DIR.

use std::path::PathBuf;
use std::time::Duration;

use nixos_tuning::advise::{self, Captures};
use nixos_tuning::backend::Kind;
use nixos_tuning::report::Report;
use nixos_tuning::runs::Runs;
use xshell::Shell;

/// Say which optimizations the guide's rules recommend for a machine, and why
///
/// Without --from, runs the commands here. To advise a server, capture on it, into one
/// folder: `free -b > free.txt; mount > mount.txt; df -h > df.txt;
/// swapon --show --bytes > swapon.txt; zramctl > zramctl.txt;
/// nix --extra-experimental-features nix-command show-config > nix-config.txt;
/// sudo compsize -x / > compsize.txt; nproc > nproc.txt` (free and mount are required),
/// copy the folder here and pass it with --from.
#[derive(clap::Args)]
pub struct Advise {
    /// A folder of captured outputs, one file per command (free.txt, mount.txt, ...)
    #[arg(long)]
    from: Option<PathBuf>,
    /// Whose measured figures to show: the runs of the debian or the nixos backend
    #[arg(long, default_value = "debian")]
    backend: Kind,
}

impl Advise {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        let captures = match &self.from {
            // A relative path is the user's, not the project root's the shell moved to.
            Some(dir) => Captures::from_dir(&std::env::current_dir()?.join(dir))?,
            None => Captures::local(Duration::from_secs(20))?,
        };
        let advice = advise::advise(&captures)?;
        let runs = Runs::of_project(&sh.current_dir()).backend_dir(self.backend);
        let text = match Report::gather(&runs, self.backend.name()) {
            Ok(report) => advise::render(&advice, Ok(&report)),
            Err(err) => advise::render(&advice, Err(&err.to_string())),
        };
        print!("{text}");
        Ok(())
    }
}
