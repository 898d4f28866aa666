//! Walks what a module sets (its value as JSON: attribute sets down to the values) against the
//! [`Index`]: every path must be a declared option, lie below an open one, or lead to one.
//! Below an option whose value is a configuration (`virtualisation.vmVariantWithDisko`, a Home
//! Manager user) the walk goes on in that configuration's scope; below `disko.devices`, each
//! device is checked against the options of its `type`.

use serde_json::Value;

use super::index::{show_path, Below, Index};

/// Keys of a module that are the module system's, not options.
const MODULE_KEYS: [&str; 4] = ["imports", "_file", "key", "disabledModules"];

/// A path that is no option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// The scope it was looked up in and the path within it.
    pub scope: String,
    pub path: Vec<String>,
    /// The path from the module's top, through configurations.
    pub full: Vec<String>,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not an option ({} scope: no `{}` declared)",
            show_path(&self.full),
            self.scope,
            show_path(&self.path)
        )
    }
}

/// Every path of `module` (a NixOS module's value) that the index does not declare.
pub fn unknown_options(index: &Index, module: &Value) -> Vec<Unknown> {
    let mut walk = Walk {
        index,
        unknown: Vec::new(),
    };
    walk.configuration(module, "nixos", &[]);
    walk.unknown
}

struct Walk<'a> {
    index: &'a Index,
    unknown: Vec<Unknown>,
}

impl Walk<'_> {
    fn configuration(&mut self, value: &Value, scope: &str, full: &[String]) {
        if scope == "disko" {
            return self.disko(value, full);
        }
        let Some(object) = value.as_object() else {
            return;
        };
        for (key, inner) in object {
            if MODULE_KEYS.contains(&key.as_str()) {
                continue;
            }
            self.below(inner, scope, std::slice::from_ref(key), full);
        }
    }

    fn below(&mut self, value: &Value, scope: &str, path: &[String], full: &[String]) {
        let lookup = self.index.lookup(scope, path);
        let mut here = full.to_vec();
        here.push(path.last().cloned().unwrap_or_default());
        match lookup.declared.map(|entry| &entry.below) {
            Some(Below::Open) => {}
            Some(Below::Configuration(inner)) => {
                let inner = inner.clone();
                self.configuration(value, &inner, &here);
            }
            Some(Below::Closed) if !lookup.has_below => {}
            _ => match value.as_object() {
                Some(object) if lookup.has_below => {
                    for (key, inner) in object {
                        let mut deeper = path.to_vec();
                        deeper.push(key.clone());
                        self.below(inner, scope, &deeper, &here);
                    }
                }
                // A declared option set to a whole value (`fileSystems = { ... }` as a value).
                _ if lookup.declared.is_some() => {}
                _ => self.unknown.push(Unknown {
                    scope: scope.to_owned(),
                    path: path.to_vec(),
                    full: here,
                }),
            },
        }
    }

    /// `disko.devices`: kinds of devices (`disk`, `mdadm`, ...) holding named devices.
    fn disko(&mut self, value: &Value, full: &[String]) {
        let Some(object) = value.as_object() else {
            return;
        };
        for (kind, devices) in object {
            let path = vec![kind.clone()];
            let mut here = full.to_vec();
            here.push(kind.clone());
            if self
                .index
                .lookup("disko-toplevel", &path)
                .declared
                .is_none()
            {
                self.unknown.push(Unknown {
                    scope: "disko-toplevel".into(),
                    path,
                    full: here,
                });
                continue;
            }
            for (name, device) in devices.as_object().into_iter().flatten() {
                let mut at = here.clone();
                at.push(name.clone());
                self.typed(device, &at);
            }
        }
    }

    /// A disko device: its options are those of the type file its `type` names; a `content`
    /// (made by disko's `deviceType`, not a plain option) is a device of its own.
    fn typed(&mut self, device: &Value, full: &[String]) {
        let Some(object) = device.as_object() else {
            return;
        };
        let type_name = object.get("type").and_then(Value::as_str).unwrap_or("");
        let scope = format!("disko-type:{type_name}");
        if !self.index.has_scope(&scope) {
            let mut here = full.to_vec();
            here.push("type".into());
            self.unknown.push(Unknown {
                scope,
                path: vec!["type".into()],
                full: here,
            });
            return;
        }
        self.typed_below(object, &scope, &[], full);
    }

    fn typed_below(
        &mut self,
        object: &serde_json::Map<String, Value>,
        scope: &str,
        path: &[String],
        full: &[String],
    ) {
        for (key, inner) in object {
            let mut deeper = path.to_vec();
            deeper.push(key.clone());
            let mut here = full.to_vec();
            here.push(key.clone());
            if key == "content" && inner.get("type").is_some() {
                self.typed(inner, &here);
                continue;
            }
            let lookup = self.index.lookup(scope, &deeper);
            match (lookup.declared, inner.as_object()) {
                (Some(entry), _) if entry.below == Below::Open => {}
                (_, Some(inner)) if lookup.has_below => {
                    self.typed_below(inner, scope, &deeper, &here)
                }
                (Some(_), _) => {}
                (None, _) => self.unknown.push(Unknown {
                    scope: scope.to_owned(),
                    path: deeper,
                    full: here,
                }),
            }
        }
    }
}
