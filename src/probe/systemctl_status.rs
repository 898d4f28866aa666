//! Reads the header block of `systemctl status` run without a unit: the host line
//! (`● hostname`), `State:`, `Units:` (systemd 251+), `Jobs:`, `Failed:`, `Since:`,
//! `systemd:` (251+), `Tainted:` and `CGroup:`, then summarises the cgroup tree that follows.
//!
//! Variants read: systemd 219 through 259, with or without `--no-pager`, dates in any
//! locale (`六 2023-09-09 16:57:15 CST`), the header alone or cut anywhere in the tree (pager
//! widths, `...`, `lines 1-29` and pasted leftovers in the tree are skipped, never fatal), a
//! missing host line. The labels themselves are not translated by systemd. Unknown header
//! keys are kept in `extra`.
//!
//! Lines before the header (the host line or `State:`) are not systemctl's stdout: stderr
//! printed first, such as `Failed to dump process list for 'host', ignoring: Input/output
//! error` (systemd 250+ under WSL or beside libvirt VMs), or a pasted `systemctl --version`.
//! Each is skipped and kept in `notes` with its line number; a unit's status there (`● ssh.service
//! - ...`, another command) is refused with its line.
//!
//! The tree is drawn with Unicode glyphs (`├─`, `└─`, `│`) in a UTF-8 locale and with ASCII
//! (`|-`, `` `- ``, `|`) otherwise (`LANG=C`, a NixOS test's shell); both are read. A branch's
//! depth is its glyph's column, so the cgroups at the first line's column are the top-level
//! slices and units.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lines::numbered;
use super::ParseError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemctlStatus {
    /// The `● hostname` line; `None` when the paste started below it.
    pub host: Option<String>,
    pub state: State,
    /// `Units: N loaded (incl. loaded aliases)`, systemd 251+.
    pub units_loaded: Option<u32>,
    pub jobs_queued: Option<u32>,
    pub failed_units: Option<u32>,
    pub since: Option<Since>,
    /// `systemd: 255.4-1ubuntu8`, systemd 251+.
    pub systemd_version: Option<String>,
    /// `Tainted: local-hwclock:cgroupsv1`, split at `:`.
    pub tainted: Vec<String>,
    pub cgroup: Option<String>,
    pub tree: Tree,
    /// Header keys this parser does not know, by label without `:`.
    pub extra: BTreeMap<String, String>,
    /// Lines skipped before the header, as `line N: text`.
    pub notes: Vec<String>,
}

/// The manager state (`systemctl is-system-running`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Initializing,
    Starting,
    Running,
    Degraded,
    Maintenance,
    Stopping,
    Offline,
    Unknown,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Since {
    /// As printed, in the locale's format.
    pub timestamp: String,
    /// `9min ago`, or `1h 36min left` when the clock moved back.
    pub relative: Option<String>,
}

/// A summary of the cgroup tree under `CGroup:`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tree {
    /// Every cgroup (slice, service, scope, ...) in printed order.
    pub cgroups: Vec<String>,
    /// The cgroups directly under the `CGroup:` root: top-level slices and units.
    pub top_level: Vec<String>,
    /// How many process lines (`└─774 /usr/bin/NetworkManager`) the tree shows.
    pub processes: u32,
}

/// Reads `systemctl status` output; empty input is an error (systemd always prints a header).
pub fn parse(input: &str) -> Result<SystemctlStatus, ParseError> {
    let mut header = Header::default();
    let mut tree = TreeReader::default();
    let mut started = false;
    let mut in_tree = false;
    for (number, line) in numbered(input) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if in_tree {
            tree.line(line);
            continue;
        }
        if !started {
            started = header.before_start(number, line)?;
            continue;
        }
        let (key, value) = key_value(trimmed).ok_or_else(|| {
            ParseError::at(number, line, "expected `Label: value` in the status header")
        })?;
        in_tree = key == "CGroup";
        header
            .set(key, value)
            .map_err(|message| ParseError::at(number, line, message))?;
    }
    header.finish(tree.tree)
}

#[derive(Default)]
struct Header {
    host: Option<String>,
    state: Option<State>,
    units_loaded: Option<u32>,
    jobs_queued: Option<u32>,
    failed_units: Option<u32>,
    since: Option<Since>,
    systemd_version: Option<String>,
    tainted: Vec<String>,
    cgroup: Option<String>,
    extra: BTreeMap<String, String>,
    notes: Vec<String>,
    /// The first skipped line, to name when no header follows.
    first_skipped: Option<(usize, String)>,
}

