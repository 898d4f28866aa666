//! Realization for the Debian backend: from an evaluated scenario, the files the guest needs,
//! written as NixOS 25.05 would write them (see [`super::etc`]), for a closed list of
//! options; any other option is refused with its full path and its file.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::etc::{self, ZramSwap};
use super::install;
use crate::disko::{self, Disk, LayoutError, Mount};
use crate::scenario::merge::show_option;
use crate::scenario::{Definition, Loaded};

/// The option paths the Debian backend realizes; everything else is refused.
pub const REALIZED_OPTIONS: &str = "disko.devices.*, fileSystems.<mountpoint>.options, \
     nix.settings.*, zramSwap.{enable,memoryPercent,memoryMax,algorithm,priority,swapDevices}, \
     boot.kernel.sysctl.*";

/// Why a scenario cannot run on the Debian guest.
#[derive(Debug, thiserror::Error)]
pub enum RealizeError {
    #[error(
        "{file}: the option `{option}` is not realized by the debian backend \
         (it realizes {REALIZED_OPTIONS})"
    )]
    Unsupported { option: String, file: String },

    /// A realized option with a value NixOS's type for it would refuse.
    #[error("{file}: the option `{option}` {message}")]
    Invalid {
        option: String,
        file: String,
        message: String,
    },

    /// A value the user sets against one NixOS defines itself.
    #[error(
        "the option `{option}` has conflicting definition values: {first_value} in {first_file} \
         and {second_value} in {second_file}"
    )]
    Conflict {
        option: String,
        first_file: String,
        first_value: String,
        second_file: String,
        second_value: String,
    },

    #[error("the scenario's disko layout cannot be installed: {0}")]
    Layout(#[from] LayoutError),
}

pub const FSTAB: &str = "/etc/fstab";
pub const NIX_CONF: &str = "/etc/nix/nix.conf";
pub const ZRAM_GENERATOR_CONF: &str = "/etc/systemd/zram-generator.conf";
pub const SYSCTL_CONF: &str = "/etc/sysctl.d/60-nixos.conf";

const ZRAM_OPTIONS: [&str; 6] = [
    "enable",
    "memoryPercent",
    "memoryMax",
    "algorithm",
    "priority",
    "swapDevices",
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

/// What the guest needs for a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Realized {
    pub scenario: String,
    /// Guest path to content.
    pub files: BTreeMap<String, String>,
    /// The options that mount `/`, for the kernel's `rootflags=`.
    pub root_options: Vec<String>,
    /// The merged disko layout the guest is installed on.
    pub disk: Disk,
}

/// Checks the scenario against the closed list and writes its files.
pub fn realize(loaded: &Loaded) -> Result<Realized, RealizeError> {
    for definition in &loaded.definitions {
        check_closed(definition)?;
    }
    let disk = disko::read(&loaded.config)?;
    let mounts = mounts(loaded, &disk)?;
    let root_options = root_options(loaded, &mounts)?;
    let files = BTreeMap::from([
        (FSTAB.to_owned(), install::fstab(&mounts)),
        (NIX_CONF.to_owned(), nix_conf(loaded)?),
        (ZRAM_GENERATOR_CONF.to_owned(), zram_conf(loaded)?),
        (SYSCTL_CONF.to_owned(), sysctl_conf(loaded)?),
    ]);
    Ok(Realized {
        scenario: loaded.scenario.name.clone(),
        files,
        root_options,
        disk,
    })
}

fn check_closed(definition: &Definition) -> Result<(), RealizeError> {
    // An empty attribute set defines nothing (fileSystems entries are checked later).
    let empty = definition
        .value
        .as_object()
        .is_some_and(|map| map.is_empty());
    if empty || realized(&definition.path) {
        return Ok(());
    }
    Err(RealizeError::Unsupported {
        option: show_option(&definition.path),
        file: definition.file.display().to_string(),
    })
}

fn realized(path: &[String]) -> bool {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    match path.as_slice() {
        ["disko", "devices", _, ..] => true,
        ["fileSystems", _, "options"] => true,
        ["nix", "settings", _] => true,
        ["zramSwap", option] => ZRAM_OPTIONS.contains(option),
        ["boot", "kernel", "sysctl", _] => true,
        _ => false,
    }
}

