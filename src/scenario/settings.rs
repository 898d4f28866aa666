//! What a scenario's own modules set, in the terms the facts show it: a mount option on a
//! mount point, a Nix setting, a sysctl, zram swap. Derived from the definitions, so a new
//! module that sets a known option is read like the project's own, with no Rust change; an
//! option the facts cannot show is not a setting here.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::show::{nix_value, show_option};
use super::{Definition, Loaded};

/// One thing a module sets, as a reader knows it, and where the facts show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// `compress=zstd:1 on /`, `nix.settings.cores = 0`.
    pub option: String,
    pub lookup: Lookup,
}

/// Where a setting shows in the facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Lookup {
    /// An option among a mount's options.
    MountOption { mountpoint: String, option: String },
    /// A `nix show-config` setting.
    Nix { key: String },
    /// A `nix show-config` list, compared as the set Nix acts on.
    NixSet { key: String },
    /// A sysctl value.
    Sysctl { key: String },
    /// The zram swap devices.
    ZramSwap,
}

/// The settings of the scenario's own modules (not the machine's), in definition order.
pub fn of(loaded: &Loaded) -> Vec<Setting> {
    with_files(loaded)
        .into_iter()
        .map(|(setting, _)| setting)
        .collect()
}

/// [`of`], each setting with the file that sets it (zram's: the first of its options').
pub fn with_files(loaded: &Loaded) -> Vec<(Setting, PathBuf)> {
    let own = loaded.definitions.iter().filter(|d| !d.by_machine);
    let mut settings = Vec::new();
    let mut zram = Vec::new();
    let mut zram_file = None;
    for definition in own {
        let path: Vec<&str> = definition.path.iter().map(String::as_str).collect();
        let mut found = Vec::new();
        match path.as_slice() {
            ["zramSwap", option] => {
                zram.push(format!("{option} = {}", nix_value(&definition.value)));
                zram_file.get_or_insert_with(|| definition.file.clone());
            }
            ["nix", "settings", key] => found.push(nix_setting(definition, key)),
            ["boot", "kernel", "sysctl", key] => found.push(Setting {
                option: shown(definition),
                lookup: Lookup::Sysctl {
                    key: (*key).to_owned(),
                },
            }),
            ["fileSystems", mountpoint, "options"] => {
                found.extend(mount_options(mountpoint, &definition.value))
            }
            ["disko", .., "mountOptions"] => {
                let parent = &definition.path[..definition.path.len() - 1];
                let mountpoint = loaded
                    .get(&[parent, &["mountpoint".to_owned()]].concat())
                    .and_then(Value::as_str);
                if let Some(mountpoint) = mountpoint {
                    found.extend(mount_options(mountpoint, &definition.value));
                }
            }
            _ => {}
        }
        settings.extend(found.into_iter().map(|s| (s, definition.file.clone())));
    }
    // zram's options describe one thing, the swap device: one setting, as the module reads.
    if let Some(file) = zram_file {
        let setting = Setting {
            option: format!("zramSwap.{}", zram.join("; ")),
            lookup: Lookup::ZramSwap,
        };
        settings.push((setting, file));
    }
    settings
}

fn shown(definition: &Definition) -> String {
    format!(
        "{} = {}",
        show_option(&definition.path),
        nix_value(&definition.value)
    )
}

/// A list shows as its option: the facts compare it as a set, not item by item.
fn nix_setting(definition: &Definition, key: &str) -> Setting {
    let key = key.to_owned();
    match definition.value {
        Value::Array(_) => Setting {
            option: show_option(&definition.path),
            lookup: Lookup::NixSet { key },
        },
        _ => Setting {
            option: shown(definition),
            lookup: Lookup::Nix { key },
        },
    }
}

fn mount_options(mountpoint: &str, options: &Value) -> Vec<Setting> {
    options
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|option| Setting {
            option: format!("{option} on {mountpoint}"),
            lookup: Lookup::MountOption {
                mountpoint: mountpoint.to_owned(),
                option: option.to_owned(),
            },
        })
        .collect()
}
