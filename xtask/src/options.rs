//! `cargo xtask options`: writes `nix-tests/options/index.txt`, the options declared by the
//! sources the flake pins (`nixos_tuning::options::build`). Relative paths are read from the
//! project root.

use std::path::PathBuf;

use anyhow::Context;
use nixos_tuning::options::build::{self, Inputs, Nixpkgs, Pinned};
use nixos_tuning::options::index;
use xshell::Shell;

/// Write the index of declared options from the pinned sources (git repositories)
#[derive(clap::Args)]
pub struct Options {
    /// nixpkgs: a git repository (its whole `nixos/modules`), or a directory holding part of
    /// the tree under its nixpkgs paths (`nixos/modules/...` and `lib/.version`)
    #[arg(long)]
    nixpkgs: Option<PathBuf>,
    /// The branch the flake follows, recorded as the source's reference
    #[arg(long, default_value = "nixos-25.05")]
    nixpkgs_ref: String,
    /// The commit read: any revision of a git repository (default: the branch); for a
    /// directory, the full commit id its files were taken at (required)
    #[arg(long)]
    nixpkgs_rev: Option<String>,
    /// A git repository of disko
    #[arg(long)]
    disko: PathBuf,
    #[arg(long, default_value = "v1.13.0")]
    disko_rev: String,
    /// A git repository of Home Manager
    #[arg(long)]
    home_manager: PathBuf,
    #[arg(long, default_value = "release-25.05")]
    home_manager_rev: String,
}

impl Options {
    pub fn run(self, sh: &Shell) -> anyhow::Result<()> {
        let root = sh.current_dir();
        let inputs = Inputs {
            nixpkgs: self.nixpkgs.map(|path| Nixpkgs {
                path: root.join(path),
                reference: self.nixpkgs_ref,
                rev: self.nixpkgs_rev,
            }),
            disko: Pinned {
                path: root.join(self.disko),
                rev: self.disko_rev,
            },
            home_manager: Pinned {
                path: root.join(self.home_manager),
                rev: self.home_manager_rev,
            },
        };
        let built = build::build(&inputs).context("cannot make the options index")?;
        let out = root.join(index::PATH);
        built
            .write(&out)
            .with_context(|| format!("cannot write `{}`", out.display()))?;
        eprintln!(
            "wrote {} ({} options, {} nixpkgs module files)",
            out.display(),
            built.options(),
            built.index.modules.len()
        );
        Ok(())
    }
}