/// disko's mounts with NixOS's additions: `x-initrd.mount` on what stage 1 mounts (from
/// filesystems.nix's own definition, which comes first), then `fileSystems.<mp>.options`
/// concatenated after disko's, duplicates kept, as the module system does.
fn mounts(loaded: &Loaded, disk: &Disk) -> Result<Vec<Mount>, RealizeError> {
    let mut mounts = disk.mounts();
    for mount in &mut mounts {
        if NEEDED_FOR_BOOT.contains(&mount.mountpoint.as_str()) {
            mount.options.insert(0, "x-initrd.mount".into());
        }
    }
    for (mountpoint, options) in user_mount_options(loaded)? {
        let Some(mount) = mounts.iter_mut().find(|m| m.mountpoint == mountpoint) else {
            let path = ["fileSystems".to_owned(), mountpoint];
            return Err(invalid(
                loaded,
                &path,
                "is not a mount point of the disko layout, so NixOS would have no device for it",
            ));
        };
        mount.options.extend(options);
    }
    Ok(mounts)
}

fn user_mount_options(loaded: &Loaded) -> Result<BTreeMap<String, Vec<String>>, RealizeError> {
    let Some(file_systems) = loaded.config.get("fileSystems") else {
        return Ok(BTreeMap::new());
    };
    let entries = file_systems
        .as_object()
        .ok_or_else(|| invalid(loaded, &["fileSystems".into()], "must be an attribute set"))?;
    let mut found = BTreeMap::new();
    for (mountpoint, entry) in entries {
        let path = [
            "fileSystems".to_owned(),
            mountpoint.clone(),
            "options".into(),
        ];
        let options = match entry.get("options") {
            None => Vec::new(),
            Some(options) => strings(options)
                .ok_or_else(|| invalid(loaded, &path, "must be a list of non-empty strings"))?,
        };
        found.insert(mountpoint.clone(), options);
    }
    Ok(found)
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
        .ok_or_else(|| {
            invalid(
                loaded,
                &["disko".into(), "devices".into()],
                "mount nothing on /",
            )
        })?;
    Ok(root
        .options
        .iter()
        .filter(|option| !option.starts_with("x-"))
        .cloned()
        .collect())
}

fn nix_conf(loaded: &Loaded) -> Result<String, RealizeError> {
    let prefix = ["nix", "settings"];
    let user = attrs(loaded, &prefix)?;
    for (key, value) in &user {
        if !conf_value(value) {
            return Err(invalid(
                loaded,
                &path_of(&prefix, key),
                "must be null, a bool, int, float or string, or a list of those",
            ));
        }
    }
    let file_of = |key: &str| loaded.defined_in(&path_of(&prefix, key));
    Ok(etc::nix_conf(&etc::nix_settings(&user, &file_of)?))
}

/// nix.nix's `semanticConfType`: an atom or a list of atoms.
fn conf_value(value: &Value) -> bool {
    match value {
        Value::Array(items) => items
            .iter()
            .all(|item| !item.is_array() && !item.is_object()),
        Value::Object(_) => false,
        _ => true,
    }
}

fn zram_conf(loaded: &Loaded) -> Result<String, RealizeError> {
    let prefix = ["zramSwap"];
    let options = attrs(loaded, &prefix)?;
    let mut zram = ZramSwap::default();
    for (key, value) in &options {
        let wrong = |expected: &str| invalid(loaded, &path_of(&prefix, key), expected);
        match key.as_str() {
            "enable" => zram.enable = value.as_bool().ok_or_else(|| wrong("must be a bool"))?,
            "swapDevices" => {
                zram.swap_devices = int(value).ok_or_else(|| wrong("must be an int"))?
            }
            "memoryPercent" => {
                zram.memory_percent = int(value).ok_or_else(|| wrong("must be an int"))?
            }
            "memoryMax" if value.is_null() => zram.memory_max = None,
            "memoryMax" => {
                zram.memory_max = Some(int(value).ok_or_else(|| wrong("must be null or an int"))?)
            }
            "algorithm" => {
                zram.algorithm = value
                    .as_str()
                    .ok_or_else(|| wrong("must be a string"))?
                    .to_owned()
            }
            "priority" => zram.priority = int(value).ok_or_else(|| wrong("must be an int"))?,
            _ => {
                return Err(RealizeError::Unsupported {
                    option: show_option(&path_of(&prefix, key)),
                    file: loaded.defined_in(&path_of(&prefix, key)),
                })
            }
        }
    }
    Ok(etc::zram_generator_conf(&zram))
}

fn int(value: &Value) -> Option<i64> {
    value.as_i64()
}

