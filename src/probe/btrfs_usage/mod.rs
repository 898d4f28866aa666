//! Reads `btrfs filesystem usage`: the default human form (same as `-h`), `-b`/`--raw`
//! (bytes), `--si` (powers of 1000), `-k`/`-m`/`-g`/`-t` (one fixed unit), and the tabular
//! `-T` form of each.
//!
//! Layouts by btrfs-progs version, all accepted:
//! - 4.x: no `Device slack`, no `Free (statfs, df)`, no `Multiple profiles`, and the profile
//!   lines end at `Used:` with no percentage; `-T` has only the `Unallocated` column.
//! - 5.x: the percentage, then `Multiple profiles` and (5.10+) `Free (statfs, df)`.
//! - 6.x: `Device slack`, zoned `Device zone unusable`/`Device zone size`, and `-T` gains
//!   `Total` and `Slack` columns.
//!
//! Run by a non-root user, btrfs prints `WARNING: cannot read detailed chunk info, per-device
//! usage will not be shown, run as root` and leaves out every per-device line and the
//! `Unallocated:` section; such output parses with the warning kept and no devices. When it
//! prints only warnings (RAID5/6 as non-root, btrfs-progs 6.x) there is nothing to read and
//! that is an error. `ERROR:` lines are errors.
//!
//! Human sizes are rounded to the nearest 0.01 unit: btrfs-progs `pretty_size_snprintf`
//! divides as a float and prints `%.2f` (common/units.c). A value that wrapped below zero in a
//! u64 (`Device slack: 16.00EiB` for a non-root user) cannot be held in a u64 and reads as
//! `u64::MAX` bytes. Values btrfs prints signed (unallocated, per-device totals) may be
//! negative (`-10.00GiB` on a device whose chunks exceed its size): they are [`Signed`].

mod sections;
mod table;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lines;
use super::size::{Base, RoundMode};
use super::{ParseError, Rounding, Size};

pub use sections::{DeviceAmount, Section};
pub use table::{Table, TableColumn, TableDevice};

/// Everything `btrfs filesystem usage` printed for one filesystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BtrfsUsage {
    /// `WARNING: ...` lines, text after the marker.
    pub warnings: Vec<String>,
    pub overall: Overall,
    /// `Data,single: Size:..., Used:...` sections in printed order (linear form only).
    pub sections: Vec<Section>,
    /// The `Unallocated:` section, per device (linear form, root only).
    pub unallocated: Vec<DeviceAmount>,
    /// The table of the `-T` form.
    pub table: Option<Table>,
}

/// The `Overall:` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overall {
    pub device_size: Size,
    pub device_allocated: Option<Size>,
    pub device_unallocated: Option<Signed>,
    pub device_missing: Option<Size>,
    /// btrfs-progs 5.x+.
    pub device_slack: Option<Size>,
    /// Zoned filesystems only.
    pub device_zone_unusable: Option<Size>,
    pub device_zone_size: Option<Size>,
    pub used: Size,
    pub free_estimated: Size,
    /// The `(min: ...)` lower bound of `Free (estimated)`.
    pub free_estimated_min: Option<Size>,
    /// `Free (statfs, df)`, btrfs-progs 5.10+.
    pub free_statfs_df: Option<Size>,
    /// `None` when absent or not a finite number.
    pub data_ratio: Option<f64>,
    pub metadata_ratio: Option<f64>,
    pub global_reserve: Option<Size>,
    /// The `(used: ...)` part of `Global reserve`.
    pub global_reserve_used: Option<Size>,
    /// btrfs-progs 5.x+.
    pub multiple_profiles: Option<MultipleProfiles>,
    /// Keys this parser does not know, with their raw value.
    pub extra: BTreeMap<String, String>,
}

/// `Multiple profiles: yes (data, metadata)` or `no`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultipleProfiles {
    pub present: bool,
    /// The block group types that have more than one profile (`data`, `metadata`, `system`).
    pub groups: Vec<String>,
}

/// A size btrfs prints as a signed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub negative: bool,
    pub size: Size,
}

pub fn parse(input: &str) -> Result<BtrfsUsage, ParseError> {
    let all: Vec<(usize, &str)> = lines::numbered(input).collect();
    let mut warnings = Vec::new();
    let start = overall_start(&all, &mut warnings)?;
    let (overall, rest) = overall::read(&all, start)?;
    let body = &all[rest..];
    let mut usage = BtrfsUsage {
        warnings,
        overall,
        sections: Vec::new(),
        unallocated: Vec::new(),
        table: None,
    };
    if table::is_tabular(body) {
        usage.table = Some(table::read(body)?);
    } else {
        let (sections, unallocated) = sections::read(body)?;
        usage.sections = sections;
        usage.unallocated = unallocated;
    }
    Ok(usage)
}

