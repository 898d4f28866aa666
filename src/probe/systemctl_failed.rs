//! Reads `systemctl --failed` / `systemctl list-units --failed` (any `list-units` table):
//! the `UNIT LOAD ACTIVE SUB DESCRIPTION` table with or without the `●` marker column
//! (systemd 220+), the old legend (`LOAD   = Reflects ...`, `N loaded units listed. Pass
//! --all ...`, `To show all installed unit files ...`), the new one (`Legend: LOAD   → ...`,
//! `->` and a `*` marker in the C locale), zero units (`0 loaded units listed.`),
//! `--no-legend` (rows only) and `--plain`.
//!
//! Empty input is valid: `systemctl --failed --no-legend` prints nothing when no unit failed.
//! A table whose row count disagrees with the `N loaded units listed.` line is refused as
//! truncated.

use serde::{Deserialize, Serialize};

use super::lines::numbered;
use super::ParseError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemctlFailed {
    /// The units listed (rows of the table).
    pub count: u32,
    pub units: Vec<Unit>,
    pub legend: Legend,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub unit: String,
    pub load: String,
    pub active: String,
    pub sub: String,
    pub description: String,
    /// The `●` systemd prints before failed or not-found units.
    pub marked: bool,
}

/// Which legend came after the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Legend {
    /// `--no-legend`, or only rows were pasted.
    None,
    /// `LOAD   = Reflects whether ...` (systemd up to 245).
    Equals,
    /// `Legend: LOAD   → Reflects whether ...` (systemd 246+; `->` in the C locale).
    Arrows,
    /// Only the `N loaded units listed.` line.
    SummaryOnly,
}

const ACTIVE_STATES: [&str; 8] = [
    "active",
    "reloading",
    "inactive",
    "failed",
    "activating",
    "deactivating",
    "maintenance",
    "refreshing",
];

#[derive(PartialEq)]
enum Part {
    Rows,
    Legend,
}

pub fn parse(input: &str) -> Result<SystemctlFailed, ParseError> {
    let mut units = Vec::new();
    let mut legend = Legend::None;
    let mut listed = None;
    let mut part = Part::Rows;
    for (number, line) in numbered(input) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let at = |message: &str| ParseError::at(number, line, message);
        if part == Part::Rows && units.is_empty() && is_header(trimmed) {
            continue;
        }
        if let Some(kind) = legend_line(trimmed) {
            part = Part::Legend;
            legend = kind;
            continue;
        }
        if let Some(count) = summary(trimmed) {
            part = Part::Legend;
            listed = Some(count.ok_or_else(|| at("unit count is not a number"))?);
            if legend == Legend::None {
                legend = Legend::SummaryOnly;
            }
            continue;
        }
        if trimmed.starts_with("To show all installed unit files") {
            continue;
        }
        if part == Part::Legend {
            return Err(at("unexpected line after the legend"));
        }
        units.push(row(trimmed).map_err(|m| at(&m))?);
    }
    finish(units, legend, listed)
}

fn finish(
    units: Vec<Unit>,
    legend: Legend,
    listed: Option<u32>,
) -> Result<SystemctlFailed, ParseError> {
    let count = u32::try_from(units.len()).map_err(|_| ParseError::whole("too many units"))?;
    if let Some(listed) = listed {
        if listed != count {
            return Err(ParseError::whole(format!(
                "the summary lists {listed} units but the table has {count} rows (truncated?)"
            )));
        }
    }
    Ok(SystemctlFailed {
        count,
        units,
        legend,
    })
}

fn is_header(line: &str) -> bool {
    let mut tokens = line.split_whitespace();
    tokens.next() == Some("UNIT")
        && tokens.next() == Some("LOAD")
        && tokens.next() == Some("ACTIVE")
        && tokens.next() == Some("SUB")
}

fn legend_line(line: &str) -> Option<Legend> {
    if line.starts_with("Legend:") {
        return Some(Legend::Arrows);
    }
    let (key, rest) = line.split_once(char::is_whitespace)?;
    if !["LOAD", "ACTIVE", "SUB", "JOB"].contains(&key) {
        return None;
    }
    let rest = rest.trim_start();
    if rest.starts_with('=') {
        Some(Legend::Equals)
    } else if rest.starts_with('→') || rest.starts_with("->") {
        Some(Legend::Arrows)
    } else {
        None
    }
}