impl Header {
    /// Reads a line before the header has started; true when `line` starts it (the host
    /// line, or `State:` when the host line was not pasted).
    fn before_start(&mut self, number: usize, line: &str) -> Result<bool, ParseError> {
        let trimmed = line.trim();
        if let Some(host) = host_line(trimmed) {
            self.host = Some(host);
            return Ok(true);
        }
        if is_unit_status(trimmed) {
            return Err(ParseError::at(
                number,
                line,
                "a unit's status (`systemctl status UNIT`), not the system's",
            ));
        }
        if let Some(("State", value)) = key_value(trimmed) {
            self.state = Some(state(value));
            return Ok(true);
        }
        // stderr printed before stdout, or another command's output pasted above it.
        self.notes.push(format!("line {number}: {trimmed}"));
        self.first_skipped
            .get_or_insert_with(|| (number, line.to_owned()));
        Ok(false)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "State" => self.state = Some(state(value)),
            "Units" => self.units_loaded = Some(count(value)?),
            "Jobs" => self.jobs_queued = Some(count(value)?),
            "Failed" => self.failed_units = Some(count(value)?),
            "Since" => self.since = Some(since(value)),
            "systemd" => self.systemd_version = Some(value.to_owned()),
            "Tainted" => self.tainted = value.split(':').map(str::to_owned).collect(),
            "CGroup" => self.cgroup = Some(value.to_owned()),
            _ => {
                self.extra.insert(key.to_owned(), value.to_owned());
            }
        }
        Ok(())
    }

    fn finish(self, tree: Tree) -> Result<SystemctlStatus, ParseError> {
        const NO_STATE: &str =
            "no `State:` line: not the output of `systemctl status` without a unit";
        let Some(state) = self.state else {
            return Err(match self.first_skipped {
                Some((number, line)) => ParseError::at(number, &line, NO_STATE),
                None => ParseError::whole(NO_STATE),
            });
        };
        Ok(SystemctlStatus {
            host: self.host,
            state,
            units_loaded: self.units_loaded,
            jobs_queued: self.jobs_queued,
            failed_units: self.failed_units,
            since: self.since,
            systemd_version: self.systemd_version,
            tainted: self.tainted,
            cgroup: self.cgroup,
            tree,
            extra: self.extra,
            notes: self.notes,
        })
    }
}

/// `● hostname`; `*` replaces the dot when the terminal is not UTF-8.
fn host_line(line: &str) -> Option<String> {
    let rest = line.strip_prefix('●').or_else(|| line.strip_prefix('*'))?;
    let host = rest.trim();
    (!host.is_empty() && !host.contains(char::is_whitespace)).then(|| host.to_owned())
}

/// `● ssh.service - OpenBSD Secure Shell server`: the first line of `systemctl status UNIT`,
/// whose bullet systemd colours by state (`●`, `○`, `×`, `↻`; `*` without UTF-8).
fn is_unit_status(line: &str) -> bool {
    line.strip_prefix(['●', '○', '×', '↻', '*'])
        .is_some_and(|rest| rest.starts_with(' ') && rest.contains(" - "))
}

/// `   Failed: 1 units` → (`Failed`, `1 units`); a label is one word.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let simple = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    simple.then(|| (key, value.trim()))
}

fn state(value: &str) -> State {
    match value {
        "initializing" => State::Initializing,
        "starting" => State::Starting,
        "running" => State::Running,
        "degraded" => State::Degraded,
        "maintenance" => State::Maintenance,
        "stopping" => State::Stopping,
        "offline" => State::Offline,
        "unknown" => State::Unknown,
        other => State::Other(other.to_owned()),
    }
}

/// `0 queued`, `1 units`, `391 loaded (incl. loaded aliases)`: the leading number.
fn count(value: &str) -> Result<u32, String> {
    value
        .split_whitespace()
        .next()
        .and_then(|n| n.parse::<u32>().ok())
        .ok_or_else(|| format!("`{value}` does not start with a count"))
}

fn since(value: &str) -> Since {
    match value.split_once("; ") {
        Some((timestamp, relative)) => Since {
            timestamp: timestamp.trim().to_owned(),
            relative: Some(relative.trim().to_owned()),
        },
        None => Since {
            timestamp: value.to_owned(),
            relative: None,
        },
    }
}

/// Reads the tree under `CGroup:` line by line.
#[derive(Default)]
struct TreeReader {
    tree: Tree,
    /// The column of the first line's branch glyph: the top level.
    top: Option<usize>,
}

impl TreeReader {
    /// One line of the tree: a cgroup name or a process; anything without a branch glyph
    /// (pager prompts, `...`, a command line wrapped by the terminal) is skipped.
    fn line(&mut self, line: &str) {
        let Some((column, entry)) = branch(line) else {
            return;
        };
        let top = *self.top.get_or_insert(column);
        let Some(first) = entry.split_whitespace().next() else {
            return;
        };
        if first.chars().all(|c| c.is_ascii_digit()) {
            self.tree.processes = self.tree.processes.saturating_add(1);
            return;
        }
        self.tree.cgroups.push(first.to_owned());
        if column == top {
            self.tree.top_level.push(first.to_owned());
        }
    }
}

