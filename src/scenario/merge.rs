//! Merging evaluated modules the way the NixOS module system merges the option types they
//! use: lists concatenate in module order, attribute sets merge recursively, equal scalars
//! agree and different scalars are a conflict that names both files.
//!
//! Every option realized here lives in a submodule (`disko.devices`, `fileSystems.<name>`,
//! `nix.settings`, `boot.kernel.sysctl`) or is a scalar (`zramSwap`); inside a submodule
//! nixpkgs' `lib.evalModules` keeps definitions in module order, which is why "module order"
//! is the right order for lists (checked against nixpkgs lib 25.05, `lib/modules.nix`).

use std::path::PathBuf;

use serde_json::Value;

use super::error::ScenarioError;

/// One evaluated module: the file it came from and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub file: PathBuf,
    pub value: Value,
}

impl Layer {
    pub fn file_name(&self) -> String {
        self.file.display().to_string()
    }
}

/// Sysctls NixOS declares with `highestValueType`: conflicting values resolve to the highest
/// instead of failing (nixos/modules/config/sysctl.nix).
const HIGHEST_WINS: [&str; 2] = ["net.core.rmem_max", "net.core.wmem_max"];

/// Merges the layers in order; the first layer is the machine.
pub fn merge(layers: &[Layer]) -> Result<Value, ScenarioError> {
    let mut merged = Value::Object(serde_json::Map::new());
    for (index, layer) in layers.iter().enumerate() {
        let mut path = Vec::new();
        merge_value(&mut merged, &layer.value, &mut path)
            .map_err(|path| conflict(&layers[..index], layer, &path, &merged))?;
    }
    Ok(merged)
}

/// Merges `new` into `acc`; on a conflict, returns the option path where it happened.
fn merge_value(acc: &mut Value, new: &Value, path: &mut Vec<String>) -> Result<(), Vec<String>> {
    match (acc, new) {
        (Value::Object(acc), Value::Object(new)) => {
            for (key, value) in new {
                path.push(key.clone());
                match acc.get_mut(key) {
                    Some(existing) => merge_value(existing, value, path)?,
                    None => {
                        acc.insert(key.clone(), value.clone());
                    }
                }
                path.pop();
            }
            Ok(())
        }
        (Value::Array(acc), Value::Array(new)) => {
            acc.extend(new.iter().cloned());
            Ok(())
        }
        (acc, new) if *acc == *new => Ok(()),
        (acc, new) if highest_wins(path) => {
            *acc = highest(acc, new);
            Ok(())
        }
        _ => Err(path.clone()),
    }
}

fn highest_wins(path: &[String]) -> bool {
    matches!(path, [boot, kernel, sysctl, key]
        if boot == "boot" && kernel == "kernel" && sysctl == "sysctl"
            && HIGHEST_WINS.contains(&key.as_str()))
}

/// `foldl (a: b: if b.value == null then null else max a b.value)`: a later null wins.
fn highest(acc: &Value, new: &Value) -> Value {
    match (acc.as_u64(), new.as_u64()) {
        (Some(a), Some(b)) => Value::from(a.max(b)),
        _ => new.clone(),
    }
}

fn conflict(earlier: &[Layer], layer: &Layer, path: &[String], merged: &Value) -> ScenarioError {
    let first_file = earlier
        .iter()
        .find(|layer| lookup(&layer.value, path).is_some())
        .map_or_else(|| "an earlier module".to_owned(), Layer::file_name);
    ScenarioError::Conflict {
        option: show_option(path),
        first_file,
        first_value: lookup(merged, path).map_or_else(String::new, nix_value),
        second_file: layer.file_name(),
        second_value: lookup(&layer.value, path).map_or_else(String::new, nix_value),
    }
}

/// The value at an option path, if the module defines it.
pub fn lookup<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

/// The first layer that defines an option path: where the merged value came from.
pub fn defined_in(layers: &[Layer], path: &[String]) -> String {
    layers
        .iter()
        .find(|layer| lookup(&layer.value, path).is_some())
        .map_or_else(|| "the scenario".to_owned(), Layer::file_name)
}

/// An option path as NixOS shows it (`lib.options.showOption`): parts that are not plain
/// identifiers are quoted, as in `boot.kernel.sysctl."vm.swappiness"`.
pub fn show_option(path: &[String]) -> String {
    path.iter()
        .map(|part| escape_identifier(part))
        .collect::<Vec<_>>()
        .join(".")
}

fn escape_identifier(part: &str) -> String {
    let mut chars = part.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-'));
    if plain {
        part.to_owned()
    } else {
        nix_string(part)
    }
}

