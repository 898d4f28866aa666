//! The vendored index of declared options (`nix-tests/options/index.txt`), one per line:
//! `scope<TAB>kind<TAB>path<TAB>file`, after `source` lines naming each source tree and the
//! revision it was read at, and `module` lines naming each nixpkgs module file that was read
//! (`module<TAB>nixpkgs<TAB>path<TAB>sha256`): nixpkgs may be read in part, and what is not
//! listed is not covered (see [`super::coverage`]). Scopes: `nixos` (NixOS modules: nixpkgs' `nixos/modules`, disko's
//! module, Home Manager's NixOS module), `home-manager` (a Home Manager user's configuration),
//! `disko-toplevel` and `disko-type:<type>` (the values below `disko.devices`).

use std::collections::BTreeMap;
use std::fmt;

use super::scan::Kind;

/// Where the project keeps it, relative to the project root.
pub const PATH: &str = "nix-tests/options/index.txt";

/// What may be set below a declared option.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Below {
    Closed,
    Open,
    /// A whole configuration of the named scope (`disko` for `disko.devices`).
    Configuration(String),
}

impl fmt::Display for Below {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Below::Closed => f.write_str("closed"),
            Below::Open => f.write_str("open"),
            Below::Configuration(scope) => write!(f, "config:{scope}"),
        }
    }
}

impl Below {
    pub fn from_kind(kind: Kind, scope: &str) -> Below {
        match kind {
            Kind::Closed => Below::Closed,
            Kind::Open => Below::Open,
            Kind::Configuration => Below::Configuration(scope.to_owned()),
        }
    }

    fn parse(text: &str) -> Option<Below> {
        match text {
            "closed" => Some(Below::Closed),
            "open" => Some(Below::Open),
            _ => text
                .strip_prefix("config:")
                .map(|scope| Below::Configuration(scope.to_owned())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub path: Vec<String>,
    pub below: Below,
    pub file: String,
}

/// A source tree the index was read from: its name (`nixpkgs`, `disko`, `home-manager`), the
/// flake reference and the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub name: String,
    pub reference: String,
    pub rev: String,
}

/// A module file the index was read from: its source, its path in that source and the
/// SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Module {
    pub source: String,
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    pub sources: Vec<Source>,
    /// The module files read, for the sources read in part (nixpkgs).
    pub modules: Vec<Module>,
    pub scopes: BTreeMap<String, Vec<Entry>>,
}

/// What the index says about one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup<'a> {
    /// The declaration of exactly this path, if any.
    pub declared: Option<&'a Entry>,
    /// Some declaration lies below it.
    pub has_below: bool,
}

impl Index {
    pub fn has_source(&self, name: &str) -> bool {
        self.sources.iter().any(|source| source.name == name)
    }

    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.iter().find(|source| source.name == name)
    }

    /// Whether the module file `path` of `source` was read into the index.
    pub fn lists_module(&self, source: &str, path: &str) -> bool {
        self.modules
            .iter()
            .any(|module| module.source == source && module.path == path)
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains_key(scope)
    }

    pub fn lookup(&self, scope: &str, path: &[String]) -> Lookup<'_> {
        let mut lookup = Lookup {
            declared: None,
            has_below: false,
        };
        for entry in self.scopes.get(scope).into_iter().flatten() {
            if entry.path.len() < path.len() || !matches(&entry.path[..path.len()], path) {
                continue;
            }
            if entry.path.len() == path.len() {
                // An exact name wins over a wildcard (`users.users.root` over `<name>`).
                if lookup.declared.is_none() || entry.path == path {
                    lookup.declared = Some(entry);
                }
            } else {
                lookup.has_below = true;
            }
        }
        lookup
    }

    /// The names declared one level below `path` (not wildcards), sorted.
    pub fn names_below(&self, scope: &str, path: &[String]) -> Vec<String> {
        let mut names: Vec<String> = self
            .scopes
            .get(scope)
            .into_iter()
            .flatten()
            .filter(|entry| {
                entry.path.len() == path.len() + 1 && matches(&entry.path[..path.len()], path)
            })
            .map(|entry| entry.path[path.len()].clone())
            .filter(|name| name != "<name>" && name != "*")
            .collect();
        names.sort();
        names.dedup();
        names
    }

    pub fn render(&self, header: &str) -> String {
        let mut text = String::new();
        for line in header.lines() {
            text.push_str(&format!("# {line}\n"));
        }
        for source in &self.sources {
            text.push_str(&format!(
                "source\t{}\t{}\t{}\n",
                source.name, source.reference, source.rev
            ));
        }
        for module in &self.modules {
            text.push_str(&format!(
                "module\t{}\t{}\t{}\n",
                module.source, module.path, module.sha256
            ));
        }
        for (scope, entries) in &self.scopes {
            for entry in entries {
                text.push_str(&format!(
                    "{scope}\t{}\t{}\t{}\n",
                    entry.below,
                    show_path(&entry.path),
                    entry.file
                ));
            }
        }
        text
    }

    pub fn parse(text: &str) -> Result<Index, String> {
        let mut index = Index::default();
        for (number, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let bad = || {
                format!(
                    "line {}: `{line}` is not `scope kind path file`",
                    number + 1
                )
            };
            match fields.as_slice() {
                ["source", name, reference, rev] => index.sources.push(Source {
                    name: (*name).to_owned(),
                    reference: (*reference).to_owned(),
                    rev: (*rev).to_owned(),
                }),
                ["module", source, path, sha256] => index.modules.push(Module {
                    source: (*source).to_owned(),
                    path: (*path).to_owned(),
                    sha256: (*sha256).to_owned(),
                }),
                [scope, below, path, file] => index
                    .scopes
                    .entry((*scope).to_owned())
                    .or_default()
                    .push(Entry {
                        path: parse_path(path).ok_or_else(bad)?,
                        below: Below::parse(below).ok_or_else(bad)?,
                        file: (*file).to_owned(),
                    }),
                _ => return Err(bad()),
            }
        }
        Ok(index)
    }
}

