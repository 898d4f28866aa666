//! The Debian backend: a Debian 13 guest built with mmdebstrap, installed by itself onto the
//! disko Btrfs layout, with the scenario's NixOS options realized the way NixOS realizes them
//! (`realize`, `etc`) and handed to the guest at boot (`activation`).

pub mod activation;
pub mod base_disk;
pub mod image;
pub mod install;
pub mod realize;

use std::path::{Path, PathBuf};

use crate::backend::Bundle;
use crate::cache::Key;
use crate::disko::Disk;
use crate::host;
use crate::progress::Progress;
use crate::scenario::{self, Loaded};
use crate::vm::accel::{self, Accel, AccelChoice};
use crate::vm::protocol::Framing;
use crate::vm::qemu::{DirectBoot, Qemu};
use crate::vm::Deadlines;
pub use realize::{realize, RealizeError, Realized};

/// The backdoor framing of this guest: NixOS's three execs per command (`timeout`, `bash`,
/// `base64`, dynamically linked) made a `true` round trip take ~250 ms under TCG; the
/// command in a subshell watched by `guest/deadline-watch`, with busybox's static `base64`,
/// leaves one exec. The watcher ends the command and every process it started, where
/// `timeout` signalled only the one it ran, so a command that leaves children holding the
/// output pipe no longer costs the machine.
pub const FRAMING: Framing = Framing::Watched;

/// What the Debian backend runs on the host: checked before anything is built or booted.
pub const TOOLS: [host::Tool; 6] = [
    host::QEMU,
    host::QEMU_IMG,
    host::MMDEBSTRAP,
    host::TAR2SQFS,
    host::TAR,
    host::NIX_INSTANTIATE,
];

/// Where the project's Debian caches live.
pub fn cache_root(project_root: &Path) -> PathBuf {
    project_root.join("target/nixos-tuning/debian")
}

/// Everything needed to boot guests, made once per process: the image and the accelerator.
/// Base disks are installed per layout, when a scenario first needs one.
#[derive(Debug, Clone)]
pub struct Debian {
    pub image: image::Image,
    pub accel: Accel,
    pub qemu: PathBuf,
    cache: PathBuf,
}

/// Checks the host, then builds (or finds cached) the image and the machine's base disk;
/// says once why the accelerator is what it is.
pub fn prepare(
    project_root: &Path,
    choice: AccelChoice,
    progress: &dyn Progress,
) -> anyhow::Result<Debian> {
    host::require(&TOOLS)?;
    let qemu = host::QEMU.find()?;
    let machine = scenario::load_named(project_root, scenario::BASELINE)?;
    let disk = realize(&machine)?.disk;
    let cache = cache_root(project_root);
    let image = image::ensure(&cache, progress)?;
    let decision = accel::decide(choice, &qemu, &image.kernel, &accel::default_cache())
        .map_err(|message| anyhow::format_err!(message))?;
    if let Some(note) = &decision.note {
        progress.note(note);
    }
    let debian = Debian {
        image,
        accel: decision.accel,
        qemu,
        cache,
    };
    debian.base_disk(&disk, progress)?;
    Ok(debian)
}

impl Debian {
    /// The installed disk of `layout`'s structure (its mount options take effect at boot).
    pub fn base_disk(&self, layout: &Disk, progress: &dyn Progress) -> anyhow::Result<PathBuf> {
        base_disk::ensure(
            &self.cache,
            &self.image,
            &layout.structure(),
            self.accel,
            progress,
        )
    }

    /// The scenario realized for the guest: its files go in through fw_cfg, its root mount
    /// options on the kernel command line.
    pub fn bundle(&self, loaded: &Loaded, progress: &dyn Progress) -> anyhow::Result<Bundle> {
        let realized = realize(loaded)?;
        let base_disk = self.base_disk(&realized.disk, progress)?;
        let mut qemu = Qemu::new(self.qemu.clone(), self.accel);
        qemu.boot = Some(DirectBoot {
            kernel: self.image.kernel.clone(),
            initrd: self.image.initrd.clone(),
            append: installed_append(&realized)?,
        });
        Ok(Bundle {
            scenario: realized.scenario.clone(),
            inputs: self.inputs_key(&realized, &base_disk),
            accel: self.accel,
            base_disk: Some(base_disk),
            fw_cfg: vec![(
                activation::FW_CFG_NAME.to_owned(),
                activation::archive(&realized.files)?,
            )],
            qemu,
            framing: FRAMING,
            deadlines: Deadlines::default(),
            shutdown_command: "poweroff".into(),
        })
    }

