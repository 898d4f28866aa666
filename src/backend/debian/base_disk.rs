//! The installed base disk: a blank qcow2 that the installer VM partitions, formats and fills
//! from the image, following the disko layout. Cached by the image and the layout; every run
//! boots a copy-on-write overlay of it, so the base is never written after the install.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::Context;

use super::image::Image;
use super::install;
use super::layout::Disk;
use super::qemu::{Boot, Drive, CPUS, MEMORY_MIB};
use crate::cache::{self, Key};
use crate::host;
use crate::progress::{self, Progress};
use crate::vm::accel::Accel;
use crate::vm::{Deadlines, Machine, MachineConfig};

/// The kernel command line of the installer: the image's squashfs (/dev/vdb) as a read-only
/// root and `installer-init` as PID 1, which starts the backdoor without systemd.
const INSTALLER_APPEND: &str = "root=/dev/vdb rootfstype=squashfs ro \
    init=/usr/lib/nixos-tuning/installer-init console=ttyS0 panic=1 mitigations=off";

/// Returns the cached base disk for `image` and `disk`, installing it first if needed.
pub fn ensure(
    cache_root: &Path,
    image: &Image,
    disk: &Disk,
    accel: Accel,
    progress: &dyn Progress,
) -> anyhow::Result<PathBuf> {
    let steps = install::steps(disk);
    let mut key = Key::new("debian-base-disk");
    key.add("image", image.key.as_bytes());
    key.add("layout", serde_json::to_string(disk)?.as_bytes());
    for step in &steps {
        key.add(&step.title, step.script.as_bytes());
    }
    let dir = cache::entry(cache_root, &format!("base-{}", key.finish()), |dir| {
        install_into(dir, image, disk, &steps, accel, progress)
    })?;
    Ok(dir.join("base.qcow2"))
}

fn install_into(
    dir: &Path,
    image: &Image,
    disk: &Disk,
    steps: &[install::Step],
    accel: Accel,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    let target = dir.join("base.qcow2");
    create_qcow2(&target, &disk.image_size, None)?;
    let boot = Boot {
        qemu: host::QEMU.find()?,
        accel,
        kernel: image.kernel.clone(),
        initrd: image.initrd.clone(),
        append: INSTALLER_APPEND.to_owned(),
        drives: vec![
            Drive {
                file: target,
                format: "qcow2",
                serial: "target",
                read_only: false,
            },
            Drive {
                file: image.rootfs.clone(),
                format: "raw",
                serial: "image",
                read_only: true,
            },
            Drive {
                file: image.tar.clone(),
                format: "raw",
                serial: "tar",
                read_only: true,
            },
        ],
        memory_mib: MEMORY_MIB,
        cpus: CPUS,
        fw_cfg: Vec::new(),
    };
    let config = MachineConfig {
        name: "installer".into(),
        launch: boot.launch(),
        serial_log: dir.join("install-serial.log"),
        deadlines: Deadlines {
            command: Duration::from_secs(600),
            ..Deadlines::default()
        },
        shutdown_command: "sync; poweroff -f".into(),
        framing: super::qemu::FRAMING,
    };
    let mut machine = progress::step(progress, "boot the installer", || Machine::start(config))
        .context("the installer VM did not start")?;
    for step in steps {
        progress::step(progress, &format!("install: {}", step.title), || {
            machine.succeed(&format!("{{ {}\n}} 2>&1", step.script))
        })
        .with_context(|| format!("install step `{}` failed", step.title))?;
    }
    machine
        .shutdown()
        .context("the installer did not power off")?;
    Ok(())
}

/// `qemu-img create`: blank of `size`, or an overlay on `backing`.
pub fn create_qcow2(file: &Path, size: &str, backing: Option<&Path>) -> anyhow::Result<()> {
    let mut command = Command::new(host::QEMU_IMG.find()?);
    command.args(["create", "-q", "-f", "qcow2"]);
    if let Some(backing) = backing {
        command.arg("-b").arg(backing).args(["-F", "qcow2"]);
    }
    command.arg(file);
    if backing.is_none() {
        command.arg(size);
    }
    let output = command.output().context("cannot run qemu-img")?;
    anyhow::ensure!(
        output.status.success(),
        "qemu-img create {} failed: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}
