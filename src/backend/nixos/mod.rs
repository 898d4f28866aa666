//! The NixOS backend: the scenario's real NixOS system, built from the flake as disko's VM
//! variant with NixOS's test instrumentation, booted through the same driver as every guest.
//! The VM's `bin/disko-vm` makes a fresh overlay of the disko image and runs `run-*-vm`,
//! which passes the driver's QEMU arguments on, as NixOS's own test driver relies on.

pub mod build;
pub mod nix;

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use crate::backend::Bundle;
use crate::cache::Key;
use crate::progress::{self, Progress};
use crate::scenario::Loaded;
use crate::vm::accel::{self, Accel, AccelChoice};
use crate::vm::protocol::Framing;
use crate::vm::qemu::Qemu;
use crate::vm::Deadlines;
pub use nix::{Nix, Unusable};

/// A Nix that builds the VMs, and the accelerator they run with here.
#[derive(Debug, Clone)]
pub struct Nixos {
    pub nix: Nix,
    pub accel: Accel,
    project_root: std::path::PathBuf,
}

/// Decides the accelerator with the project's own KVM probe, on the QEMU and kernel of the
/// flake's baseline VM: `/dev/kvm` can open and KVM still hang.
pub fn prepare(
    nix: Nix,
    project_root: &Path,
    choice: AccelChoice,
    progress: &dyn Progress,
) -> anyhow::Result<Nixos> {
    let probe = progress::step(
        progress,
        "nix build the KVM probe's QEMU and kernel",
        || build::probe_parts(&nix, project_root),
    )?;
    let decision = accel::decide(choice, &probe.qemu, &probe.kernel, &accel::default_cache())
        .map_err(|message| anyhow::format_err!(message))?;
    if let Some(note) = &decision.note {
        progress.note(note);
    }
    Ok(Nixos {
        nix,
        accel: decision.accel,
        project_root: project_root.to_owned(),
    })
}

impl Nixos {
    /// Builds the scenario's VM; its store path covers the whole system.
    pub fn bundle(&self, loaded: &Loaded, progress: &dyn Progress) -> anyhow::Result<Bundle> {
        let scenario = &loaded.scenario.name;
        let out = progress::step(
            progress,
            &format!("nix build {}", build::attribute(scenario)),
            || build::build(&self.nix, &self.project_root, scenario),
        )?;
        let mut key = Key::new("nixos-vm");
        key.add("vm", out.to_string_lossy().as_bytes());
        Ok(Bundle {
            scenario: scenario.clone(),
            inputs: key.finish(),
            accel: self.accel,
            base_disk: None,
            fw_cfg: Vec::new(),
            qemu: qemu(&out, self.accel),
            framing: Framing::Nixos,
            deadlines: Deadlines {
                // NixOS boots in seconds under KVM; a remote-built VM may boot here under
                // TCG, where stage 1, systemd and the instrumentation take minutes.
                boot: Duration::from_secs(600),
                ..Deadlines::default()
            },
            shutdown_command: "poweroff".into(),
        })
    }
}

/// `bin/disko-vm` as NixOS's test driver starts `run-*-vm`: with a private `TMPDIR` (the run
/// directory, set at boot), where the run script and disko-vm keep their files. The VM is
/// built with `virtualisation.graphics = false`, so its run script passes `-nographic`, which
/// would put QEMU's monitor on stdio beside the driver's `-serial stdio`: NixOS's driver moves
/// the monitor to a socket, this driver needs none.
pub fn qemu(out: &Path, accel: Accel) -> Qemu {
    let mut qemu = Qemu::script(out.join("bin/disko-vm"), accel);
    qemu.extra_args = ["-monitor", "none"].map(OsString::from).to_vec();
    qemu.env = vec![("USE_TMPDIR".into(), "1".into())];
    qemu
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vm_starts_as_nixos_test_driver_starts_it() {
        let launch = qemu(Path::new("/nix/store/x-disko-vm"), Accel::Kvm).launch();
        assert_eq!(
            launch.program,
            Path::new("/nix/store/x-disko-vm/bin/disko-vm")
        );
        assert_eq!(launch.args, ["-monitor", "none"]);
        assert!(launch
            .env
            .contains(&(OsString::from("USE_TMPDIR"), OsString::from("1"))));
    }
}