fn matches(declared: &[String], path: &[String]) -> bool {
    declared
        .iter()
        .zip(path)
        .all(|(d, p)| d == p || d == "<name>" || d == "*")
}

/// `a.b."c.d"`: segments that are not plain names are quoted.
pub fn show_path(path: &[String]) -> String {
    path.iter()
        .map(|seg| {
            let plain = !seg.is_empty()
                && (seg == "<name>"
                    || seg == "*"
                    || seg
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\'')));
            if plain {
                seg.clone()
            } else {
                format!("{seg:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn parse_path(text: &str) -> Option<Vec<String>> {
    let mut segs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let mut seg = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '\\' => seg.push(chars.next()?),
                    '"' => break,
                    c => seg.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                seg.push(c);
                chars.next();
            }
        }
        segs.push(seg);
        match chars.next() {
            None => return Some(segs),
            Some('.') => {}
            Some(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_reads_back_what_it_wrote() {
        let mut index = Index::default();
        index.sources.push(Source {
            name: "disko".into(),
            reference: "github:nix-community/disko/v1.13.0".into(),
            rev: "de5708739256238fb912c62f03988815db89ec9a".into(),
        });
        index.modules.push(Module {
            source: "nixpkgs".into(),
            path: "nixos/modules/config/sysctl.nix".into(),
            sha256: "0".repeat(64),
        });
        index.scopes.entry("nixos".into()).or_default().push(Entry {
            path: vec![
                "boot".into(),
                "kernel".into(),
                "sysctl".into(),
                "net.core.rmem_max".into(),
            ],
            below: Below::Open,
            file: "nixos/modules/config/sysctl.nix".into(),
        });
        let text = index.render("made by a test");
        assert!(
            text.contains("boot.kernel.sysctl.\"net.core.rmem_max\""),
            "{text}"
        );
        let back = Index::parse(&text).unwrap();
        assert_eq!(back.sources, index.sources);
        assert_eq!(back.modules, index.modules);
        assert!(back.lists_module("nixpkgs", "nixos/modules/config/sysctl.nix"));
        assert!(!back.lists_module("nixpkgs", "nixos/modules/config/zram.nix"));
        assert_eq!(back.scopes, index.scopes);
    }

    #[test]
    fn wildcards_match_any_name_and_exact_names_win() {
        let text = "nixos\tclosed\tusers.users.<name>.home\ta.nix\nnixos\topen\tusers.users.root.home\tb.nix\n";
        let index = Index::parse(text).unwrap();
        let path = |p: &str| p.split('.').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            index
                .lookup("nixos", &path("users.users.admin.home"))
                .declared
                .unwrap()
                .file,
            "a.nix"
        );
        assert_eq!(
            index
                .lookup("nixos", &path("users.users.root.home"))
                .declared
                .unwrap()
                .file,
            "b.nix"
        );
        let namespace = index.lookup("nixos", &path("users.users"));
        assert!(namespace.declared.is_none() && namespace.has_below);
        assert_eq!(
            index.lookup("nixos", &path("users.groups")),
            Lookup {
                declared: None,
                has_below: false
            }
        );
    }
}