fn sysctl_conf(loaded: &Loaded) -> Result<String, RealizeError> {
    let prefix = ["boot", "kernel", "sysctl"];
    let sysctl = attrs(loaded, &prefix)?;
    for (key, value) in &sysctl {
        let ok = match value {
            Value::Null | Value::Bool(_) | Value::String(_) => true,
            Value::Number(number) => number.is_i64() || number.is_u64(),
            _ => false,
        };
        if !ok {
            return Err(invalid(
                loaded,
                &path_of(&prefix, key),
                "must be a string, int, bool or null (NixOS's sysctl option type)",
            ));
        }
    }
    Ok(etc::sysctl_conf(&sysctl))
}

/// The merged attribute set at `prefix`, empty when no module sets it.
fn attrs(loaded: &Loaded, prefix: &[&str]) -> Result<BTreeMap<String, Value>, RealizeError> {
    let path: Vec<String> = prefix.iter().map(|part| (*part).to_owned()).collect();
    match loaded.get(&path) {
        None => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => Ok(map.clone().into_iter().collect()),
        Some(_) => Err(invalid(loaded, &path, "must be an attribute set")),
    }
}

fn path_of(prefix: &[&str], key: &str) -> Vec<String> {
    prefix
        .iter()
        .map(|part| (*part).to_owned())
        .chain([key.to_owned()])
        .collect()
}

fn invalid(loaded: &Loaded, path: &[String], message: &str) -> RealizeError {
    RealizeError::Invalid {
        option: show_option(path),
        file: loaded.defined_in(path),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Layer, Scenario};
    use serde_json::json;

    fn machine() -> Value {
        json!({"disko": {"devices": {"disk": {"main": {
        "type": "disk", "device": "/dev/vda",
        "content": {"type": "gpt", "partitions": {"root": {
            "size": "100%", "content": {"type": "btrfs", "subvolumes": {
                "/root": {"mountpoint": "/", "mountOptions": ["noatime"]},
                "/home": {"mountpoint": "/home", "mountOptions": ["noatime"]},
            }}}}}}}}}})
    }

    fn loaded(modules: &[Value]) -> Loaded {
        let layers: Vec<Layer> = std::iter::once(machine())
            .chain(modules.iter().cloned())
            .enumerate()
            .map(|(n, value)| Layer {
                file: format!("m{n}.nix").into(),
                value,
            })
            .collect();
        let scenario = Scenario {
            name: "test".into(),
            modules: Vec::new(),
            description: String::new(),
        };
        Loaded::from_layers(scenario, &layers).unwrap()
    }

    #[test]
    fn root_options_keep_user_options_and_drop_userspace_ones() {
        let scenario = loaded(&[json!({"fileSystems": {"/": {"options": ["discard=async"]}}})]);
        let realized = realize(&scenario).unwrap();
        assert_eq!(
            realized.root_options,
            ["noatime", "subvol=/root", "discard=async"]
        );
        assert!(realized.files[FSTAB]
            .contains(" / btrfs x-initrd.mount,noatime,subvol=/root,discard=async 0 0\n"));
        assert!(realized.files[FSTAB].contains(" /home btrfs noatime,subvol=/home 0 0\n"));
    }

    #[test]
    fn options_outside_the_closed_list_name_the_full_path_and_file() {
        let scenario = loaded(&[json!({"services": {"openssh": {"enable": true}}})]);
        let err = realize(&scenario).unwrap_err();
        assert!(
            matches!(&err, RealizeError::Unsupported { option, file }
                if option == "services.openssh.enable" && file == "m1.nix"),
            "{err}"
        );
    }

    #[test]
    fn zram_options_outside_the_list_are_refused() {
        let scenario = loaded(&[json!({"zramSwap": {"writebackDevice": "/dev/vdb"}})]);
        let err = realize(&scenario).unwrap_err();
        assert!(
            err.to_string().contains("zramSwap.writebackDevice"),
            "{err}"
        );
    }

    #[test]
    fn a_file_system_the_layout_does_not_mount_is_refused() {
        let scenario = loaded(&[json!({"fileSystems": {"/data": {"options": ["ro"]}}})]);
        let err = realize(&scenario).unwrap_err();
        assert!(
            matches!(&err, RealizeError::Invalid { option, .. } if option == "fileSystems.\"/data\""),
            "{err}"
        );
    }

    #[test]
    fn wrongly_typed_values_are_refused_with_their_file() {
        let scenario = loaded(&[json!({"zramSwap": {"enable": "yes"}})]);
        let err = realize(&scenario).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m1.nix: the option `zramSwap.enable` must be a bool"
        );
        let scenario = loaded(&[json!({"nix": {"settings": {"x": {"y": 1}}}})]);
        assert!(realize(&scenario).is_err());
    }
}
