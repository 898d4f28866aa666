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
use crate::scenario::Realized;
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
    // Said once per process: `cargo xtask test` prepares the guest once per scenario.
    static NOTED: std::sync::Once = std::sync::Once::new();
    if let Some(note) = &decision.note {
        NOTED.call_once(|| progress.note(note));
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
    overlay: Overlay,
}

impl Guest {
    /// The guest's disk as the host holds it: a qcow2 overlay of the base disk.
    pub fn disk_image(&self) -> &Path {
        &self.overlay.0
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

/// Boots the installed system as `scenario` configures it; `run_dir` keeps its serial log
/// and the configuration archive the guest activates at boot.
pub fn boot(
    prepared: &Prepared,
    scenario: &Realized,
    run_dir: &Path,
    progress: &dyn Progress,
) -> anyhow::Result<Guest> {
    std::fs::create_dir_all(run_dir)
        .with_context(|| format!("cannot create `{}`", run_dir.display()))?;
    let archive = run_dir.join("etc.tar");
    activation::write_archive(&scenario.files, &archive)?;
    let overlay = run_dir.join("disk.qcow2");
    let _ = std::fs::remove_file(&overlay);
    base_disk::create_qcow2(&overlay, "", Some(&prepared.base_disk))?;
    let overlay = Overlay(overlay);
    let boot = Boot {
        qemu: prepared.qemu.clone(),
        accel: prepared.accel,
        kernel: prepared.image.kernel.clone(),
        initrd: prepared.image.initrd.clone(),
        append: installed_append(scenario)?,
        drives: vec![Drive {
            file: overlay.0.clone(),
            format: "qcow2",
            serial: "root",
            read_only: false,
        }],
        memory_mib: MEMORY_MIB,
        cpus: CPUS,
        fw_cfg: vec![(activation::FW_CFG_NAME, archive)],
    };
    let config = MachineConfig {
        name: scenario.scenario.clone(),
        launch: boot.launch(),
        serial_log: run_dir.join("serial.log"),
        deadlines: Deadlines::default(),
        shutdown_command: "poweroff".into(),
        framing: qemu::FRAMING,
    };
    let machine = progress::step(progress, "boot", || Machine::start(config))?;
    Ok(Guest { machine, overlay })
}

/// The installed system's kernel command line: `/` is the layout's root subvolume, mounted by
/// the initrd with the scenario's options, as NixOS's stage 1 mounts `fileSystems."/"`; then
/// `activate` puts the scenario's files in place and starts systemd.
fn installed_append(scenario: &Realized) -> anyhow::Result<String> {
    let disk = &scenario.disk;
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
        "root={} rootfstype={} rootflags={} rw init={} console=ttyS0 panic=1 mitigations=off",
        disk.partition_node(partition),
        root.fs_type,
        scenario.root_options.join(","),
        activation::INIT,
    ))
}
