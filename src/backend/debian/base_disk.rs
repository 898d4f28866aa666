//! The installed base disk: a blank qcow2 that the installer VM partitions, formats and fills
//! from the image, following the disko layout. Cached by the image and the layout; every run
//! boots a copy-on-write overlay of it, so the base is never written after the install.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use super::image::Image;
use super::install;
use crate::cache::{self, Key};
use crate::disko::Disk;
use crate::host;
use crate::progress::{self, Progress};
use crate::vm::accel::Accel;
use crate::vm::qemu::{self, DirectBoot, Drive, Qemu};
use crate::vm::{tcg_race, Deadlines, Machine, MachineConfig};

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
    let name = format!("base-{}", key.finish());
    let dir = cache::entry(cache_root, &name, WHAT, progress, |dir| {
        install_into(dir, image, disk, &steps, accel, progress)
    })?;
    let base = dir.join(FILE);
    // Beyond the manifest's sizes and times, the qcow2's own tables: 10 ms, and the one
    // check that sees a disk damaged in place (see `cache::manifest`).
    if let Err(finding) = qemu::check_qcow2(&base)? {
        return Err(cache::Damaged {
            what: WHAT.to_owned(),
            entry: dir,
            damage: cache::Damage::Check {
                file: FILE.to_owned(),
                check: "qemu-img check".to_owned(),
                finding,
            },
        }
        .into());
    }
    Ok(base)
}

/// The entry, in messages.
const WHAT: &str = "the installed base disk";

/// The disk in the entry.
const FILE: &str = "base.qcow2";

fn install_into(
    dir: &Path,
    image: &Image,
    disk: &Disk,
    steps: &[install::Step],
    accel: Accel,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    let target = dir.join(FILE);
    qemu::create_qcow2(&target, &disk.image_size, None)?;
    let mut installer = Qemu::new(host::QEMU.find()?, accel);
    installer.boot = Some(DirectBoot {
        kernel: image.kernel.clone(),
        initrd: image.initrd.clone(),
        append: INSTALLER_APPEND.to_owned(),
    });
    installer.drives = vec![
        drive(target, "qcow2", "target", false),
        drive(image.rootfs.clone(), "raw", "image", true),
        drive(image.tar.clone(), "raw", "tar", true),
    ];
    let serial_log = dir.join("install-serial.log");
    let config = MachineConfig {
        name: "installer".into(),
        launch: installer.launch(),
        serial_log: serial_log.clone(),
        deadlines: Deadlines {
            command: Duration::from_secs(600),
            ..Deadlines::default()
        },
        shutdown_command: "sync; poweroff -f".into(),
        framing: super::FRAMING,
    };
    // Nothing is written to the target before the backdoor answers, so a boot lost to
    // TCG's race can start again on the same blank disk.
    let mut machine = tcg_race::boot_retrying(accel, &serial_log, progress, || {
        progress::step(progress, "boot the installer", || {
            Machine::start(config.clone())
        })
        .map_err(anyhow::Error::from)
    })
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

fn drive(file: PathBuf, format: &'static str, serial: &'static str, read_only: bool) -> Drive {
    Drive {
        file,
        format,
        serial,
        read_only,
    }
}
