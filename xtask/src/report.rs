//! `cargo xtask report`: the report of every scenario that has run, as Markdown and as a
//! self-contained HTML page; the Markdown also goes to `$GITHUB_STEP_SUMMARY` when set.

use std::path::PathBuf;

use anyhow::Context;
use nixos_tuning::backend::Kind;
use nixos_tuning::report::{html, markdown, Report};
use nixos_tuning::runs::Runs;
use xshell::Shell;

/// Write the report: each claim of the guide beside its measured figure and a verdict
#[derive(clap::Args)]
pub struct ReportCmd {
    /// Whose runs to read: the debian or the nixos backend's
    #[arg(long, default_value = "debian")]
    backend: Kind,
    /// Where to write report.md and report.html
    #[arg(long, default_value = "target/report")]
    out: PathBuf,
    /// Read the runs from this folder (one sub-folder per scenario) instead of the project's
    /// runs of the backend: runs copied from a CI artifact, say
    #[arg(long)]
    runs: Option<PathBuf>,
}

impl ReportCmd {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        // Relative paths are the user's, not the project root's the shell moved to.
        let cwd = std::env::current_dir()?;
        let runs = match &self.runs {
            Some(dir) => cwd.join(dir),
            None => Runs::of_project(&sh.current_dir()).backend_dir(self.backend),
        };
        let report = Report::gather(&runs, self.backend.name())?;
        let out = cwd.join(&self.out);
        std::fs::create_dir_all(&out)
            .with_context(|| format!("cannot create `{}`", out.display()))?;
        let md = markdown::render(&report);
        let md_path = out.join("report.md");
        let html_path = out.join("report.html");
        std::fs::write(&md_path, &md)
            .with_context(|| format!("cannot write `{}`", md_path.display()))?;
        std::fs::write(&html_path, html::render(&report))
            .with_context(|| format!("cannot write `{}`", html_path.display()))?;
        crate::step_summary::append(&md)?;
        println!("{}", md_path.display());
        println!("{}", html_path.display());
        Ok(())
    }
}