/// The char column of a line's branch glyph (`├─`, `└─`, or ASCII `|-`, `` `- ``) and the
/// text after it, when everything before it is tree structure (`│`, `|`, spaces).
fn branch(line: &str) -> Option<(usize, &str)> {
    const BRANCHES: [&str; 4] = ["├─", "└─", "|-", "`-"];
    let mut rest = line;
    let mut column = 0;
    loop {
        if let Some(after) = BRANCHES.iter().find_map(|b| rest.strip_prefix(b)) {
            return Some((column, after));
        }
        let c = rest.chars().next()?;
        if !matches!(c, ' ' | '\t' | '│' | '|') {
            return None;
        }
        rest = &rest[c.len_utf8()..];
        column += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: &str = "● web\n    State: running\n    Units: 284 loaded (incl. loaded aliases)\n     Jobs: 0 queued\n   Failed: 0 units\n    Since: Wed 2024-12-04 08:12:58 CET; 52s ago\n  systemd: 252-46.el9_5.2.0.1\n  Tainted: local-hwclock:cgroupsv1\n   CGroup: /\n           ├─init.scope\n           │ └─1 /usr/lib/systemd/systemd --switched-root\n           └─system.slice\n             └─crond.service\n               └─712 /usr/sbin/crond -n\n";

    #[test]
    fn reads_the_newer_header_and_tree() {
        let status = parse(NEW).unwrap();
        assert_eq!(status.host.as_deref(), Some("web"));
        assert_eq!(status.state, State::Running);
        assert_eq!(status.units_loaded, Some(284));
        assert_eq!(status.jobs_queued, Some(0));
        assert_eq!(status.failed_units, Some(0));
        let since = status.since.unwrap();
        assert_eq!(since.timestamp, "Wed 2024-12-04 08:12:58 CET");
        assert_eq!(since.relative.as_deref(), Some("52s ago"));
        assert_eq!(
            status.systemd_version.as_deref(),
            Some("252-46.el9_5.2.0.1")
        );
        assert_eq!(status.tainted, ["local-hwclock", "cgroupsv1"]);
        assert_eq!(
            status.tree.cgroups,
            ["init.scope", "system.slice", "crond.service"]
        );
        assert_eq!(status.tree.processes, 2);
    }

    #[test]
    fn ascii_tree_and_its_top_level() {
        let input = "* web\n    State: running\n   CGroup: /\n           |-    2 n/a\n           |-user.slice\n           | `-user-1000.slice\n           |   `-1200 -bash\n    wrapped --flag\n           |-init.scope\n           | `-1 /sbin/init\n           `-system.slice\n             `-cron.service\n";
        let tree = parse(input).unwrap().tree;
        assert_eq!(
            tree.cgroups,
            [
                "user.slice",
                "user-1000.slice",
                "init.scope",
                "system.slice",
                "cron.service"
            ]
        );
        assert_eq!(tree.top_level, ["user.slice", "init.scope", "system.slice"]);
        assert_eq!(tree.processes, 3);
    }

    #[test]
    fn stderr_before_the_header_is_a_note() {
        let input = "Failed to dump process list for 'dog', ignoring: Input/output error\n● dog\n    State: running\n   CGroup: /\n";
        let status = parse(input).unwrap();
        assert_eq!(status.host.as_deref(), Some("dog"));
        assert_eq!(
            status.notes,
            ["line 1: Failed to dump process list for 'dog', ignoring: Input/output error"]
        );
        let err = parse("sudo: unable to resolve host x\nnothing else\n").unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn old_header_without_host_and_crlf() {
        let input = "    State: degraded\r\n     Jobs: 0 queued\r\n   Failed: 1 units\r\n";
        let status = parse(input).unwrap();
        assert_eq!(status.host, None);
        assert_eq!(status.state, State::Degraded);
        assert_eq!(status.failed_units, Some(1));
        assert_eq!(status.units_loaded, None);
    }

    #[test]
    fn refuses_other_output() {
        assert!(parse("").is_err());
        let err = parse("● ssh.service - OpenBSD Secure Shell server\n     Loaded: loaded (/lib/systemd/system/ssh.service; enabled)\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert_eq!(
            parse("    State: running\n   Failed: many units\n")
                .unwrap_err()
                .line,
            2
        );
        assert_eq!(parse("● host\n     Jobs: 0 queued\n").unwrap_err().line, 0);
    }
}
