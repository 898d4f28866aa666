//! The disko layout model: a disk as disko describes it (`disko.devices.disk.<name>`), read
//! from a scenario's evaluated configuration into the closed set of disko types the Debian
//! backend installs (one GPT disk whose partitions hold a `filesystem` or a `btrfs` with
//! subvolumes), and the mounts disko's `_config` derives from it. Anything else is refused
//! by its disko path. Both the scenario (what the modules set) and the backends use it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// A disk as disko describes it, partitions in creation order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disk {
    pub name: String,
    pub device: String,
    pub image_size: String,
    pub partitions: Vec<Partition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partition {
    /// 1-based GPT number, in disko's order (priority, then name).
    pub number: usize,
    /// The GPT label disko gives it: `disk-<disk>-<partition>`.
    pub label: String,
    /// sgdisk type code, `8300` unless set.
    pub type_code: String,
    pub start: String,
    pub end: String,
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Content {
    Filesystem(Filesystem),
    Btrfs(Btrfs),
    Swap(Swap),
    /// No content: a partition that is only made, like a BIOS boot partition (EF02).
    Empty,
}

/// A swap partition: disko adds it to `swapDevices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Swap {
    pub priority: Option<i64>,
    /// `discardPolicy`: `once`, `pages` or `both`.
    pub discard_policy: Option<String>,
    pub mount_options: Vec<String>,
    pub extra_args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filesystem {
    pub format: String,
    pub mountpoint: Option<String>,
    pub mount_options: Vec<String>,
    pub extra_args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Btrfs {
    pub extra_args: Vec<String>,
    pub mountpoint: Option<String>,
    pub mount_options: Vec<String>,
    /// By subvolume name (`/root`).
    pub subvolumes: BTreeMap<String, Subvolume>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subvolume {
    pub mountpoint: Option<String>,
    pub mount_options: Vec<String>,
}

/// One line of the fstab disko's `_config` produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub device: String,
    pub mountpoint: String,
    pub fs_type: String,
    pub options: Vec<String>,
}

/// The layout uses something the Debian backend does not install.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct LayoutError {
    pub path: String,
    pub message: String,
}

const FORMATS: [&str; 3] = ["vfat", "ext4", "btrfs"];

/// Reads the disk from the evaluated `disko.nix`: exactly one disk under `disko.devices.disk`.
pub fn read(evaluated: &Value) -> Result<Disk, LayoutError> {
    let devices = evaluated
        .pointer("/disko/devices")
        .ok_or_else(|| unsupported("disko.devices", "is missing"))?;
    let devices = object(devices, "disko.devices")?;
    if let Some(kind) = devices
        .iter()
        .find(|(kind, value)| *kind != "disk" && !is_empty(value))
        .map(|(kind, _)| kind)
    {
        return Err(unsupported(
            &format!("disko.devices.{kind}"),
            &format!(
                "{} cannot be installed by the debian backend, which installs one GPT disk \
                 of file systems, Btrfs and swap; run this layout with --backend nixos",
                device_kind(kind)
            ),
        ));
    }
    let disks = object(
        field(&Value::Object(devices.clone()), "disko.devices", "disk")?,
        "disko.devices.disk",
    )?
    .clone();
    let mut disks = disks.iter();
    let (Some((name, disk)), None) = (disks.next(), disks.next()) else {
        return Err(unsupported(
            "disko.devices.disk",
            "exactly one disk is supported (the guide's VPS has one)",
        ));
    };
    read_disk(name, disk, &format!("disko.devices.disk.{name}"))
}

/// What a disko device kind is, for a reader.
fn device_kind(kind: &str) -> String {
    match kind {
        "lvm_vg" => "an LVM volume group".into(),
        "mdadm" => "an mdadm RAID array".into(),
        "zpool" => "a ZFS pool".into(),
        "nodev" => "a device-less mount (tmpfs)".into(),
        other => format!("a `{other}` device"),
    }
}

fn is_empty(value: &Value) -> bool {
    value.as_object().is_some_and(|map| map.is_empty())
}

fn read_disk(name: &str, disk: &Value, path: &str) -> Result<Disk, LayoutError> {
    allow_keys(
        disk,
        path,
        &["type", "device", "imageSize", "imageName", "content"],
    )?;
    expect_type(disk, path, "disk")?;
    let content = field(disk, path, "content")?;
    let content_path = format!("{path}.content");
    allow_keys(
        content,
        &content_path,
        &["type", "partitions", "efiGptPartitionFirst"],
    )?;
    expect_type(content, &content_path, "gpt")?;
    let partitions = object(field(content, &content_path, "partitions")?, &content_path)?;
    let mut ordered: Vec<(i64, &String, &Value)> = Vec::new();
    for (part_name, part) in partitions {
        let default = if part.get("size").and_then(Value::as_str) == Some("100%") {
            9001
        } else {
            1000
        };
        let priority = part
            .get("priority")
            .and_then(Value::as_i64)
            .unwrap_or(default);
        ordered.push((priority, part_name, part));
    }
    ordered.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let partitions = ordered
        .into_iter()
        .enumerate()
        .map(|(index, (_, part_name, part))| {
            let part_path = format!("{content_path}.partitions.{part_name}");
            read_partition(name, part_name, index + 1, part, &part_path)
        })
        .collect::<Result<_, _>>()?;
    Ok(Disk {
        name: name.to_owned(),
        device: string(disk, path, "device")?.unwrap_or_else(|| "/dev/vda".into()),
        image_size: string(disk, path, "imageSize")?.unwrap_or_else(|| "2G".into()),
        partitions,
    })
}

fn read_partition(
    disk: &str,
    name: &str,
    number: usize,
    part: &Value,
    path: &str,
) -> Result<Partition, LayoutError> {
    allow_keys(
        part,
        path,
        &[
            "type", "size", "start", "end", "priority", "name", "label", "content",
        ],
    )?;
    let size = string(part, path, "size")?.unwrap_or_else(|| "0".into());
    let end = match string(part, path, "end")? {
        Some(end) => end,
        None if size == "100%" => "-0".into(),
        None => format!("+{size}"),
    };
    let part_name = string(part, path, "name")?.unwrap_or_else(|| name.to_owned());
    let content_path = format!("{path}.content");
    Ok(Partition {
        number,
        label: string(part, path, "label")?.unwrap_or_else(|| format!("disk-{disk}-{part_name}")),
        type_code: string(part, path, "type")?.unwrap_or_else(|| "8300".into()),
        start: string(part, path, "start")?.unwrap_or_else(|| "0".into()),
        end,
        content: match part.get("content") {
            None | Some(Value::Null) => Content::Empty,
            Some(content) => read_content(content, &content_path)?,
        },
    })
}

fn read_content(content: &Value, path: &str) -> Result<Content, LayoutError> {
    match string(content, path, "type")?.as_deref() {
        Some("filesystem") => {
            allow_keys(
                content,
                path,
                &["type", "format", "mountpoint", "mountOptions", "extraArgs"],
            )?;
            let format = string(content, path, "format")?.unwrap_or_default();
            if !FORMATS.contains(&format.as_str()) {
                return Err(unsupported(
                    &format!("{path}.format"),
                    &format!(
                        "format `{format}` is not supported by the debian backend (supported: {})",
                        FORMATS.join(", ")
                    ),
                ));
            }
            Ok(Content::Filesystem(Filesystem {
                format,
                mountpoint: string(content, path, "mountpoint")?,
                mount_options: strings(content, path, "mountOptions")?,
                extra_args: strings(content, path, "extraArgs")?,
            }))
        }
        Some("btrfs") => {
            allow_keys(
                content,
                path,
                &[
                    "type",
                    "extraArgs",
                    "mountpoint",
                    "mountOptions",
                    "subvolumes",
                ],
            )?;
            let mut subvolumes = BTreeMap::new();
            if let Some(subs) = content.get("subvolumes") {
                for (name, sub) in object(subs, &format!("{path}.subvolumes"))? {
                    let sub_path = format!("{path}.subvolumes.\"{name}\"");
                    allow_keys(sub, &sub_path, &["mountpoint", "mountOptions"])?;
                    subvolumes.insert(
                        name.clone(),
                        Subvolume {
                            mountpoint: string(sub, &sub_path, "mountpoint")?,
                            mount_options: strings(sub, &sub_path, "mountOptions")?,
                        },
                    );
                }
            }
            Ok(Content::Btrfs(Btrfs {
                extra_args: strings(content, path, "extraArgs")?,
                mountpoint: string(content, path, "mountpoint")?,
                mount_options: strings(content, path, "mountOptions")?,
                subvolumes,
            }))
        }
        Some("swap") => {
            allow_keys(
                content,
                path,
                &[
                    "type",
                    "priority",
                    "discardPolicy",
                    "mountOptions",
                    "extraArgs",
                    "randomEncryption",
                    "resumeDevice",
                ],
            )?;
            if content.get("randomEncryption").and_then(Value::as_bool) == Some(true) {
                return Err(unsupported(&format!("{path}.randomEncryption"), "random swap encryption needs cryptsetup at boot, which the debian backend does not set up"));
            }
            Ok(Content::Swap(Swap {
                priority: content.get("priority").and_then(Value::as_i64),
                discard_policy: string(content, path, "discardPolicy")?,
                mount_options: strings(content, path, "mountOptions")?,
                extra_args: strings(content, path, "extraArgs")?,
            }))
        }
        Some(other) => Err(unsupported(
            &format!("{path}.type"),
            &format!(
                "disko content type `{other}` is not supported by the debian backend (supported: \
             filesystem, btrfs, swap){}",
                content_reason(other)
            ),
        )),
        None => Err(unsupported(path, "content has no `type`")),
    }
}

/// Why a content type cannot be installed, beyond not being supported.
fn content_reason(kind: &str) -> &'static str {
    match kind {
        "luks" => ": a LUKS volume needs its key at every boot, which the test VM cannot be given; run this layout with --backend nixos",
        "lvm_pv" => ": LVM needs its volume group activated in the initrd, which the Debian guest does not do; run this layout with --backend nixos",
        "mdraid" => ": a RAID member needs more disks than the one the VM has",
        "zfs" => ": ZFS is not in the Debian guest's kernel",
        _ => "",
    }
}

