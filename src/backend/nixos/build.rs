//! `nix build` of a scenario's VM from the flake. Nix's own progress goes to the user's
//! stderr; remote builders in the user's configuration are used as Nix would use them,
//! since nothing here overrides `builders`.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::Context;

use super::nix::{Nix, SYSTEM};

/// The flake attribute of `scenario`'s VM: disko's VM variant of
/// `nixosConfigurations.<scenario>`, with the test instrumentation.
pub fn attribute(scenario: &str) -> String {
    format!("packages.{SYSTEM}.{scenario}")
}

/// Builds the VM of `scenario` and returns its store path (it has `bin/disko-vm`).
pub fn build(nix: &Nix, project_root: &Path, scenario: &str) -> anyhow::Result<PathBuf> {
    let installable = format!("{}#{}", project_root.display(), attribute(scenario));
    let output = nix
        .command()
        .args(["build", "--no-link", "--json", "--print-build-logs"])
        .arg(&installable)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run `nix build {installable}`"))?;
    anyhow::ensure!(
        output.status.success(),
        "`nix build {installable}` failed ({}); its log is above",
        output.status
    );
    out_path(&output.stdout)
        .with_context(|| format!("`nix build {installable} --json` printed no output path"))
}

/// `out` of the first result of `nix build --json` (which Nix has printed since 2.4, where
/// `--print-out-paths` came only in 2.8).
pub fn out_path(json: &[u8]) -> Option<PathBuf> {
    let results: serde_json::Value = serde_json::from_slice(json).ok()?;
    results[0]["outputs"]["out"].as_str().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_out_path_is_read_from_nix_build_json() {
        let json = br#"[{"drvPath":"/nix/store/a-disko-vm.drv","outputs":{"out":"/nix/store/b-disko-vm"}}]"#;
        assert_eq!(out_path(json), Some(PathBuf::from("/nix/store/b-disko-vm")));
        assert_eq!(out_path(b"[]"), None);
        assert_eq!(out_path(b"not json"), None);
    }
}
