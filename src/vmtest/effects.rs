//! What a scenario changes compared with baseline: the facts of both, flattened to paths,
//! and every path whose value differs. This is what a reviewer reads.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use super::facts::Facts;

/// One changed fact: its path and its value in baseline and in the scenario (`None`: absent).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub baseline: Option<Value>,
    pub scenario: Option<Value>,
}

/// Every fact that differs between `baseline` and `scenario`, sorted by path.
pub fn diff(baseline: &Facts, scenario: &Facts) -> Vec<Change> {
    let before = flatten(&serde_json::to_value(baseline).unwrap_or(Value::Null));
    let after = flatten(&serde_json::to_value(scenario).unwrap_or(Value::Null));
    let paths: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    paths
        .into_iter()
        .filter(|path| before.get(*path) != after.get(*path))
        .map(|path| Change {
            path: path.clone(),
            baseline: before.get(path).cloned(),
            scenario: after.get(path).cloned(),
        })
        .collect()
}

/// The changes as the effects snapshot shows them: for lists, what was added and removed;
/// for values, before → after.
pub fn render(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no effect: every fact equals baseline\n".to_owned();
    }
    let mut text = String::new();
    for change in changes {
        let _ = writeln!(text, "{}", change.path);
        let empty = Value::Array(Vec::new());
        let pair = match (&change.baseline, &change.scenario) {
            (None, Some(after @ Value::Array(_))) => (Some(&empty), Some(after)),
            (Some(before @ Value::Array(_)), None) => (Some(before), Some(&empty)),
            (before, after) => (before.as_ref(), after.as_ref()),
        };
        match pair {
            (Some(Value::Array(before)), Some(Value::Array(after))) => {
                for item in after.iter().filter(|item| !before.contains(item)) {
                    let _ = writeln!(text, "  + {}", show(item));
                }
                for item in before.iter().filter(|item| !after.contains(item)) {
                    let _ = writeln!(text, "  - {}", show(item));
                }
                if before.iter().all(|i| after.contains(i))
                    && after.iter().all(|i| before.contains(i))
                {
                    let _ = writeln!(
                        text,
                        "  order: {} -> {}",
                        show_list(before),
                        show_list(after)
                    );
                }
            }
            (before, after) => {
                let _ = writeln!(
                    text,
                    "  {} -> {}",
                    before.map_or("(absent)".to_owned(), show),
                    after.map_or("(absent)".to_owned(), show)
                );
            }
        }
    }
    text
}

fn show(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn show_list(items: &[Value]) -> String {
    items.iter().map(show).collect::<Vec<_>>().join(",")
}

/// The value of `facts` at a path of [`diff`] (`mounts./.options`), if it has one.
pub fn value_at(facts: &Facts, path: &str) -> Option<Value> {
    flatten(&serde_json::to_value(facts).unwrap_or(Value::Null)).remove(path)
}

/// Objects become `a.b.c` paths; lists of scalars stay whole (so options diff as sets);
/// lists of objects are indexed by position.
fn flatten(value: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    walk(value, String::new(), &mut out);
    out
}

fn walk(value: &Value, path: String, out: &mut BTreeMap<String, Value>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                walk(inner, join(key), out);
            }
        }
        // An empty list is the absence of its entries: `swap: []` against one swap device
        // shows as that device's facts appearing, not as a list disappearing.
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            for (index, inner) in items.iter().enumerate() {
                walk(inner, format!("{path}[{index}]"), out);
            }
        }
        other => {
            out.insert(path, other.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_of_options_diff_as_additions() {
        let before = flatten(&json!({"mounts": {"/": {"options": ["rw", "noatime"]}}}));
        let after =
            flatten(&json!({"mounts": {"/": {"options": ["rw", "noatime", "compress=zstd:1"]}}}));
        assert_eq!(before.len(), 1);
        let changes: Vec<Change> = after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, v)| Change {
                path: k.clone(),
                baseline: before.get(k).cloned(),
                scenario: Some(v.clone()),
            })
            .collect();
        assert_eq!(render(&changes), "mounts./.options\n  + compress=zstd:1\n");
    }

    #[test]
    fn scalars_show_before_and_after() {
        let change = Change {
            path: "sysctl.vm.swappiness".into(),
            baseline: Some(json!("60")),
            scenario: Some(json!("10")),
        };
        assert_eq!(render(&[change]), "sysctl.vm.swappiness\n  60 -> 10\n");
        assert_eq!(render(&[]), "no effect: every fact equals baseline\n");
    }

    #[test]
    fn a_list_that_was_empty_shows_its_new_items() {
        let change = Change {
            path: "systemd.failed_units".into(),
            baseline: None,
            scenario: Some(json!(["zram-setup.service"])),
        };
        assert_eq!(
            render(&[change]),
            "systemd.failed_units\n  + zram-setup.service\n"
        );
    }

    #[test]
    fn lists_of_objects_are_indexed() {
        let flat = flatten(&json!({"swap": [{"name": "/dev/zram0"}]}));
        assert_eq!(flat.get("swap[0].name"), Some(&json!("/dev/zram0")));
        assert!(flatten(&json!({"swap": []})).is_empty());
    }
}
