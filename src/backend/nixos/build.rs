//! `nix build` of a scenario's VM from the flake. Nix's own progress goes to the user's
//! stderr; remote builders in the user's configuration are used as Nix would use them,
//! since nothing here overrides `builders`.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::Context;

use super::nix::{Nix, SYSTEM};
use crate::scenario::BASELINE;

/// The flake attribute of `scenario`'s VM: disko's VM variant of
/// `nixosConfigurations.<scenario>`, with the test instrumentation.
pub fn attribute(scenario: &str) -> String {
    format!("packages.{SYSTEM}.{scenario}")
}

/// Builds the VM of `scenario` and returns its store path (it has `bin/disko-vm`).
pub fn build(nix: &Nix, project_root: &Path, scenario: &str) -> anyhow::Result<PathBuf> {
    let mut outs = build_all(nix, project_root, &[attribute(scenario)])?;
    Ok(outs.remove(0))
}

/// What the KVM probe boots: the QEMU the VMs run with and their kernel.
pub struct ProbeParts {
    pub qemu: PathBuf,
    pub kernel: PathBuf,
}

/// Builds (or finds: both are in every VM's closure) the VMs' QEMU and kernel.
pub fn probe_parts(nix: &Nix, project_root: &Path) -> anyhow::Result<ProbeParts> {
    let config = format!("nixosConfigurations.{BASELINE}.config");
    let attributes = [
        format!("{config}.virtualisation.vmVariantWithDisko.virtualisation.qemu.package"),
        format!("{config}.system.build.kernel"),
    ];
    let outs = build_all(nix, project_root, &attributes)?;
    Ok(ProbeParts {
        qemu: outs[0].join("bin/qemu-system-x86_64"),
        // `system.boot.loader.kernelFile` on x86_64.
        kernel: outs[1].join("bzImage"),
    })
}

/// `nix build` of flake attributes: their output paths, in order.
fn build_all(
    nix: &Nix,
    project_root: &Path,
    attributes: &[String],
) -> anyhow::Result<Vec<PathBuf>> {
    let installables: Vec<String> = attributes
        .iter()
        .map(|attribute| format!("{}#{attribute}", project_root.display()))
        .collect();
    let shown = installables.join(" ");
    let output = nix
        .command()
        .args(["build", "--no-link", "--json", "--print-build-logs"])
        .args(&installables)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run `nix build {shown}`"))?;
    anyhow::ensure!(
        output.status.success(),
        "`nix build {shown}` failed ({}); its log is above",
        output.status
    );
    let outs = out_paths(&output.stdout);
    anyhow::ensure!(
        outs.len() == attributes.len(),
        "`nix build {shown} --json` printed {} output paths for {} attributes",
        outs.len(),
        attributes.len()
    );
    Ok(outs)
}

/// `out` of each result of `nix build --json` (which Nix has printed since 2.4, where
/// `--print-out-paths` came only in 2.8).
pub fn out_paths(json: &[u8]) -> Vec<PathBuf> {
    let Ok(serde_json::Value::Array(results)) = serde_json::from_slice(json) else {
        return Vec::new();
    };
    results
        .iter()
        .filter_map(|result| result["outputs"]["out"].as_str().map(PathBuf::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_out_paths_are_read_from_nix_build_json() {
        let json =
            br#"[{"drvPath":"/nix/store/a-disko-vm.drv","outputs":{"out":"/nix/store/b-disko-vm"}},
            {"drvPath":"/nix/store/c.drv","outputs":{"out":"/nix/store/d-linux"}}]"#;
        assert_eq!(
            out_paths(json),
            [
                PathBuf::from("/nix/store/b-disko-vm"),
                PathBuf::from("/nix/store/d-linux")
            ]
        );
        assert!(out_paths(b"[]").is_empty());
        assert!(out_paths(b"not json").is_empty());
    }
}
