//! `/etc/fstab` as NixOS writes it: the file systems disko's `_config` derives from the
//! layout, `x-initrd.mount` on what stage 1 mounts, `fileSystems.<mp>` added after them
//! (options concatenated, as the module system merges a list), and the swap devices, disko's
//! swap partitions and `swapDevices`, with the units that create swap files (swap.nix).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{invalid, path, quote, NotRealized, Part, RealizeError, FSTAB, VM_DISK};
use crate::disko::{self, Disk, Mount};
use crate::scenario::show::{nix_value, show_option};
use crate::scenario::Loaded;

/// The `fileSystems.<mp>` options realized.
pub const FILE_SYSTEM_OPTIONS: [&str; 7] = [
    "device",
    "fsType",
    "options",
    "mountPoint",
    "neededForBoot",
    "enable",
    "noCheck",
];

/// NixOS's `utils.pathsNeededForBoot` (nixos/lib/utils.nix): mounted by stage 1.
const NEEDED_FOR_BOOT: [&str; 9] = [
    "/",
    "/nix",
    "/nix/store",
    "/var",
    "/var/log",
    "/var/lib",
    "/var/lib/nixos",
    "/etc",
    "/usr",
];

/// File systems with no device to find (filesystems.nix's `specialFSTypes`).
const SPECIAL: [&str; 6] = ["proc", "sysfs", "tmpfs", "ramfs", "devtmpfs", "devpts"];

pub struct Mounted {
    pub part: Part,
    pub root_options: Vec<String>,
    pub disk: Disk,
    pub written_as: Option<String>,
}

pub fn realize(loaded: &Loaded) -> Result<Mounted, RealizeError> {
    let written = disko::read(&loaded.config)?;
    let written_as = (written.device != VM_DISK).then(|| written.device.clone());
    let disk = Disk {
        device: VM_DISK.into(),
        ..written
    };
    let mut part = Part::default();
    let mounts = mounts(loaded, &disk, &mut part)?;
    let root_options = root_options(loaded, &mounts)?;
    let swaps = swaps(loaded, &disk, &mut part);
    part.file(FSTAB, fstab(&mounts, &swaps));
    Ok(Mounted {
        part,
        root_options,
        disk,
        written_as,
    })
}

/// disko's mounts with `x-initrd.mount` first where stage 1 mounts them, then what
/// `fileSystems` adds to them and the file systems it adds.
fn mounts(loaded: &Loaded, disk: &Disk, part: &mut Part) -> Result<Vec<Mount>, RealizeError> {
    let mut mounts = disk.mounts();
    let entries = file_systems(loaded);
    for mount in &mut mounts {
        let needed = entries
            .get(&mount.mountpoint)
            .and_then(|e| e.get("neededForBoot"))
            .and_then(Value::as_bool)
            == Some(true);
        if needed || NEEDED_FOR_BOOT.contains(&mount.mountpoint.as_str()) {
            mount.options.insert(0, "x-initrd.mount".into());
        }
    }
    for (mountpoint, entry) in &entries {
        match mounts.iter_mut().find(|m| &m.mountpoint == mountpoint) {
            Some(mount) => add_to(loaded, mount)?,
            None => match added(disk, mountpoint, entry) {
                Ok(mount) => mounts.push(mount),
                Err(why) => part.not_realized.push(NotRealized {
                    option: show_option(&path(&["fileSystems", mountpoint])),
                    file: loaded.defined_in(&path(&["fileSystems", mountpoint])),
                    why,
                }),
            },
        }
    }
    let depth = |m: &Mount| m.mountpoint.split('/').filter(|p| !p.is_empty()).count();
    mounts.sort_by_key(|m| (depth(m), m.mountpoint.clone()));
    Ok(mounts)
}

/// `fileSystems` entries by mount point, as the configuration has them.
fn file_systems(loaded: &Loaded) -> BTreeMap<String, Value> {
    loaded
        .at("fileSystems")
        .and_then(Value::as_object)
        .map(|map| map.clone().into_iter().collect())
        .unwrap_or_default()
}

/// What the modules set for a file system disko mounts: options after disko's; a device or
/// type other than disko's is a conflict, as NixOS finds it.
fn add_to(loaded: &Loaded, mount: &mut Mount) -> Result<(), RealizeError> {
    for definition in &loaded.definitions {
        let [fs, mountpoint, option] = definition.path.as_slice() else {
            continue;
        };
        if fs != "fileSystems" || *mountpoint != mount.mountpoint {
            continue;
        }
        let disko_value = match option.as_str() {
            "options" => {
                let options = strings(&definition.value).ok_or_else(|| {
                    invalid(
                        loaded,
                        &definition.path,
                        "must be a list of non-empty strings",
                    )
                })?;
                mount.options.extend(options);
                continue;
            }
            "device" => &mount.device,
            "fsType" => &mount.fs_type,
            _ => continue,
        };
        if definition.value.as_str() != Some(disko_value) {
            return Err(RealizeError::Conflict {
                option: show_option(&definition.path),
                first_file: "disko's _config".into(),
                first_value: nix_value(&Value::from(disko_value.clone())),
                second_file: definition.file.display().to_string(),
                second_value: nix_value(&definition.value),
            });
        }
    }
    Ok(())
}