impl Disk {
    /// The layout without its mount options: what the install depends on. Options are the
    /// scenario's and take effect at boot, so scenarios that differ only in them share one
    /// installed disk.
    pub fn structure(&self) -> Disk {
        let mut disk = self.clone();
        for partition in &mut disk.partitions {
            match &mut partition.content {
                Content::Filesystem(fs) => fs.mount_options.clear(),
                Content::Btrfs(btrfs) => {
                    btrfs.mount_options.clear();
                    for sub in btrfs.subvolumes.values_mut() {
                        sub.mount_options.clear();
                    }
                }
                Content::Swap(swap) => swap.mount_options.clear(),
                Content::Empty => {}
            }
        }
        disk
    }

    /// The partition device as the installed system names it (`/dev/disk/by-partlabel/...`),
    /// which is what disko writes into `fileSystems`.
    pub fn partition_device(&self, partition: &Partition) -> String {
        format!("/dev/disk/by-partlabel/{}", partition.label)
    }

    /// The kernel's name for a partition during the install, before udev made the links.
    pub fn partition_node(&self, partition: &Partition) -> String {
        let separator = if self.device.ends_with(|c: char| c.is_ascii_digit()) {
            "p"
        } else {
            ""
        };
        format!("{}{separator}{}", self.device, partition.number)
    }

