//! The Debian 13 guest image: a root filesystem built by mmdebstrap (unprivileged, in a user
//! namespace) from `guest/packages.txt` and configured by `guest/customize.sh`, packed as a
//! squashfs for the installer to boot from and as the tar it installs from, with its kernel
//! and initrd beside them.
//!
//! Cached under `target/nixos-tuning/debian/image-<key>` where the key hashes every input:
//! the package list, every asset, the suite, the mirror (when one is set) and the commands
//! themselves.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::Context;

use crate::cache::{self, Key};
use crate::host;
use crate::progress::{self, Progress};

pub const SUITE: &str = "trixie";

/// The files of the guest that the image is built from, embedded so the key sees them.
const ASSETS: [(&str, &str); 7] = [
    ("packages.txt", include_str!("guest/packages.txt")),
    ("customize.sh", include_str!("guest/customize.sh")),
    ("backdoor", include_str!("guest/backdoor")),
    ("deadline-watch", include_str!("guest/deadline-watch")),
    ("backdoor.service", include_str!("guest/backdoor.service")),
    ("installer-init", include_str!("guest/installer-init")),
    ("activate", include_str!("guest/activate")),
];

/// Paths excluded from the image: documentation nobody reads in a test VM.
const DPKG_EXCLUDES: [&str; 5] = [
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/doc/*",
    "path-exclude=/usr/share/locale/*",
    "path-include=/usr/share/locale/locale.alias",
    "path-exclude=/usr/share/info/*",
];

/// A built image.
#[derive(Debug, Clone)]
pub struct Image {
    pub key: String,
    /// The squashfs the installer boots from.
    pub rootfs: PathBuf,
    /// The same tree as a tar, which the installer unpacks onto the target.
    pub tar: PathBuf,
    pub kernel: PathBuf,
    pub initrd: PathBuf,
}

/// The variable that names a mirror (or proxy) to build from.
pub const MIRROR_VARIABLE: &str = "NIXOS_TUNING_DEBIAN_MIRROR";

/// The mirror set in [`MIRROR_VARIABLE`]; without one, mmdebstrap uses its own default and,
/// for a stable suite, adds the updates and security sources itself.
pub fn mirror() -> Option<String> {
    std::env::var(MIRROR_VARIABLE)
        .ok()
        .filter(|mirror| !mirror.trim().is_empty())
}

pub fn packages() -> Vec<&'static str> {
    ASSETS[0]
        .1
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// Returns the cached image, building it first if its inputs changed.
pub fn ensure(cache_root: &Path, progress: &dyn Progress) -> anyhow::Result<Image> {
    let mirror = mirror();
    let mut key = Key::new("debian-image");
    key.add("suite", SUITE.as_bytes())
        .add("mirror", mirror.as_deref().unwrap_or("").as_bytes());
    for (name, text) in ASSETS {
        key.add(name, text.as_bytes());
    }
    key.add("dpkg-excludes", DPKG_EXCLUDES.join("\n").as_bytes());
    key.add("recipe", include_bytes!("image.rs"));
    let key = key.finish();
    let name = format!("image-{key}");
    let dir = cache::entry(cache_root, &name, "the Debian image", progress, |dir| {
        progress::step(progress, "build the Debian 13 image (mmdebstrap)", || {
            build(dir, mirror.as_deref(), &cache_root.join("apt-archives"))
        })
    })?;
    Ok(Image {
        key,
        rootfs: dir.join("rootfs.sqfs"),
        tar: dir.join("rootfs.tar"),
        kernel: dir.join("vmlinuz"),
        initrd: dir.join("initrd.img"),
    })
}

fn build(dir: &Path, mirror: Option<&str>, apt_archives: &Path) -> anyhow::Result<()> {
    let mmdebstrap = host::MMDEBSTRAP.find()?;
    let tar2sqfs = host::TAR2SQFS.find()?;
    let assets = dir.join("assets");
    std::fs::create_dir_all(&assets)?;
    for (name, text) in ASSETS {
        std::fs::write(assets.join(name), text)?;
    }
    std::fs::create_dir_all(apt_archives)?;
    let tar = dir.join("rootfs.tar");
    let log = dir.join("mmdebstrap.log");
    let mut command = Command::new(mmdebstrap);
    command.stdin(std::process::Stdio::null());
    command
        .args(["--mode=unshare", "--variant=essential"])
        .arg(format!("--include={}", packages().join(",")))
        .args(DPKG_EXCLUDES.map(|rule| format!("--dpkgopt={rule}")))
        // Downloaded packages are kept between builds so a changed list rebuilds quickly.
        .arg("--setup-hook=mkdir -p \"$1\"/var/cache/apt/archives/")
        .arg(format!(
            "--setup-hook=sync-in {} /var/cache/apt/archives/",
            apt_archives.display()
        ))
        .arg(format!(
            "--customize-hook=sh {}/customize.sh \"$1\"",
            assets.display()
        ))
        .arg(format!(
            "--customize-hook=sync-out /var/cache/apt/archives {}",
            apt_archives.display()
        ))
        .arg("--customize-hook=rm -f \"$1\"/var/cache/apt/archives/*.deb")
        .arg(SUITE)
        .arg(&tar)
        .args(mirror);
    host::run_logged(&mut command, &log, "mmdebstrap")?;
    let sqfs = dir.join("rootfs.sqfs");
    let tar_file = std::fs::File::open(&tar)?;
    // zstd decompresses faster than lz4 under TCG (measured: guest/NOTES.md).
    let mut command = Command::new(tar2sqfs);
    command
        .args(["-q", "-c", "zstd", "-X", "level=3", "-b", "1048576"])
        .arg(&sqfs)
        .stdin(tar_file);
    host::run_logged(&mut command, &dir.join("tar2sqfs.log"), "tar2sqfs")?;
    extract_boot_files(&tar, dir)?;
    // The tar stays: the installer copies the system from it, several times faster than
    // from the squashfs under TCG.
    std::fs::remove_dir_all(&assets)?;
    Ok(())
}

/// Takes `vmlinuz-*` and `initrd.img-*` out of the tar: no mount, no root needed.
fn extract_boot_files(tar: &Path, dir: &Path) -> anyhow::Result<()> {
    let mut command = host::TAR.command()?;
    command.arg("-xf").arg(tar).arg("-C").arg(dir).args([
        "--wildcards",
        "--transform=s,.*/,,",
        "./boot/vmlinuz-*",
        "./boot/initrd.img-*",
    ]);
    // Its stderr is kept, so a full disk is told as such (see `crate::diskfull`).
    host::run(&mut command, Duration::from_secs(600))?
        .success("tar (the kernel and initrd out of the image)")?;
    for (prefix, name) in [("vmlinuz-", "vmlinuz"), ("initrd.img-", "initrd.img")] {
        let found = std::fs::read_dir(dir)?
            .flatten()
            .find(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
            .with_context(|| format!("the image has no /boot/{prefix}*"))?;
        std::fs::rename(found.path(), dir.join(name))?;
    }
    Ok(())
}
