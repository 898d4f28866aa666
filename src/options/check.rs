//! Walks what a module sets (its value as JSON: attribute sets down to the values) against the
//! [`Index`]: every path must be a declared option, lie below an open one, or lead to one.
//! Below an option whose value is a configuration (`virtualisation.vmVariantWithDisko`, a Home
//! Manager user) the walk goes on in that configuration's scope; below `disko.devices`, each
//! device is checked against the options of its `type`.
//!
//! A NixOS path nothing declares is judged by [`coverage`]: if the module that declares its
//! prefix was read, it is a misspelling or an option the release lacks ([`Reason::Undeclared`]);
//! if not, it is [`Reason::Uncovered`], a gap the report names with the module to add. Both fail.
//!
//! Freeform options (`nix.settings`, `services.openssh.settings`, `boot.kernel.sysctl`: a
//! submodule with a `freeformType`) accept any key, as the module system does: only the keys
//! they declare are options. A key they do not declare is accepted unless it is within a
//! misspelling of one they do ([`Reason::Misspelt`]: the same ignoring case, or one edit away,
//! two for names of 8 characters or more), since NixOS would write it out verbatim
//! (`PasswordAuthenticaton no` in sshd_config) and the declared setting would keep its default.
//! Values are not checked, nor keys of freeform options that declare nothing.

use serde_json::Value;

use super::coverage::{self, Declarer};
use super::index::{show_path, Below, Index};

/// Keys of a module that are the module system's, not options.
const MODULE_KEYS: [&str; 4] = ["imports", "_file", "key", "disabledModules"];

/// Why a path is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Nothing declares it, and the module that would was read.
    Undeclared,
    /// An undeclared key of a freeform option, a misspelling of the declared `declared`.
    Misspelt { declared: String },
    /// The module that declares it (if the project knows it) was not read into the index.
    Uncovered { declarer: Option<Declarer> },
}

/// A path that is no option, or that the index cannot judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// The scope it was looked up in and the path within it.
    pub scope: String,
    pub path: Vec<String>,
    /// The path from the module's top, through configurations.
    pub full: Vec<String>,
    pub reason: Reason,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let full = show_path(&self.full);
        match &self.reason {
            Reason::Undeclared => write!(
                f,
                "`{full}` is not an option ({} scope: no `{}` declared)",
                self.scope,
                show_path(&self.path)
            ),
            Reason::Misspelt { declared } => write!(
                f,
                "`{full}` is not an option: a key the freeform `{}` does not declare, \
                 spelt like its declared `{declared}` (misspelt?)",
                show_path(&self.path[..self.path.len() - 1])
            ),
            Reason::Uncovered {
                declarer: Some(declarer),
            } => write!(
                f,
                "`{full}` is not checked: nixpkgs declares `{}` in `{}`, which the options \
                 index does not list; add that file to the nixpkgs tree and regenerate the \
                 index: {}",
                declarer.prefix,
                declarer.file,
                coverage::REGENERATE
            ),
            Reason::Uncovered { declarer: None } => write!(
                f,
                "`{full}` is not checked: no module the project knows declares `{}` (a \
                 misspelt prefix? if not, add the nixpkgs module that declares it to \
                 DECLARERS in src/options/coverage.rs and to the nixpkgs tree, and regenerate \
                 the index: {})",
                show_path(&self.path),
                coverage::REGENERATE
            ),
        }
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
            Some(Below::Open) if lookup.has_below => self.freeform(value, scope, path, &here),
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
                _ if scope == "nixos" => self.unresolved(value, path, &here),
                _ => self.report(scope, path, here, Reason::Undeclared),
            },
        }
    }

    fn report(&mut self, scope: &str, path: &[String], full: Vec<String>, reason: Reason) {
        self.unknown.push(Unknown {
            scope: scope.to_owned(),
            path: path.to_vec(),
            full,
            reason,
        });
    }

    /// A freeform option that declares sub-options: those are checked, other keys pass
    /// unless they misspell one.
    fn freeform(&mut self, value: &Value, scope: &str, path: &[String], full: &[String]) {
        let Some(object) = value.as_object() else {
            return;
        };
        let declared = self.index.names_below(scope, path);
        for (key, inner) in object {
            let mut deeper = path.to_vec();
            deeper.push(key.clone());
            let lookup = self.index.lookup(scope, &deeper);
            if lookup.declared.is_some() || lookup.has_below {
                self.below(inner, scope, &deeper, full);
            } else if let Some(near) = declared.iter().find(|name| misspells(key, name)) {
                let mut here = full.to_vec();
                here.push(key.clone());
                let reason = Reason::Misspelt {
                    declared: near.clone(),
                };
                self.report(scope, &deeper, here, reason);
            }
        }
    }

    /// A NixOS path nothing in the index declares: a misspelling when its declaring module
    /// was read, otherwise a gap in the index's coverage. The walk goes down as long as a
    /// declarer's prefix lies deeper, so each gap names one module.
    fn unresolved(&mut self, value: &Value, path: &[String], full: &[String]) {
        match value.as_object() {
            Some(object) if coverage::declarers_below(path) && !object.is_empty() => {
                for (key, inner) in object {
                    let mut deeper = path.to_vec();
                    deeper.push(key.clone());
                    let mut here = full.to_vec();
                    here.push(key.clone());
                    self.unresolved(inner, &deeper, &here);
                }
            }
            _ => {
                let reason = match coverage::declarer_of(path) {
                    Some(declarer) if coverage::is_covered(self.index, declarer) => {
                        Reason::Undeclared
                    }
                    declarer => Reason::Uncovered {
                        declarer: declarer.copied(),
                    },
                };
                self.report("nixos", path, full.to_vec(), reason);
            }
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
                self.report("disko-toplevel", &path, here, Reason::Undeclared);
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
            self.report(&scope, &["type".to_owned()], here, Reason::Undeclared);
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
                (None, _) => self.report(scope, &deeper, here, Reason::Undeclared),
            }
        }
    }
}