    /// What a run of `realized` on this guest depends on.
    fn inputs_key(&self, realized: &Realized, base_disk: &Path) -> String {
        let mut key = Key::new("debian-guest");
        key.add("image", self.image.key.as_bytes())
            .add("base", base_disk.to_string_lossy().as_bytes())
            .add("files", format!("{:?}", realized.files).as_bytes())
            .add("rootflags", realized.root_options.join(",").as_bytes());
        key.finish()
    }
}

/// Where the backdoor shell is in the image.
pub const BACKDOOR: &str = "/usr/lib/nixos-tuning/backdoor";

/// `bundle`'s guest booted to the backdoor shell with nothing before it: the same kernel,
/// initrd, disk and mount of `/`, then the backdoor as PID 1, without the activation and
/// without systemd. What a boot takes beyond this floor is the system's own start
/// (`cargo xtask bench`).
pub fn floor(bundle: &Bundle) -> anyhow::Result<Bundle> {
    use anyhow::Context;
    let mut floor = bundle.clone();
    let boot = floor
        .qemu
        .boot
        .as_mut()
        .context("the guest is not booted from a kernel of its own")?;
    let init = format!("init={}", activation::INIT);
    anyhow::ensure!(
        boot.append.split(' ').any(|word| word == init),
        "the kernel command line has no `{init}`: {}",
        boot.append
    );
    boot.append = boot.append.replace(&init, &format!("init={BACKDOOR}"));
    floor.fw_cfg.clear();
    // No systemd to ask: the kernel powers off at once, as in the installer.
    floor.shutdown_command = "sync; poweroff -f".into();
    floor.scenario = format!("{} (floor)", bundle.scenario);
    Ok(floor)
}

/// The installed system's kernel command line: `/` is the layout's root subvolume, mounted by
/// the initrd with the scenario's options, as NixOS's stage 1 mounts `fileSystems."/"`; then
/// `activate` puts the scenario's files in place and starts systemd.
fn installed_append(realized: &Realized) -> anyhow::Result<String> {
    use anyhow::Context;
    let disk = &realized.disk;
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
        realized.root_options.join(","),
        activation::INIT,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::qemu::DirectBoot;

    /// The deadline file is named in Rust (the framing writes it) and in the guest's
    /// scripts (the backdoor makes its directory, the watcher reads it): one rename must
    /// reach both sides, or commands would run without a deadline.
    #[test]
    fn the_guest_watches_the_deadline_file_the_framing_writes() {
        use crate::vm::protocol::DEADLINE_FILE;
        let backdoor = include_str!("guest/backdoor");
        let watch = include_str!("guest/deadline-watch");
        let dir = std::path::Path::new(DEADLINE_FILE).parent().unwrap();
        assert!(
            backdoor.contains(&format!("mkdir -p {}\n", dir.display())),
            "the backdoor makes {}",
            dir.display()
        );
        assert!(backdoor.contains("/deadline-watch \"$$\""));
        assert!(watch.contains(&format!("DEADLINE={DEADLINE_FILE}\n")));
        assert!(FRAMING.prelude().unwrap().contains(DEADLINE_FILE));
    }

    fn bundle(append: &str) -> Bundle {
        let mut qemu = Qemu::new("/usr/bin/qemu-system-x86_64".into(), Accel::Tcg);
        qemu.boot = Some(DirectBoot {
            kernel: "/cache/vmlinuz".into(),
            initrd: "/cache/initrd.img".into(),
            append: append.to_owned(),
        });
        Bundle {
            scenario: "a scenario".into(),
            inputs: String::new(),
            accel: Accel::Tcg,
            base_disk: Some("/cache/base.qcow2".into()),
            fw_cfg: vec![(activation::FW_CFG_NAME.into(), b"tar".to_vec())],
            qemu,
            framing: FRAMING,
            deadlines: Deadlines::default(),
            shutdown_command: "poweroff".into(),
        }
    }

    #[test]
    fn the_floor_boots_the_same_kernel_and_disk_into_the_backdoor() {
        let real = bundle(&format!(
            "root=/dev/vda2 rw init={} console=ttyS0",
            activation::INIT
        ));
        let lowest = floor(&real).unwrap();
        let append = &lowest.qemu.boot.as_ref().unwrap().append;
        assert_eq!(
            append,
            &format!("root=/dev/vda2 rw init={BACKDOOR} console=ttyS0")
        );
        assert_eq!(lowest.base_disk, real.base_disk);
        assert!(lowest.fw_cfg.is_empty(), "nothing is activated");
        let other = bundle("root=/dev/vda2 init=/sbin/init");
        let err = floor(&other).err().expect("no activation to replace");
        assert!(err.to_string().contains("has no `init="), "{err}");
    }
}
