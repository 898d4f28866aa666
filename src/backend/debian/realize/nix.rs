//! `/etc/nix/nix.conf` as nix.nix writes it from `nix.settings` (NixOS's own values
//! included by the evaluator) and `nix.extraOptions`: a header, `key = value` lines with the
//! `extra-*` ones last, then the extra options.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{invalid, path, Part, RealizeError, NIX_CONF};
use crate::scenario::show::nix_value;
use crate::scenario::Loaded;

pub fn realize(loaded: &Loaded) -> Result<Part, RealizeError> {
    let settings: BTreeMap<String, Value> = loaded
        .at("nix.settings")
        .and_then(Value::as_object)
        .map(|map| map.clone().into_iter().collect())
        .unwrap_or_default();
    for (key, value) in &settings {
        if !conf_value(value) {
            return Err(invalid(
                loaded,
                &path(&["nix", "settings", key]),
                "must be null, a bool, int, float or string, or a list of those",
            ));
        }
    }
    let extra = loaded
        .at("nix.extraOptions")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut part = Part::default();
    part.file(NIX_CONF, nix_conf(&settings, extra));
    Ok(part)
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

/// The file: the `extra-*` settings after the rest, the workaround nix.nix carries for
/// NixOS/nix#9487.
pub fn nix_conf(settings: &BTreeMap<String, Value>, extra_options: &str) -> String {
    let (extra, plain): (Vec<_>, Vec<_>) = settings
        .iter()
        .partition(|(key, _)| key.starts_with("extra-"));
    format!(
        "# WARNING: this file is generated from the nix.* options in\n\
         # your NixOS configuration, typically\n\
         # /etc/nixos/configuration.nix.  Do not edit it!\n\
         {}\n{}\n{extra_options}\n",
        key_values(&plain),
        key_values(&extra)
    )
}

fn key_values(pairs: &[(&String, &Value)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{} = {}", key.replace('=', "\\="), conf_string(value)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// nix.nix's `mkValueString`: bools as true/false, null empty, lists through `toString`.
fn conf_string(value: &Value) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_render_as_nix_nix_renders_them() {
        let settings: BTreeMap<String, Value> = serde_json::from_value(json!({
            "b": [true, false, null, 1, "x"], "a=b": null, "extra-z": [], "c": 0.5, "d": false,
        }))
        .unwrap();
        assert_eq!(
            nix_conf(&settings, ""),
            "# WARNING: this file is generated from the nix.* options in\n\
             # your NixOS configuration, typically\n\
             # /etc/nixos/configuration.nix.  Do not edit it!\n\
             a\\=b = \nb = 1   1 x\nc = 0.500000\nd = false\nextra-z = \n\n"
        );
        assert!(nix_conf(&settings, "keep-outputs = true\n")
            .ends_with("extra-z = \nkeep-outputs = true\n\n"));
    }
}