/// `1 loaded units listed.` (with or without `Pass --all ...`); `Some(None)` on a bad number.
fn summary(line: &str) -> Option<Option<u32>> {
    let (count, rest) = line.split_once(' ')?;
    let is_summary = rest.starts_with("loaded units listed") || rest.starts_with("units listed");
    is_summary.then(|| count.parse::<u32>().ok())
}

/// `● user@975.service loaded failed failed User Manager for UID 975`.
fn row(line: &str) -> Result<Unit, String> {
    let (marked, rest) = match line.strip_prefix('●').or_else(|| line.strip_prefix('*')) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, line),
    };
    let mut fields = rest.split_whitespace();
    let (Some(unit), Some(load), Some(active), Some(sub)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err("a unit row needs UNIT LOAD ACTIVE SUB".into());
    };
    if !ACTIVE_STATES.contains(&active) {
        return Err(format!("`{active}` is not a unit active state"));
    }
    Ok(Unit {
        unit: unit.to_owned(),
        load: load.to_owned(),
        active: active.to_owned(),
        sub: sub.to_owned(),
        description: description(rest),
        marked,
    })
}

/// Everything after the fourth column, keeping the description's own spacing.
fn description(rest: &str) -> String {
    let mut text = rest.trim_start();
    for _ in 0..4 {
        let end = text.find(char::is_whitespace).unwrap_or(text.len());
        text = text.get(end..).unwrap_or("").trim_start();
    }
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_legend_with_marker() {
        let input = "  UNIT                       LOAD   ACTIVE SUB    DESCRIPTION\n● systemd-remount-fs.service loaded failed failed Remount Root and Kernel File Systems\n\nLegend: LOAD   → Reflects whether the unit definition was properly loaded.\n        ACTIVE → The high-level unit activation state, i.e. generalization of SUB.\n        SUB    → The low-level unit activation state, values depend on unit type.\n\n1 loaded units listed.\n";
        let failed = parse(input).unwrap();
        assert_eq!(failed.count, 1);
        assert_eq!(failed.legend, Legend::Arrows);
        let unit = &failed.units[0];
        assert_eq!(unit.unit, "systemd-remount-fs.service");
        assert_eq!(unit.sub, "failed");
        assert_eq!(unit.description, "Remount Root and Kernel File Systems");
        assert!(unit.marked);
    }

    #[test]
    fn the_c_locale_legend_has_ascii_arrows() {
        let input = "  UNIT LOAD ACTIVE SUB DESCRIPTION\n* zram.service loaded failed failed Z\n\nLegend: LOAD   -> Reflects it.\n        ACTIVE -> The state.\n\n1 loaded units listed.\n";
        let failed = parse(input).unwrap();
        assert_eq!((failed.count, failed.legend), (1, Legend::Arrows));
        assert!(failed.units[0].marked);
    }

    #[test]
    fn no_legend_plain_and_empty() {
        let plain = "apache2.service loaded failed failed The Apache Webserver\nfoo.mount       not-found failed failed foo.mount\n";
        let failed = parse(plain).unwrap();
        assert_eq!(failed.count, 2);
        assert_eq!(failed.legend, Legend::None);
        assert_eq!(failed.units[1].load, "not-found");
        assert!(!failed.units[0].marked);
        assert_eq!(parse("").unwrap().count, 0);
        let zero = parse("  UNIT LOAD ACTIVE SUB DESCRIPTION\n\n0 loaded units listed.\n").unwrap();
        assert_eq!((zero.count, zero.legend), (0, Legend::SummaryOnly));
    }

    #[test]
    fn refuses_truncated_and_foreign_tables() {
        let truncated = "  UNIT LOAD ACTIVE SUB DESCRIPTION\n\n2 loaded units listed.\n";
        assert_eq!(parse(truncated).unwrap_err().line, 0);
        let err = parse("Filesystem Size Used Avail Use% Mounted\n").unwrap_err();
        assert_eq!(err.line, 1);
        let err = parse("1 loaded units listed.\nx.service loaded failed failed X\n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
