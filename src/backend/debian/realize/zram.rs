//! `/etc/systemd/zram-generator.conf` as zram.nix writes it (through NixOS's zram-generator
//! module, with `pkgs.formats.ini`): one `[zramN]` section per device, none when zram is off.
//! An empty file still goes in, so Debian's default `[zram0]` never applies.

use std::collections::BTreeMap;

use super::{NotRealized, Part, ZRAM_GENERATOR_CONF};
use crate::scenario::Loaded;

/// The `zramSwap` options realized; `writebackDevice` needs a second disk the VM lacks.
pub const OPTIONS: [&str; 6] = [
    "enable",
    "memoryPercent",
    "memoryMax",
    "algorithm",
    "priority",
    "swapDevices",
];

/// The zramSwap options as the configuration has them (zram.nix's defaults included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZramSwap {
    pub enable: bool,
    pub swap_devices: i64,
    pub memory_percent: i64,
    pub memory_max: Option<i64>,
    pub algorithm: String,
    pub priority: i64,
}

pub fn realize(loaded: &Loaded) -> Part {
    let get = |key: &str| loaded.at(&format!("zramSwap.{key}")).cloned();
    let int = |key: &str, default: i64| get(key).and_then(|v| v.as_i64()).unwrap_or(default);
    let zram = ZramSwap {
        enable: get("enable").and_then(|v| v.as_bool()).unwrap_or(false),
        swap_devices: int("swapDevices", 1),
        memory_percent: int("memoryPercent", 50),
        memory_max: get("memoryMax").and_then(|v| v.as_i64()),
        algorithm: get("algorithm")
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "zstd".into()),
        priority: int("priority", 5),
    };
    let mut part = Part::default();
    part.file(ZRAM_GENERATOR_CONF, zram_generator_conf(&zram));
    if zram.enable && get("writebackDevice").is_some_and(|v| !v.is_null()) {
        part.not_realized.push(NotRealized {
            option: "zramSwap.writebackDevice".into(),
            file: loaded.defined_in(&["zramSwap".into(), "writebackDevice".into()]),
            why: "the VM has no second disk to write back to".into(),
        });
    }
    part
}

/// The file; empty when zram is off (NixOS writes none then).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zram_sections_follow_the_ini_generator() {
        let zram = ZramSwap {
            enable: true,
            swap_devices: 2,
            memory_percent: 50,
            memory_max: Some(1_073_741_824),
            algorithm: "zstd".into(),
            priority: 5,
        };
        assert_eq!(
            zram_generator_conf(&zram),
            "[zram0]\ncompression-algorithm=zstd\nswap-priority=5\n\
             zram-size=min(50 / 100 * ram, 1073741824 / 1024 / 1024)\n\n\
             [zram1]\ncompression-algorithm=zstd\nswap-priority=5\n\
             zram-size=min(50 / 100 * ram, 1073741824 / 1024 / 1024)\n"
        );
        let off = ZramSwap {
            enable: false,
            ..zram
        };
        assert_eq!(zram_generator_conf(&off), "");
    }
}