/// Index of the `Overall:` line; collects the warnings printed before it.
fn overall_start(all: &[(usize, &str)], warnings: &mut Vec<String>) -> Result<usize, ParseError> {
    for (index, &(number, line)) in all.iter().enumerate() {
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if text == "Overall:" {
            return Ok(index);
        }
        if let Some(warning) = warning_text(text) {
            warnings.push(warning.to_owned());
            continue;
        }
        if text.starts_with("ERROR:") {
            return Err(ParseError::at(number, line, "btrfs reported an error"));
        }
        return Err(ParseError::at(number, line, "expected `Overall:`"));
    }
    match all.iter().rev().find(|(_, line)| !line.trim().is_empty()) {
        Some(&(number, line)) => Err(ParseError::at(
            number,
            line,
            "btrfs printed no `Overall:` block (only warnings: run it as root)",
        )),
        None => Err(ParseError::whole("empty input: expected `Overall:`")),
    }
}

fn warning_text(text: &str) -> Option<&str> {
    text.strip_prefix("WARNING:").map(str::trim)
}

mod overall {
    //! The `Overall:` block: `    Key:\t\tvalue` lines up to the first blank line.

    use super::*;

    /// Keys in the order btrfs prints them. Matched as a prefix, so a key printed without its
    /// colon (as in the btrfs-progs documentation) still reads.
    const KEYS: [&str; 14] = [
        "Device size",
        "Device allocated",
        "Device unallocated",
        "Device missing",
        "Device slack",
        "Device zone unusable",
        "Device zone size",
        "Used",
        "Free (estimated)",
        "Free (statfs, df)",
        "Data ratio",
        "Metadata ratio",
        "Global reserve",
        "Multiple profiles",
    ];

    /// Reads from the `Overall:` line at `start`; returns the block and the index after it.
    pub(super) fn read(
        all: &[(usize, &str)],
        start: usize,
    ) -> Result<(Overall, usize), ParseError> {
        let mut fields: BTreeMap<&'static str, (usize, &str, &str)> = BTreeMap::new();
        let mut extra = BTreeMap::new();
        let mut index = start + 1;
        while let Some(&(number, line)) = all.get(index) {
            if line.trim().is_empty() || starts_body(line) {
                break;
            }
            match split_key(line) {
                Some((Some(key), value)) => {
                    fields.insert(key, (number, line, value));
                }
                Some((None, value)) => {
                    let key = line.split(':').next().unwrap_or("").trim();
                    extra.insert(key.to_owned(), value.to_owned());
                }
                None => return Err(ParseError::at(number, line, "expected `Key: value`")),
            }
            index += 1;
        }
        let (number, line) = all.get(start).copied().unwrap_or((0, ""));
        let overall = build(&fields, extra, (number, line))?;
        Ok((overall, index))
    }

    /// A line that begins what follows the block even without a blank line before it.
    fn starts_body(line: &str) -> bool {
        let text = line.trim_start();
        text.contains(": Size:") || text.starts_with("Id ") || text == "Unallocated:"
    }

    /// `    Used:\t\t\t 190.73MiB` → `(Some("Used"), "190.73MiB")`; an unknown key gives
    /// `None` and its value.
    fn split_key(line: &str) -> Option<(Option<&'static str>, &str)> {
        let text = line.trim();
        let known = KEYS
            .iter()
            .filter(|key| text.starts_with(**key))
            .max_by_key(|k| k.len());
        if let Some(&key) = known {
            let value = text.get(key.len()..).unwrap_or("");
            return Some((Some(key), value.trim_start_matches(':').trim()));
        }
        let (_, value) = text.split_once(':')?;
        Some((None, value.trim()))
    }

    type Fields<'a> = BTreeMap<&'static str, (usize, &'a str, &'a str)>;

    fn build(
        fields: &Fields,
        extra: BTreeMap<String, String>,
        overall_line: (usize, &str),
    ) -> Result<Overall, ParseError> {
        let (free, free_min) = sized_pair(fields, "Free (estimated)", "min")?;
        let (reserve, reserve_used) = sized_pair(fields, "Global reserve", "used")?;
        Ok(Overall {
            device_size: required(fields, "Device size", overall_line)?,
            device_allocated: sized(fields, "Device allocated")?,
            device_unallocated: signed_field(fields, "Device unallocated")?,
            device_missing: sized(fields, "Device missing")?,
            device_slack: sized(fields, "Device slack")?,
            device_zone_unusable: sized(fields, "Device zone unusable")?,
            device_zone_size: sized(fields, "Device zone size")?,
            used: required(fields, "Used", overall_line)?,
            free_estimated: free.ok_or_else(|| missing("Free (estimated)", overall_line))?,
            free_estimated_min: free_min,
            free_statfs_df: sized(fields, "Free (statfs, df)")?,
            data_ratio: ratio(fields, "Data ratio")?,
            metadata_ratio: ratio(fields, "Metadata ratio")?,
            global_reserve: reserve,
            global_reserve_used: reserve_used,
            multiple_profiles: fields.get("Multiple profiles").map(|f| multiple(f.2)),
            extra,
        })
    }

