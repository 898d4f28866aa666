//! How NixOS shows options and values in its messages (`lib.options.showOption`, Nix
//! syntax), and reading a path of an evaluated configuration.

use serde_json::Value;

/// The value at an option path, if the module defines it.
pub fn lookup<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