/// `lib.strings.escapeNixString`: JSON quoting with `$` escaped.
fn nix_string(text: &str) -> String {
    Value::from(text).to_string().replace('$', "\\$")
}

/// A value in Nix syntax, for messages and descriptions.
pub fn nix_value(value: &Value) -> String {
    match value {
        Value::String(text) => nix_string(text),
        Value::Array(items) if items.is_empty() => "[ ]".into(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(nix_value).collect();
            format!("[ {} ]", items.join(" "))
        }
        Value::Object(map) if map.is_empty() => "{ }".into(),
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(key, value)| format!("{} = {};", escape_identifier(key), nix_value(value)))
                .collect();
            format!("{{ {} }}", fields.join(" "))
        }
        other => other.to_string(),
    }
}

/// Every option a module sets, as `path = value`, in attribute order.
pub fn leaves(value: &Value) -> Vec<(Vec<String>, &Value)> {
    let mut found = Vec::new();
    collect_leaves(value, &mut Vec::new(), &mut found);
    found
}

fn collect_leaves<'a>(
    value: &'a Value,
    path: &mut Vec<String>,
    found: &mut Vec<(Vec<String>, &'a Value)>,
) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                path.push(key.clone());
                collect_leaves(value, path, found);
                path.pop();
            }
        }
        _ => found.push((path.clone(), value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn layer(file: &str, value: Value) -> Layer {
        Layer {
            file: file.into(),
            value,
        }
    }

    #[test]
    fn lists_concatenate_in_module_order_and_keep_duplicates() {
        let merged = merge(&[
            layer("a.nix", json!({"x": {"l": ["noatime", "space_cache=v2"]}})),
            layer("b.nix", json!({"x": {"l": ["noatime"], "y": 1}})),
        ])
        .unwrap();
        assert_eq!(
            merged,
            json!({"x": {"l": ["noatime", "space_cache=v2", "noatime"], "y": 1}})
        );
    }

    #[test]
    fn equal_scalars_agree() {
        let merged = merge(&[
            layer("a.nix", json!({"nix": {"settings": {"cores": 0}}})),
            layer("b.nix", json!({"nix": {"settings": {"cores": 0}}})),
        ])
        .unwrap();
        assert_eq!(merged, json!({"nix": {"settings": {"cores": 0}}}));
    }

    #[test]
    fn different_scalars_name_the_option_and_both_files() {
        let err = merge(&[
            layer("machine.nix", json!({})),
            layer(
                "a.nix",
                json!({"boot": {"kernel": {"sysctl": {"vm.swappiness": 10}}}}),
            ),
            layer(
                "b.nix",
                json!({"boot": {"kernel": {"sysctl": {"vm.swappiness": 60}}}}),
            ),
        ])
        .unwrap_err();
        let ScenarioError::Conflict {
            option,
            first_file,
            first_value,
            second_file,
            second_value,
        } = &err
        else {
            panic!("not a conflict: {err}");
        };
        assert_eq!(option, "boot.kernel.sysctl.\"vm.swappiness\"");
        assert_eq!((first_file.as_str(), first_value.as_str()), ("a.nix", "10"));
        assert_eq!(
            (second_file.as_str(), second_value.as_str()),
            ("b.nix", "60")
        );
    }

    #[test]
    fn a_list_against_a_scalar_is_a_conflict() {
        let err = merge(&[
            layer("a.nix", json!({"x": ["a"]})),
            layer("b.nix", json!({"x": "a"})),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("[ \"a\" ] in a.nix"), "{err}");
    }

    #[test]
    fn socket_buffer_sysctls_take_the_highest_value() {
        let sysctl =
            |value: u64| json!({"boot": {"kernel": {"sysctl": {"net.core.rmem_max": value}}}});
        let merged = merge(&[layer("a.nix", sysctl(4096)), layer("b.nix", sysctl(1024))]).unwrap();
        assert_eq!(merged, sysctl(4096));
    }

    #[test]
    fn options_show_like_nixos_shows_them() {
        let path: Vec<String> = ["fileSystems", "/", "options"].map(String::from).to_vec();
        assert_eq!(show_option(&path), "fileSystems.\"/\".options");
        let path: Vec<String> = ["nix", "settings", "max-jobs"].map(String::from).to_vec();
        assert_eq!(show_option(&path), "nix.settings.max-jobs");
    }

    #[test]
    fn values_print_in_nix_syntax() {
        assert_eq!(
            nix_value(&json!({"a": [1, "b$"], "c d": {}})),
            "{ a = [ 1 \"b\\$\" ]; \"c d\" = { }; }"
        );
    }
}