    fn missing(key: &str, (number, line): (usize, &str)) -> ParseError {
        ParseError::at(
            number,
            line,
            format!("the Overall block has no `{key}` line"),
        )
    }

    fn required(
        fields: &Fields,
        key: &str,
        overall_line: (usize, &str),
    ) -> Result<Size, ParseError> {
        sized(fields, key)?.ok_or_else(|| missing(key, overall_line))
    }

    fn sized(fields: &Fields, key: &str) -> Result<Option<Size>, ParseError> {
        let Some(&(number, line, value)) = fields.get(key) else {
            return Ok(None);
        };
        size(value)
            .map(Some)
            .ok_or_else(|| ParseError::at(number, line, format!("bad size for `{key}`")))
    }

    fn signed_field(fields: &Fields, key: &str) -> Result<Option<Signed>, ParseError> {
        let Some(&(number, line, value)) = fields.get(key) else {
            return Ok(None);
        };
        signed(value)
            .map(Some)
            .ok_or_else(|| ParseError::at(number, line, format!("bad size for `{key}`")))
    }

    /// `734.20MiB\t(min: 453.39MiB)` → both sizes; the bracket is optional.
    fn sized_pair(
        fields: &Fields,
        key: &str,
        label: &str,
    ) -> Result<(Option<Size>, Option<Size>), ParseError> {
        let Some(&(number, line, value)) = fields.get(key) else {
            return Ok((None, None));
        };
        let fail = || ParseError::at(number, line, format!("bad `{key}` value"));
        let (main, bracket) = match value.split_once('(') {
            Some((main, bracket)) => (main.trim(), Some(bracket.trim_end_matches(')').trim())),
            None => (value, None),
        };
        let second = match bracket {
            None => None,
            Some(text) => {
                let inner = text.strip_prefix(label).and_then(|t| t.strip_prefix(':'));
                Some(inner.and_then(|t| size(t.trim())).ok_or_else(fail)?)
            }
        };
        Ok((Some(size(main).ok_or_else(fail)?), second))
    }

    fn ratio(fields: &Fields, key: &str) -> Result<Option<f64>, ParseError> {
        let Some(&(number, line, value)) = fields.get(key) else {
            return Ok(None);
        };
        let parsed: f64 = value
            .parse()
            .map_err(|_| ParseError::at(number, line, format!("bad number for `{key}`")))?;
        Ok(parsed.is_finite().then_some(parsed))
    }

    /// `yes\t(data, metadata)` or `no`.
    fn multiple(value: &str) -> MultipleProfiles {
        let (answer, groups) = match value.split_once('(') {
            Some((answer, groups)) => (answer.trim(), groups.trim_end_matches(')')),
            None => (value.trim(), ""),
        };
        MultipleProfiles {
            present: answer == "yes",
            groups: groups
                .split(',')
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// One size as btrfs prints it in any unit mode.
pub(crate) fn size(text: &str) -> Option<Size> {
    let parsed = Size::parse_human(text, Base::Binary, RoundMode::Nearest);
    match parsed {
        // `512.00B`: bytes are whole, the `.00` is only btrfs's `%.2f`.
        Some(Size {
            bytes,
            rounding: Rounding::Nearest { unit: 1, .. },
        }) => Some(Size::exact(bytes)),
        Some(size) => Some(size),
        None => wrapped(text),
    }
}

/// `16.00EiB`: a u64 that wrapped below zero, printed one step above `u64::MAX`.
fn wrapped(text: &str) -> Option<Size> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, suffix) = text.split_at(split);
    if !matches!(suffix, "EiB" | "EB") {
        return None;
    }
    let zeroed: String = number
        .chars()
        .map(|c| if c == '.' { '.' } else { '0' })
        .collect();
    let unit = Size::parse_human(
        &format!("{zeroed}{suffix}"),
        Base::Binary,
        RoundMode::Nearest,
    )?;
    Some(Size {
        bytes: u64::MAX,
        rounding: unit.rounding,
    })
}

/// A size that may carry a leading `-`.
pub(crate) fn signed(text: &str) -> Option<Signed> {
    match text.strip_prefix('-') {
        Some(rest) => size(rest).map(|size| Signed {
            negative: true,
            size,
        }),
        None => size(text).map(|size| Signed {
            negative: false,
            size,
        }),
    }
}

#[cfg(test)]
mod tests;