    /// The swap partitions, by the device disko names them with.
    pub fn swaps(&self) -> Vec<(String, &Swap)> {
        self.partitions
            .iter()
            .filter_map(|part| match &part.content {
                Content::Swap(swap) => Some((self.partition_device(part), swap)),
                _ => None,
            })
            .collect()
    }

    /// Every mount of the layout, parents before children, as disko's `_config` writes them.
    pub fn mounts(&self) -> Vec<Mount> {
        let mut mounts = Vec::new();
        for partition in &self.partitions {
            let device = self.partition_device(partition);
            match &partition.content {
                Content::Filesystem(fs) => {
                    if let Some(mountpoint) = &fs.mountpoint {
                        mounts.push(Mount {
                            device,
                            mountpoint: mountpoint.clone(),
                            fs_type: fs.format.clone(),
                            options: or_defaults(&fs.mount_options),
                        });
                    }
                }
                Content::Swap(_) | Content::Empty => {}
                Content::Btrfs(btrfs) => {
                    if let Some(mountpoint) = &btrfs.mountpoint {
                        mounts.push(Mount {
                            device: device.clone(),
                            mountpoint: mountpoint.clone(),
                            fs_type: "btrfs".into(),
                            options: or_defaults(&btrfs.mount_options),
                        });
                    }
                    for (name, sub) in &btrfs.subvolumes {
                        if let Some(mountpoint) = &sub.mountpoint {
                            let mut options = or_defaults(&sub.mount_options);
                            options.push(format!("subvol={name}"));
                            mounts.push(Mount {
                                device: device.clone(),
                                mountpoint: mountpoint.clone(),
                                fs_type: "btrfs".into(),
                                options,
                            });
                        }
                    }
                }
            }
        }
        mounts.sort_by_key(|mount| (depth(&mount.mountpoint), mount.mountpoint.clone()));
        mounts
    }
}

