//! The files NixOS 25.05 writes under `/etc` for the options the Debian backend realizes,
//! rendered for the Debian guest: what NixOS itself adds to those options, and how it writes
//! them, transcribed from nixpkgs so the guest gets what NixOS would write.
//!
//! Read in NixOS/nixpkgs (release-25.05 content; the stored versions were these commits):
//! - `nixos/modules/config/nix.nix` @ 013635633ffe11f70df1d639f563f21c42c1f778: the
//!   `nix.settings` option defaults, `trusted-public-keys`, `trusted-users`,
//!   `substituters = mkAfter [ "https://cache.nixos.org/" ]`, `system-features = mkDefault`,
//!   and the nix.conf text (header, `mkKeyValue`, `extra-*` keys last, `extraOptions`).
//! - `nixos/modules/config/nix-remote-build.nix` @ 082d7bfc0ee52105bbb19d5035eae68608ebd242:
//!   `builders = null` unless `nix.distributedBuilds`.
//! - `nixos/modules/services/system/nix-daemon.nix` @ 025640dcb7270faa6fe80089fda831b89f3824a9:
//!   `sandbox-fallback = false` for Nix >= 2.3.
//! - `nixos/modules/config/zram.nix` and `services/system/zram-generator.nix`: the
//!   `[zramN]` sections, written with `pkgs.formats.ini { }` (= `lib.generators.toINI { }`).
//! - `nixos/modules/config/sysctl.nix`: `60-nixos.conf` lines and its own two `mkDefault`s.
//!
//! Not included: sysctls other modules set by default (`kernel.printk` from kernel.nix,
//! `net.ipv4.ping_group_range` and friends from network-interfaces.nix, `kernel.core_pattern`
//! from coredump.nix): they describe NixOS's userland, not the guide's optimizations.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::realize::RealizeError;
use crate::scenario::merge::nix_value;

const REMOTE_BUILD_NIX: &str = "<nixpkgs>/nixos/modules/config/nix-remote-build.nix";
const NIX_DAEMON_NIX: &str = "<nixpkgs>/nixos/modules/services/system/nix-daemon.nix";

/// The key of cache.nixos.org, which nix.nix trusts by default.
pub const CACHE_NIXOS_ORG_KEY: &str =
    "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";

/// `nix.settings` values any definition replaces: option defaults, and `system-features`,
/// which nix.nix sets with `mkDefault` (`gccarch-*` only when the platform sets `gcc.arch`).
fn replaceable_nix_settings() -> [(&'static str, Value); 9] {
    [
        ("allowed-users", json!(["*"])),
        ("auto-optimise-store", json!(false)),
        ("cores", json!(0)),
        ("extra-sandbox-paths", json!([])),
        ("max-jobs", json!("auto")),
        ("require-sigs", json!(true)),
        ("sandbox", json!(true)),
        (
            "system-features",
            json!(["nixos-test", "benchmark", "big-parallel", "kvm"]),
        ),
        ("trusted-substituters", json!([])),
    ]
}

/// `nix.settings` after NixOS's own definitions are merged with the user's.
/// `file_of` names the module that set a user key, for conflicts.
pub fn nix_settings(
    user: &BTreeMap<String, Value>,
    file_of: &dyn Fn(&str) -> String,
) -> Result<BTreeMap<String, Value>, RealizeError> {
    let mut settings = user.clone();
    for (key, value) in replaceable_nix_settings() {
        settings.entry(key.to_owned()).or_insert(value);
    }
    // nixpkgs' modules come before the user's, so their list items come first...
    prepend(
        &mut settings,
        "trusted-public-keys",
        CACHE_NIXOS_ORG_KEY,
        file_of,
    )?;
    prepend(&mut settings, "trusted-users", "root", file_of)?;
    // ...except what nix.nix defines with mkAfter.
    let substituters = list(&settings, "substituters", file_of)?;
    let substituters = [substituters, vec![json!("https://cache.nixos.org/")]].concat();
    settings.insert("substituters".into(), Value::Array(substituters));
    define(
        &mut settings,
        "builders",
        Value::Null,
        REMOTE_BUILD_NIX,
        file_of,
    )?;
    define(
        &mut settings,
        "sandbox-fallback",
        json!(false),
        NIX_DAEMON_NIX,
        file_of,
    )?;
    Ok(settings)
}

fn prepend(
    settings: &mut BTreeMap<String, Value>,
    key: &str,
    item: &str,
    file_of: &dyn Fn(&str) -> String,
) -> Result<(), RealizeError> {
    let items = [vec![json!(item)], list(settings, key, file_of)?].concat();
    settings.insert(key.to_owned(), Value::Array(items));
    Ok(())
}

fn list(
    settings: &BTreeMap<String, Value>,
    key: &str,
    file_of: &dyn Fn(&str) -> String,
) -> Result<Vec<Value>, RealizeError> {
    match settings.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Ok(items.clone()),
        Some(_) => Err(RealizeError::Invalid {
            option: format!("nix.settings.{key}"),
            file: file_of(key),
            message: "must be a list of strings (NixOS declares it `listOf str`)".into(),
        }),
    }
}

