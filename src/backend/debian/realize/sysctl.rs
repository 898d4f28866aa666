//! `/etc/sysctl.d/60-nixos.conf` as sysctl.nix writes it from `boot.kernel.sysctl` (its own
//! defaults included by the evaluator): `key=value` lines, false as 0, null left out.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{invalid, path, Part, RealizeError, SYSCTL_CONF};
use crate::scenario::Loaded;

pub fn realize(loaded: &Loaded) -> Result<Part, RealizeError> {
    let sysctl: BTreeMap<String, Value> = loaded
        .at("boot.kernel.sysctl")
        .and_then(Value::as_object)
        .map(|map| map.clone().into_iter().collect())
        .unwrap_or_default();
    for (key, value) in &sysctl {
        let ok = match value {
            Value::Null | Value::Bool(_) | Value::String(_) => true,
            Value::Number(number) => number.is_i64() || number.is_u64(),
            _ => false,
        };
        if !ok {
            return Err(invalid(
                loaded,
                &path(&["boot", "kernel", "sysctl", key]),
                "must be a string, int, bool or null (NixOS's sysctl option type)",
            ));
        }
    }
    let mut part = Part::default();
    part.file(SYSCTL_CONF, sysctl_conf(&sysctl));
    Ok(part)
}

pub fn sysctl_conf(sysctl: &BTreeMap<String, Value>) -> String {
    sysctl
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| match value {
            Value::Bool(false) => format!("{key}=0\n"),
            Value::Bool(true) => format!("{key}=1\n"),
            Value::String(text) => format!("{key}={text}\n"),
            other => format!("{key}={other}\n"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn false_is_zero_and_null_is_left_out() {
        let sysctl: BTreeMap<String, Value> = serde_json::from_value(json!({
            "net.ipv4.ip_forward": false, "vm.max_map_count": null, "kernel.x": "1 2",
        }))
        .unwrap();
        assert_eq!(
            sysctl_conf(&sysctl),
            "kernel.x=1 2\nnet.ipv4.ip_forward=0\n"
        );
    }
}