/// `key` is not `declared` but reads as a misspelling of it: the same ignoring case, or one
/// edit away (two for names of 8 characters or more), an edit being an insertion, a deletion,
/// a substitution or a swap of two neighbours.
pub fn misspells(key: &str, declared: &str) -> bool {
    if key == declared {
        return false;
    }
    let (a, b) = (key.to_lowercase(), declared.to_lowercase());
    if a == b {
        return true;
    }
    let limit = if declared.chars().count() >= 8 { 2 } else { 1 };
    edits(&a, &b) <= limit
}

/// The optimal string alignment distance.
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::index::{Entry, Module};

    fn index(lines: &[(&str, &str, &str)], listed: &[&str]) -> Index {
        let mut index = Index::default();
        for (below, path, file) in lines {
            index.scopes.entry("nixos".into()).or_default().push(Entry {
                path: path.split('.').map(str::to_owned).collect(),
                below: if *below == "open" {
                    Below::Open
                } else {
                    Below::Closed
                },
                file: (*file).into(),
            });
        }
        for file in listed {
            index.modules.push(Module {
                source: "nixpkgs".into(),
                path: (*file).into(),
                sha256: String::new(),
            });
        }
        index
    }

    const SSHD: &str = "nixos/modules/services/networking/ssh/sshd.nix";

    #[test]
    fn misspellings_are_near_and_not_equal() {
        assert!(misspells("PasswordAuthenticaton", "PasswordAuthentication"));
        assert!(misspells("permitrootlogin", "PermitRootLogin"));
        assert!(misspells("max-job", "max-jobs"));
        assert!(misspells("croes", "cores"));
        assert!(!misspells("cores", "cores"));
        assert!(!misspells("Banner", "PermitRootLogin"));
        assert!(!misspells("vm.swappiness", "net.core.rmem_max"));
        // Short names allow one edit only.
        assert!(!misspells("core", "cron"));
    }

    #[test]
    fn freeform_keys_pass_unless_they_misspell_a_declared_one() {
        let index = index(
            &[
                ("closed", "services.openssh.enable", SSHD),
                ("open", "services.openssh.settings", SSHD),
                ("closed", "services.openssh.settings.PermitRootLogin", SSHD),
            ],
            &[SSHD],
        );
        let module = serde_json::json!({
            "services": { "openssh": { "enable": true, "settings": {
                "PermitRootLogin": "no", "PermitRootLogn": "no", "Banner": "x" } } }
        });
        let found = unknown_options(&index, &module);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            show_path(&found[0].full),
            "services.openssh.settings.PermitRootLogn"
        );
        assert_eq!(
            found[0].reason,
            Reason::Misspelt {
                declared: "PermitRootLogin".into()
            }
        );
    }

    #[test]
    fn a_path_is_a_typo_where_its_module_was_read_and_a_gap_where_not() {
        let index = index(&[("closed", "services.openssh.enable", SSHD)], &[SSHD]);
        let module = serde_json::json!({
            "services": { "openssh": { "enabel": true }, "logrotate": { "enable": true } },
            "servics": { "x": 1 },
            "users": { "users": { "admin": { "isNormalUser": true } } }
        });
        let found: Vec<(String, Reason)> = unknown_options(&index, &module)
            .into_iter()
            .map(|u| (show_path(&u.full), u.reason))
            .collect();
        let gap = |prefix: &str| Reason::Uncovered {
            declarer: coverage::DECLARERS
                .iter()
                .find(|d| d.prefix == prefix)
                .copied(),
        };
        assert_eq!(
            found,
            [
                ("services.logrotate".to_owned(), gap("services.logrotate")),
                ("services.openssh.enabel".to_owned(), Reason::Undeclared),
                ("servics".to_owned(), Reason::Uncovered { declarer: None }),
                (
                    "users.users.admin.isNormalUser".to_owned(),
                    gap("users.users")
                ),
            ]
        );
    }
}