/// A scalar NixOS defines at normal priority: a different user value is a conflict.
fn define(
    settings: &mut BTreeMap<String, Value>,
    key: &str,
    value: Value,
    source: &str,
    file_of: &dyn Fn(&str) -> String,
) -> Result<(), RealizeError> {
    match settings.get(key) {
        Some(user) if *user != value => Err(RealizeError::Conflict {
            option: format!("nix.settings.{key}"),
            first_file: source.to_owned(),
            first_value: nix_value(&value),
            second_file: file_of(key),
            second_value: nix_value(user),
        }),
        _ => {
            settings.insert(key.to_owned(), value);
            Ok(())
        }
    }
}

/// `/etc/nix/nix.conf` as nix.nix writes it; `extraOptions` is empty.
pub fn nix_conf(settings: &BTreeMap<String, Value>) -> String {
    // extra-* after the rest: the workaround nix.nix carries for NixOS/nix#9487.
    let (extra, plain): (Vec<_>, Vec<_>) = settings
        .iter()
        .partition(|(key, _)| key.starts_with("extra-"));
    format!(
        "# WARNING: this file is generated from the nix.* options in\n\
         # your NixOS configuration, typically\n\
         # /etc/nixos/configuration.nix.  Do not edit it!\n\
         {}\n{}\n\n",
        key_values(&plain),
        key_values(&extra)
    )
}

