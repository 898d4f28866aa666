//! The Debian backend: a Debian 13 guest built with mmdebstrap, installed by itself onto the
//! disko Btrfs layout, with the scenario's NixOS options realized the way NixOS realizes them.

pub mod activation;
pub mod base_disk;
pub mod image;
pub mod install;
pub mod layout;
pub mod qemu;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::host;
use crate::progress::{self, Progress};
use crate::vm::accel::{self, Accel, AccelChoice};
use crate::vm::{Deadlines, Machine, MachineConfig};
use layout::Disk;
use qemu::{Boot, Drive, CPUS, MEMORY_MIB};

/// Where the project's Debian caches live.
pub fn cache_root(project_root: &Path) -> PathBuf {
    project_root.join("target/nixos-tuning/debian")
}

/// Everything needed to boot guests: the image, the installed base disk, the accelerator.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub image: image::Image,
    pub disk: Disk,
    pub base_disk: PathBuf,
    pub accel: Accel,
    pub qemu: PathBuf,
}

/// Checks the host, then builds (or finds cached) the image and the base disk.
pub fn prepare(
    project_root: &Path,
    choice: AccelChoice,
    progress: &dyn Progress,
) -> anyhow::Result<Prepared> {
    let qemu = host::QEMU.find()?;
    host::QEMU_IMG.find()?;
    let layout_file = project_root.join("nix-tests/machine/disko.nix");
    let evaluated = crate::nix::eval_json(&layout_file)?;
    let disk = layout::read(&evaluated)
        .with_context(|| format!("{} cannot be installed", layout_file.display()))?;
    let cache = cache_root(project_root);
    let image = image::ensure(&cache, progress)?;
    let decision = accel::decide(choice, &qemu, &image.kernel, &accel::default_cache())
        .map_err(|message| anyhow::format_err!(message))?;
    if let Some(note) = &decision.note {
        progress.note(note);
    }
    let base_disk = base_disk::ensure(&cache, &image, &disk, decision.accel, progress)?;
    Ok(Prepared {
        image,
        disk,
        base_disk,
        accel: decision.accel,
        qemu,
    })
}

/// A booted guest on its own overlay of the base disk; the overlay goes when it does.
pub struct Guest {
    // Declared first so QEMU is gone before its overlay is removed.
    pub machine: Machine,
    _overlay: Overlay,
}

impl Guest {
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

/// Boots the installed system; `run_dir` keeps its serial log.
pub fn boot(prepared: &Prepared, run_dir: &Path, progress: &dyn Progress) -> anyhow::Result<Guest> {
    std::fs::create_dir_all(run_dir)
        .with_context(|| format!("cannot create `{}`", run_dir.display()))?;
    let overlay = run_dir.join("disk.qcow2");
    let _ = std::fs::remove_file(&overlay);
    base_disk::create_qcow2(&overlay, "", Some(&prepared.base_disk))?;
    let boot = Boot {
        qemu: prepared.qemu.clone(),
        accel: prepared.accel,
        kernel: prepared.image.kernel.clone(),
        initrd: prepared.image.initrd.clone(),
        append: installed_append(&prepared.disk)?,
        drives: vec![Drive {
            file: overlay.clone(),
            format: "qcow2",
            serial: "root",
            read_only: false,
        }],
        memory_mib: MEMORY_MIB,
        cpus: CPUS,
    };
    let config = MachineConfig {
        name: "machine".into(),
        launch: boot.launch(),
        serial_log: run_dir.join("serial.log"),
        deadlines: Deadlines::default(),
        shutdown_command: "poweroff".into(),
    };
    let overlay = Overlay(overlay);
    let machine = progress::step(progress, "boot", || Machine::start(config))?;
    Ok(Guest {
        machine,
        _overlay: overlay,
    })
}

/// The installed system's kernel command line: `/` is the layout's root subvolume, mounted by
/// the initrd with the layout's options, as NixOS's stage 1 mounts `fileSystems."/"`.
fn installed_append(disk: &Disk) -> anyhow::Result<String> {
    let root = disk
        .mounts()
        .into_iter()
        .find(|mount| mount.mountpoint == "/")
        .context("the layout mounts nothing on /")?;
    let partition = disk
        .partitions
        .iter()
        .find(|part| disk.partition_device(part) == root.device)
        .context("the root file system is on no partition of the layout")?;
    Ok(format!(
        "root={} rootfstype={} rootflags={} rw console=ttyS0 panic=1 mitigations=off",
        disk.partition_node(partition),
        root.fs_type,
        root.options.join(",")
    ))
}
