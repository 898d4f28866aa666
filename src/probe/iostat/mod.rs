//! Reads `iostat -x` (sysstat) into its reports: the system line, every report in order
//! with its timestamp, `avg-cpu:` block and device table.
//!
//! Variants read:
//! - text from sysstat 9 through 12: the 9.x/10.x columns (`rrqm/s wrqm/s r/s w/s rsec/s ...
//!   avgrq-sz avgqu-sz await svctm %util`, `Device:` header), the 11.x/12.x columns (`r/s
//!   rkB/s ... aqu-sz rareq-sz wareq-sz`, `Device` header), 12.x discard/flush columns,
//!   `-k`/`-m`, `-s`, `-t` timestamps (any locale or ISO), `-y`, `-p`, `-c`, `-d`, comma
//!   decimals, repeated reports, long device names alone on their line (10.x/11.x `-h`), and
//!   the 12.x `--pretty`/`-h` layout with `Device` as the last column, split into several
//!   tables and human values (`4.5M`, `13.3%`);
//! - `iostat -x -o JSON` (sysstat 11.5+), whose keys are renamed to the text headers
//!   (`util` → `%util`, `rrqm` → `%rrqm`, or `rrqm/s` for the 11.5 key names).
//!
//! Every column is kept by its header name in the header's own unit; throughput columns are
//! also given as bytes per second in a [`Size`], rounded to nearest as iostat's `%.2f` and
//! `-h`'s `%.1f` do (sysstat `common.c` `cprintf_unit`, base 1024).

mod json;
mod text;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::size::{RoundMode, Size};
use super::ParseError;

/// Everything one `iostat` run printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Iostat {
    pub format: Format,
    /// The `Linux 6.1.0 (host) date _x86_64_ (2 CPU)` line; `None` when it was cut off.
    pub system: Option<System>,
    /// Every report in the order printed (the first covers the time since boot unless `-y`).
    pub reports: Vec<Report>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    pub sysname: String,
    pub release: String,
    pub hostname: String,
    /// As printed, in the locale's format (`11/26/26`, `26.11.2026`, `2026-11-26`).
    pub date: Option<String>,
    pub machine: Option<String>,
    pub cpus: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The `-t` line as printed (`11/26/26 12:57:08`, `2026-11-26T12:57:34+0000`).
    pub timestamp: Option<String>,
    pub cpu: Option<Cpu>,
    /// The device columns in header order, without `Device`.
    pub columns: Vec<String>,
    pub devices: Vec<Device>,
}

/// The `avg-cpu:` block, in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cpu {
    pub user: f64,
    pub nice: f64,
    pub system: f64,
    pub iowait: f64,
    /// Missing in sysstat before 7.
    pub steal: Option<f64>,
    pub idle: f64,
    /// Columns beyond the six above, by header name.
    pub extra: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub name: String,
    /// Every column by its header name, in the header's unit (`rkB/s` in kB/s).
    pub values: BTreeMap<String, f64>,
    /// Bytes read per second, from `rkB/s`, `rMB/s` or `rsec/s`.
    pub read_per_s: Option<Size>,
    pub write_per_s: Option<Size>,
    pub discard_per_s: Option<Size>,
    pub util_percent: Option<f64>,
}

/// Reads `iostat -x` text or `-o JSON` output.
///
/// Empty input is an error: iostat always prints its system line and a report.
pub fn parse(input: &str) -> Result<Iostat, ParseError> {
    if input.trim().is_empty() {
        return Err(ParseError::whole(
            "empty input: iostat prints at least its system line and one report",
        ));
    }
    let parsed = if input.trim_start().starts_with('{') {
        json::parse(input)?
    } else {
        text::parse(input)?
    };
    if parsed.reports.is_empty() {
        return Err(ParseError::whole(
            "no report found: expected an `avg-cpu:` block or a `Device` table",
        ));
    }
    Ok(parsed)
}

/// Which typed throughput a column feeds, and the bytes one unit of it stands for.
enum Throughput {
    Read(u64),
    Write(u64),
    Discard(u64),
}

fn throughput(column: &str) -> Option<Throughput> {
    let unit = if column.contains("kB") {
        1024
    } else if column.contains("MB") {
        1 << 20
    } else if column.contains("sec") || column.contains("Blk") {
        512
    } else {
        return None;
    };
    let kind = |prefix: char, word: &str| column.starts_with(prefix) || column.contains(word);
    if !column.ends_with("/s") {
        return None;
    }
    if kind('r', "_read") {
        Some(Throughput::Read(unit))
    } else if kind('w', "_wrtn") {
        Some(Throughput::Write(unit))
    } else if kind('d', "_dscd") {
        Some(Throughput::Discard(unit))
    } else {
        None
    }
}

impl Device {
    fn new(name: &str) -> Device {
        Device {
            name: name.to_owned(),
            values: BTreeMap::new(),
            read_per_s: None,
            write_per_s: None,
            discard_per_s: None,
            util_percent: None,
        }
    }

    /// Stores one column; `size` is the value as bytes per second when the column is a
    /// throughput and the text could be read as one.
    fn set(&mut self, column: &str, value: f64, size: Option<Size>) {
        self.values.insert(column.to_owned(), value);
        if column == "%util" {
            self.util_percent = Some(value);
        }
        match throughput(column) {
            Some(Throughput::Read(_)) => self.read_per_s = size,
            Some(Throughput::Write(_)) => self.write_per_s = size,
            Some(Throughput::Discard(_)) => self.discard_per_s = size,
            None => {}
        }
    }
}

/// A throughput column's printed number as bytes per second (`%.2f`, rounded to nearest).
fn plain_size(column: &str, number: &str) -> Option<Size> {
    let unit = match throughput(column)? {
        Throughput::Read(unit) | Throughput::Write(unit) | Throughput::Discard(unit) => unit,
    };
    Size::in_unit(number, unit, RoundMode::Nearest)
}

impl Cpu {
    /// Builds the block from `(name, value)` pairs, names without `%` (`user`, `iowait`).
    fn from_pairs(pairs: Vec<(String, f64)>) -> Result<Cpu, String> {
        let mut map: BTreeMap<String, f64> = pairs.into_iter().collect();
        let mut take = |key: &str| map.remove(key);
        let user = take("user").ok_or("no %user column")?;
        let nice = take("nice").ok_or("no %nice column")?;
        let system = take("system").ok_or("no %system column")?;
        let iowait = take("iowait").ok_or("no %iowait column")?;
        let steal = take("steal");
        let idle = take("idle").ok_or("no %idle column")?;
        Ok(Cpu {
            user,
            nice,
            system,
            iowait,
            steal,
            idle,
            extra: map,
        })
    }
}

#[cfg(test)]
mod tests;