fn key_values(pairs: &[(&String, &Value)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{} = {}", key.replace('=', "\\="), nix_conf_value(value)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// nix.nix's `mkValueString`: bools as true/false, null empty, lists through `toString`.
fn nix_conf_value(value: &Value) -> String {
    match value {
        Value::Bool(flag) => flag.to_string(),
        other => to_string(other),
    }
}

/// Nix's `toString`: true is "1", false and null are "", lists join with spaces.
fn to_string(value: &Value) -> String {
    match value {
        Value::Null | Value::Bool(false) => String::new(),
        Value::Bool(true) => "1".into(),
        Value::String(text) => text.clone(),
        Value::Number(number) if number.is_f64() => {
            format!("{:.6}", number.as_f64().unwrap_or_default())
        }
        Value::Number(number) => number.to_string(),
        Value::Array(items) => items.iter().map(to_string).collect::<Vec<_>>().join(" "),
        Value::Object(_) => nix_value(value),
    }
}

/// The zramSwap options, with zram.nix's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZramSwap {
    pub enable: bool,
    pub swap_devices: i64,
    pub memory_percent: i64,
    pub memory_max: Option<i64>,
    pub algorithm: String,
    pub priority: i64,
}

impl Default for ZramSwap {
    fn default() -> Self {
        ZramSwap {
            enable: false,
            swap_devices: 1,
            memory_percent: 50,
            memory_max: None,
            algorithm: "zstd".into(),
            priority: 5,
        }
    }
}

/// `/etc/systemd/zram-generator.conf`; empty when zram is off (NixOS writes none then).
pub fn zram_generator_conf(zram: &ZramSwap) -> String {
    if !zram.enable {
        return String::new();
    }
    let size = format!("{} / 100 * ram", zram.memory_percent);
    let size = match zram.memory_max {
        Some(max) => format!("min({size}, {max} / 1024 / 1024)"),
        None => size,
    };
    // listToAttrs: sections come out in attribute-name order (zram10 before zram2).
    let sections: BTreeMap<String, String> = (0..zram.swap_devices.max(0))
        .map(|n| {
            let body = format!(
                "compression-algorithm={}\nswap-priority={}\nzram-size={size}\n",
                zram.algorithm, zram.priority
            );
            (format!("zram{n}"), body)
        })
        .collect();
    sections
        .iter()
        .map(|(name, body)| format!("[{name}]\n{body}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// sysctl.nix's own defaults, both `mkDefault`: any definition replaces them.
/// (`net.core.rmem_max` and `wmem_max` default to null, which writes nothing.)
fn sysctl_defaults() -> [(&'static str, Value); 2] {
    [
        ("kernel.kptr_restrict", json!(1)),
        ("vm.max_map_count", json!(1_048_576)),
    ]
}

/// `/etc/sysctl.d/60-nixos.conf`: `key=value` lines, false as 0, null left out.
pub fn sysctl_conf(user: &BTreeMap<String, Value>) -> String {
    let mut sysctl = user.clone();
    for (key, value) in sysctl_defaults() {
        sysctl.entry(key.to_owned()).or_insert(value);
    }
    sysctl
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| match value {
            Value::Bool(false) => format!("{key}=0\n"),
            other => format!("{key}={}\n", to_string(other)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_file(_: &str) -> String {
        "module.nix".into()
    }

    fn settings(value: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn user_substituters_go_ahead_of_the_default_cache_and_duplicates_stay() {
        let user = settings(json!({
            "substituters": ["https://cache.nixos.org"],
            "trusted-public-keys": [CACHE_NIXOS_ORG_KEY],
        }));
        let merged = nix_settings(&user, &no_file).unwrap();
        assert_eq!(
            merged["substituters"],
            json!(["https://cache.nixos.org", "https://cache.nixos.org/"])
        );
        assert_eq!(
            merged["trusted-public-keys"],
            json!([CACHE_NIXOS_ORG_KEY, CACHE_NIXOS_ORG_KEY])
        );
    }

    #[test]
    fn option_defaults_are_replaced_not_merged() {
        let user = settings(json!({"allowed-users": ["@wheel"], "max-jobs": 4}));
        let merged = nix_settings(&user, &no_file).unwrap();
        assert_eq!(merged["allowed-users"], json!(["@wheel"]));
        assert_eq!(merged["max-jobs"], json!(4));
    }

    #[test]
    fn a_user_value_against_a_nixos_definition_is_a_conflict() {
        let user = settings(json!({"sandbox-fallback": true}));
        let err = nix_settings(&user, &no_file).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("nix-daemon.nix") && text.contains("module.nix"),
            "{text}"
        );
    }

    #[test]
    fn nix_conf_renders_like_nix_nix() {
        let conf = nix_conf(&settings(json!({
            "b": [true, false, null, 1, "x"], "a=b": null, "extra-z": [], "c": 0.5, "d": false,
        })));
        assert_eq!(
            conf,
            "# WARNING: this file is generated from the nix.* options in\n\
             # your NixOS configuration, typically\n\
             # /etc/nixos/configuration.nix.  Do not edit it!\n\
             a\\=b = \nb = 1   1 x\nc = 0.500000\nd = false\nextra-z = \n\n"
        );
    }

    #[test]
    fn zram_sections_follow_the_ini_generator() {
        let zram = ZramSwap {
            enable: true,
            swap_devices: 2,
            memory_max: Some(1_073_741_824),
            ..ZramSwap::default()
        };
        assert_eq!(
            zram_generator_conf(&zram),
            "[zram0]\ncompression-algorithm=zstd\nswap-priority=5\n\
             zram-size=min(50 / 100 * ram, 1073741824 / 1024 / 1024)\n\n\
             [zram1]\ncompression-algorithm=zstd\nswap-priority=5\n\
             zram-size=min(50 / 100 * ram, 1073741824 / 1024 / 1024)\n"
        );
        assert_eq!(zram_generator_conf(&ZramSwap::default()), "");
    }

    #[test]
    fn sysctl_writes_false_as_zero_and_leaves_null_out() {
        let conf = sysctl_conf(&settings(json!({
            "net.ipv4.ip_forward": false, "vm.max_map_count": null, "kernel.x": "1 2",
        })));
        assert_eq!(
            conf,
            "kernel.kptr_restrict=1\nkernel.x=1 2\nnet.ipv4.ip_forward=0\n"
        );
    }
}