/// disko's `mountOptions` default to `[ "defaults" ]`.
fn or_defaults(options: &[String]) -> Vec<String> {
    if options.is_empty() {
        vec!["defaults".into()]
    } else {
        options.to_vec()
    }
}

fn depth(mountpoint: &str) -> usize {
    mountpoint
        .split('/')
        .filter(|part| !part.is_empty())
        .count()
}

fn field<'a>(value: &'a Value, path: &str, key: &str) -> Result<&'a Value, LayoutError> {
    value
        .get(key)
        .ok_or_else(|| unsupported(path, &format!("`{key}` is missing")))
}

fn object<'a>(
    value: &'a Value,
    path: &str,
) -> Result<&'a serde_json::Map<String, Value>, LayoutError> {
    value
        .as_object()
        .ok_or_else(|| unsupported(path, "expected an attribute set"))
}

fn string(value: &Value, path: &str, key: &str) -> Result<Option<String>, LayoutError> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(_) => Err(unsupported(&format!("{path}.{key}"), "expected a string")),
    }
}

fn strings(value: &Value, path: &str, key: &str) -> Result<Vec<String>, LayoutError> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    unsupported(&format!("{path}.{key}"), "expected a list of strings")
                })
            })
            .collect(),
        Some(_) => Err(unsupported(
            &format!("{path}.{key}"),
            "expected a list of strings",
        )),
    }
}

fn allow_keys(value: &Value, path: &str, allowed: &[&str]) -> Result<(), LayoutError> {
    let map = object(value, path)?;
    match map.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => Err(unsupported(
            &format!("{path}.{key}"),
            &format!(
                "disko option `{key}` is not supported by the debian backend (supported here: {})",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn expect_type(value: &Value, path: &str, expected: &str) -> Result<(), LayoutError> {
    match string(value, path, "type")? {
        Some(found) if found == expected => Ok(()),
        Some(found) => Err(unsupported(&format!("{path}.type"), &format!(
            "disko type `{found}` is not supported by the debian backend here (expected `{expected}`)"
        ))),
        None => Err(unsupported(path, &format!("`type` is missing (expected `{expected}`)"))),
    }
}

fn unsupported(path: &str, message: &str) -> LayoutError {
    LayoutError {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}