/// A file system disko does not mount: a special one, or one on a partition of the layout.
fn added(disk: &Disk, mountpoint: &str, entry: &Value) -> Result<Mount, String> {
    let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
    let fs_type = text("fsType").unwrap_or_else(|| "auto".into());
    let device = text("device").unwrap_or_else(|| fs_type.clone());
    let on_layout = disk
        .partitions
        .iter()
        .any(|p| disk.partition_device(p) == device);
    if !SPECIAL.contains(&fs_type.as_str()) && !on_layout {
        return Err(format!(
            "its device `{device}` is not a disk of the VM, which has only the layout's"
        ));
    }
    Ok(Mount {
        device,
        mountpoint: mountpoint.to_owned(),
        fs_type,
        options: entry.get("options").and_then(strings).unwrap_or_default(),
    })
}

fn strings(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|item| {
            item.as_str()
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
        })
        .collect()
}

/// The options of `/` without the userspace `x-*` ones, which NixOS's stage 1 filters out
/// before it mounts the root (stage-1-init.sh, `mountFS`).
fn root_options(loaded: &Loaded, mounts: &[Mount]) -> Result<Vec<String>, RealizeError> {
    let root = mounts
        .iter()
        .find(|mount| mount.mountpoint == "/")
        .ok_or_else(|| invalid(loaded, &path(&["disko", "devices"]), "mount nothing on /"))?;
    Ok(root
        .options
        .iter()
        .filter(|option| !option.starts_with("x-"))
        .cloned()
        .collect())
}

/// One swap device as its fstab line needs it.
struct Swap {
    device: String,
    options: Vec<String>,
    priority: Option<i64>,
    discard_policy: Option<String>,
}

/// disko's swap partitions, then `swapDevices`; a swap file with a size gets the unit that
/// creates it, as swap.nix's `mkswap-<device>` does.
fn swaps(loaded: &Loaded, disk: &Disk, part: &mut Part) -> Vec<Swap> {
    let mut swaps: Vec<Swap> = disk
        .swaps()
        .into_iter()
        .map(|(device, swap)| Swap {
            device,
            options: or_defaults(swap.mount_options.clone()),
            priority: swap.priority,
            discard_policy: swap.discard_policy.clone(),
        })
        .collect();
    let devices = loaded.at("swapDevices").and_then(Value::as_array);
    for entry in devices.into_iter().flatten() {
        let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
        let Some(device) = text("device") else {
            part.not_realized.push(NotRealized {
                option: "swapDevices".into(),
                file: loaded.defined_in(&path(&["swapDevices"])),
                why: "a swap device given by label only has no device in the VM".into(),
            });
            continue;
        };
        if let Some(size) = entry.get("size").and_then(Value::as_i64) {
            create_swap_file(part, &device, size);
        }
        swaps.push(Swap {
            device,
            options: or_defaults(entry.get("options").and_then(strings).unwrap_or_default()),
            priority: entry.get("priority").and_then(Value::as_i64),
            discard_policy: text("discardPolicy"),
        });
    }
    swaps
}

fn or_defaults(options: Vec<String>) -> Vec<String> {
    if options.is_empty() {
        vec!["defaults".into()]
    } else {
        options
    }
}

/// swap.nix's `mkswap-<device>` unit: a file of `size` MiB, made swap before it is used
/// (No_COW first, which Btrfs needs of a swap file).
fn create_swap_file(part: &mut Part, device: &str, size_mib: i64) {
    let name = escape_path(device);
    let unit = format!("mkswap-{name}.service");
    let file = quote(device);
    let script = format!(
        "if [ ! -f {file} ] || [ \"$(stat -c %s {file})\" != \"{bytes}\" ]; then \
         rm -f {file}; mkdir -p \"$(dirname {file})\"; truncate --size 0 {file}; \
         chattr +C {file} 2>/dev/null || true; fallocate -l {size_mib}M {file}; \
         chmod 0600 {file}; mkswap {file}; fi",
        bytes = size_mib * 1024 * 1024
    );
    part.file(
        &format!("/etc/systemd/system/{unit}"),
        format!(
            "[Unit]\nDescription=Initialisation of swap device {device}\n\
             DefaultDependencies=no\nBefore={name}.swap\nRequiresMountsFor={device}\n\n\
             [Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c {}\n",
            quote(&script)
        ),
    );
    let wants = format!("/etc/systemd/system/{name}.swap.wants");
    part.activation.push(format!(
        "mkdir -p {wants} && ln -sf ../{unit} {wants}/{unit}"
    ));
}

/// `systemd-escape --path`: `/home/swapfile` is `home-swapfile`.
pub fn escape_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    let mut escaped = String::new();
    for (index, c) in trimmed.chars().enumerate() {
        match c {
            '/' => escaped.push('-'),
            '.' if index == 0 => escaped.push_str("\\x2e"),
            c if c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.') => escaped.push(c),
            c => {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    escaped.push_str(&format!("\\x{byte:02x}"));
                }
            }
        }
    }
    if escaped.is_empty() {
        "-".into()
    } else {
        escaped
    }
}

/// The fstab NixOS writes for these file systems and swap devices.
fn fstab(mounts: &[Mount], swaps: &[Swap]) -> String {
    let mut text = crate::backend::debian::install::fstab(mounts);
    for swap in swaps {
        let mut options = swap.options.clone();
        options.extend(swap.priority.map(|p| format!("pri={p}")));
        options.extend(
            swap.discard_policy
                .as_ref()
                .map(|policy| match policy.as_str() {
                    "both" => "discard".to_owned(),
                    other => format!("discard={other}"),
                }),
        );
        text.push_str(&format!(
            "{} none swap {}\n",
            swap.device,
            options.join(",")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_escape_as_systemd_escapes_them() {
        assert_eq!(escape_path("/home/swapfile"), "home-swapfile");
        assert_eq!(
            escape_path("/.swapvol/swap file"),
            "\\x2eswapvol-swap\\x20file"
        );
        assert_eq!(escape_path("/"), "-");
    }
}
