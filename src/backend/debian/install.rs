//! The install, as disko's `_create` and `_mount` scripts do it, turned into the commands the
//! installer VM runs through the backdoor, one step at a time so progress and errors name the
//! step: partition, format, create subvolumes, mount with the layout's options, copy the
//! system in, write fstab from the layout.

use crate::disko::{Content, Disk, Mount};
use crate::vm::protocol::shell_quote;

/// Where the target is mounted during the install, as disko's `rootMountPoint`.
pub const ROOT: &str = "/mnt";

/// The image as a tar in the installer VM: its third disk (the squashfs it runs from is the
/// second). Unpacking a tar is several times faster than copying from squashfs under TCG.
pub const TAR_DEVICE: &str = "/dev/vdc";

/// One step of the install: what it does, in words, and the shell it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    pub script: String,
}

/// Every step that turns a blank disk into the installed system.
pub fn steps(disk: &Disk) -> Vec<Step> {
    let mut steps = vec![partition(disk)];
    steps.extend(format(disk));
    steps.push(mount(disk));
    steps.push(copy_system());
    steps.push(write_fstab(disk));
    steps.push(step(
        "write /etc/machine-id",
        // mmdebstrap leaves it "uninitialized"; a fixed id keeps every boot from being a
        // first boot that re-applies unit presets.
        vec![format!(
            "cp /usr/lib/nixos-tuning/machine-id {ROOT}/etc/machine-id"
        )],
    ));
    steps.push(Step {
        title: "unmount".into(),
        script: format!("sync; umount -R {ROOT}"),
    });
    steps
}

fn step(title: impl Into<String>, lines: Vec<String>) -> Step {
    Step {
        title: title.into(),
        script: lines.join("\n"),
    }
}

fn partition(disk: &Disk) -> Step {
    let device = shell_quote(&disk.device);
    let mut lines = vec![format!("sgdisk --clear {device} >/dev/null")];
    for part in &disk.partitions {
        lines.push(format!(
            "sgdisk --align-end --new={n}:{start}:{end} --change-name={n}:{label} --typecode={n}:{code} {device} >/dev/null",
            n = part.number,
            start = shell_quote(&part.start),
            end = shell_quote(&part.end),
            label = shell_quote(&part.label),
            code = shell_quote(&part.type_code),
        ));
    }
    // sgdisk asks the kernel to re-read the table itself, but udev may still hold the
    // disk open from its last write, so BLKRRPART can fail with EBUSY (it did in CI).
    // Settle first; if the re-read is still refused, `partx` adds the partitions one by
    // one, which works on a busy disk. Then, as disko does, let udev see them and wait
    // for the kernel's own nodes, which the install uses.
    lines.push("udevadm settle --timeout 120".into());
    lines.push(format!(
        "blockdev --rereadpt {device} 2>/dev/null || partx --update {device}"
    ));
    lines.push("udevadm trigger --subsystem-match=block && udevadm settle --timeout 120".into());
    for part in &disk.partitions {
        let node = shell_quote(&disk.partition_node(part));
        lines.push(format!(
            "for _ in $(seq 100); do [ -b {node} ] && break; sleep 0.05; done; [ -b {node} ]"
        ));
    }
    step(format!("partition {} (GPT)", disk.device), lines)
}

fn format(disk: &Disk) -> Vec<Step> {
    disk.partitions
        .iter()
        .filter(|part| part.content != Content::Empty)
        .map(|part| {
            let node = shell_quote(&disk.partition_node(part));
            match &part.content {
                Content::Filesystem(fs) => step(
                    format!("mkfs.{} {}", fs.format, part.label),
                    vec![format!(
                        "mkfs.{} {} {node} >/dev/null",
                        fs.format,
                        args(&fs.extra_args)
                    )],
                ),
                Content::Empty => unreachable!("filtered out above"),
                Content::Swap(swap) => step(
                    format!("mkswap {}", part.label),
                    vec![format!(
                        "mkswap {} {node} >/dev/null",
                        args(&swap.extra_args)
                    )],
                ),
                Content::Btrfs(btrfs) => {
                    let mut lines = vec![
                        format!("mkfs.btrfs {node} {} >/dev/null", args(&btrfs.extra_args)),
                        "top=$(mktemp -d)".into(),
                        format!("mount -t btrfs -o subvol=/ {node} \"$top\""),
                    ];
                    for name in btrfs.subvolumes.keys() {
                        lines.push(format!(
                            "btrfs subvolume create \"$top\"/{} >/dev/null",
                            shell_quote(name.trim_start_matches('/'))
                        ));
                    }
                    lines.push("umount \"$top\"; rmdir \"$top\"".into());
                    let names: Vec<&str> = btrfs.subvolumes.keys().map(String::as_str).collect();
                    step(
                        format!(
                            "mkfs.btrfs {} and subvolumes {}",
                            part.label,
                            names.join(" ")
                        ),
                        lines,
                    )
                }
            }
        })
        .collect()
}

fn mount(disk: &Disk) -> Step {
    let nodes: Vec<(String, String)> = disk
        .partitions
        .iter()
        .map(|part| (disk.partition_device(part), disk.partition_node(part)))
        .collect();
    let lines = disk
        .mounts()
        .iter()
        .map(|mount| {
            // The install has no by-partlabel links yet; fstab gets them, the mount the node.
            let node = nodes
                .iter()
                .find(|(device, _)| *device == mount.device)
                .map_or(mount.device.as_str(), |(_, node)| node.as_str());
            let target = format!("{ROOT}{}", mount.mountpoint.trim_end_matches('/'));
            format!(
                "mkdir -p {target} && mount -t {} -o {} {} {target}",
                mount.fs_type,
                shell_quote(&mount.options.join(",")),
                shell_quote(node),
                target = shell_quote(if target.is_empty() { ROOT } else { &target }),
            )
        })
        .collect();
    step("mount the layout under /mnt", lines)
}

fn copy_system() -> Step {
    step(
        "copy the system in",
        vec![
            format!("tar -C {ROOT} --exclude=./boot -xpf {TAR_DEVICE}"),
            // /boot is vfat here, which cannot hold owners or modes: unpack it aside, then
            // copy it without them.
            format!("mkdir -p /run/boot && tar -C /run/boot -xf {TAR_DEVICE} ./boot"),
            format!("cp -r --no-preserve=all /run/boot/boot/. {ROOT}/boot/ && rm -rf /run/boot"),
        ],
    )
}

fn write_fstab(disk: &Disk) -> Step {
    let fstab = fstab(&disk.mounts());
    step(
        "write /etc/fstab from the layout",
        vec![format!(
            "printf '%s' {} > {ROOT}/etc/fstab",
            shell_quote(&fstab)
        )],
    )
}

/// The fstab NixOS writes for these `fileSystems`.
pub fn fstab(mounts: &[Mount]) -> String {
    let mut text =
        String::from("# Written by nixos-tuning from the disko layout and fileSystems\n");
    for mount in mounts {
        let pass = if mount.mountpoint == "/" { 1 } else { 2 };
        let pass = if mount.fs_type == "btrfs" { 0 } else { pass };
        text.push_str(&format!(
            "{} {} {} {} 0 {pass}\n",
            mount.device,
            mount.mountpoint,
            mount.fs_type,
            mount.options.join(",")
        ));
    }
    text
}

fn args(extra: &[String]) -> String {
    extra
        .iter()
        .map(|arg| shell_quote(arg))
        .collect::<Vec<_>>()
        .join(" ")
}
