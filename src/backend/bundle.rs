//! The seam between the backends and the runner: a [`Bundle`] is everything needed to boot
//! one scenario's guest and what a run of it depends on. The runner, the probes and the
//! snapshots see only this, never which backend made it.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::progress::{self, Progress};
use crate::runs;
use crate::vm::accel::Accel;
use crate::vm::protocol::Framing;
use crate::vm::qemu::{self, Drive, Qemu};
use crate::vm::{tcg_race, Deadlines, Machine, MachineConfig};

#[derive(Clone)]
pub struct Bundle {
    pub scenario: String,
    /// A hash of everything the guest is made of (the image, the disk and the scenario's
    /// files; or the NixOS VM's store path). A kept run with other inputs is stale.
    pub inputs: String,
    /// The accelerator QEMU really uses, from the project's own KVM probe.
    pub accel: Accel,
    /// The disk the guest boots, as the backend keeps it: each boot gets a copy-on-write
    /// overlay of it in the run directory. `None` when the launcher makes its own overlay
    /// (NixOS's `disko-vm`), so the disk image is not known.
    pub base_disk: Option<PathBuf>,
    /// Files handed to the guest through fw_cfg: (name, content).
    pub fw_cfg: Vec<(String, Vec<u8>)>,
    pub qemu: Qemu,
    pub framing: Framing,
    pub deadlines: Deadlines,
    /// What the guest runs to power off.
    pub shutdown_command: String,
}

/// A booted guest; its disk overlay goes when it does.
pub struct Guest {
    // Declared first so QEMU is gone before its overlay is removed.
    pub machine: Machine,
    overlay: Option<Overlay>,
}

impl Guest {
    /// The guest's disk as the host holds it (a qcow2 overlay), when known.
    pub fn disk_image(&self) -> Option<&Path> {
        self.overlay.as_ref().map(|overlay| overlay.0.as_path())
    }

    /// Powers the guest off cleanly.
    pub fn shutdown(self) -> anyhow::Result<()> {
        Ok(self.machine.shutdown()?)
    }
}

struct Overlay(PathBuf);

impl Drop for Overlay {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Bundle {
    /// Boots the guest with `dir` as its run directory: its serial log, its disk overlay,
    /// the fw_cfg files and the launcher's `TMPDIR` are all there.
    ///
    /// A boot lost to TCG's race with the guest's text patching is tried again
    /// ([`tcg_race`]).
    pub fn boot(&self, dir: &Path, progress: &dyn Progress) -> anyhow::Result<Guest> {
        let serial_log = dir.join(runs::SERIAL_LOG);
        tcg_race::boot_retrying(self.accel, &serial_log, progress, || {
            self.boot_once(dir, &serial_log, progress)
        })
    }

    fn boot_once(
        &self,
        dir: &Path,
        serial_log: &Path,
        progress: &dyn Progress,
    ) -> anyhow::Result<Guest> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
        let mut qemu = self.qemu.clone();
        let overlay = match &self.base_disk {
            Some(base) => {
                let overlay = Overlay(dir.join("disk.qcow2"));
                let _ = std::fs::remove_file(&overlay.0);
                qemu::create_qcow2(&overlay.0, "", Some(base))?;
                qemu.drives.insert(0, root_drive(&overlay.0));
                Some(overlay)
            }
            None => None,
        };
        for (name, content) in &self.fw_cfg {
            let file = dir.join(file_name(name));
            if let Err(err) = std::fs::write(&file, content) {
                // A full disk would leave it half written.
                let _ = std::fs::remove_file(&file);
                return Err(err).with_context(|| format!("cannot write `{}`", file.display()));
            }
            qemu.fw_cfg.push((name.clone(), file));
        }
        qemu.env.push(("TMPDIR".into(), dir.as_os_str().to_owned()));
        let config = MachineConfig {
            name: self.scenario.clone(),
            launch: qemu.launch(),
            serial_log: serial_log.to_owned(),
            deadlines: self.deadlines,
            shutdown_command: self.shutdown_command.clone(),
            framing: self.framing,
        };
        let machine = progress::step(progress, "boot", || Machine::start(config))?;
        Ok(Guest { machine, overlay })
    }
}

fn root_drive(file: &Path) -> Drive {
    Drive {
        file: file.to_owned(),
        format: "qcow2",
        serial: "root",
        read_only: false,
    }
}

/// `opt/nixos-tuning/etc.tar` is kept as `etc.tar`.
fn file_name(fw_cfg_name: &str) -> &str {
    fw_cfg_name.rsplit('/').next().unwrap_or(fw_cfg_name)
}
