//! The `-T` table after the `Overall:` block:
//!
//! ```text
//!               Data      Metadata  System
//! Id Path       single    DUP       DUP      Unallocated Total   Slack
//! -- ---------- --------- --------- -------- ----------- ------- -----
//!  1 /dev/loop0 344.00MiB 102.38MiB 16.00MiB   561.62MiB 1.00GiB     -
//! -- ---------- --------- --------- -------- ----------- ------- -----
//!    Total      344.00MiB  51.19MiB  8.00MiB   561.62MiB 1.00GiB 0.00B
//!    Used       171.42MiB   9.64MiB 16.00KiB
//! ```
//!
//! The first line names the block group type of each profile column; the same type may come
//! twice (`Data single` and `Data RAID1` while converting). The columns after the profiles
//! are `Unallocated` (all versions), then `Total` and `Slack` (btrfs-progs 6.x); `-` is an
//! empty cell.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{signed, size, ParseError, Signed, Size};

/// The `-T` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub columns: Vec<TableColumn>,
    pub devices: Vec<TableDevice>,
    /// The `Total` row's values of the columns after the profiles.
    pub space: DeviceSpace,
}

/// One profile column with its `Total` and `Used` row values (logical, counted once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableColumn {
    pub kind: String,
    pub profile: String,
    pub total: Option<Size>,
    pub used: Option<Size>,
}

/// One device row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDevice {
    pub id: u64,
    /// The device path, or `missing`.
    pub path: String,
    /// Raw space per profile column, in the order of [`Table::columns`]; `None` for `-`.
    pub allocated: Vec<Option<Size>>,
    pub space: DeviceSpace,
}

/// The columns after the profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSpace {
    pub unallocated: Option<Signed>,
    /// btrfs-progs 6.x.
    pub total: Option<Signed>,
    /// btrfs-progs 6.x; `None` for `-` (no slack).
    pub slack: Option<Signed>,
    /// Columns this parser does not know, raw.
    pub extra: BTreeMap<String, String>,
}

/// True when `body` holds the `Id Path ...` header of the table.
pub(super) fn is_tabular(body: &[(usize, &str)]) -> bool {
    body.iter().any(|(_, line)| is_header(line))
}

fn is_header(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words.next() == Some("Id") && words.next() == Some("Path")
}

struct Layout<'a> {
    trailing: Vec<&'a str>,
}

pub(super) fn read(body: &[(usize, &str)]) -> Result<Table, ParseError> {
    let at = body
        .iter()
        .position(|(_, line)| is_header(line))
        .unwrap_or(0);
    let (header_number, header) = body.get(at).copied().unwrap_or((0, ""));
    let (mut table, layout) = columns(body, at)?;
    check_nothing_before(body, at)?;
    for &(number, line) in body.get(at + 1..).unwrap_or(&[]) {
        read_row(&mut table, &layout, line).map_err(|m| ParseError::at(number, line, m))?;
    }
    if table.devices.is_empty() {
        return Err(ParseError::at(
            header_number,
            header,
            "the table has no device row",
        ));
    }
    let rows = body.get(at + 1..).unwrap_or(&[]);
    for label in ["Total", "Used"] {
        if !rows
            .iter()
            .any(|(_, line)| line.split_whitespace().next() == Some(label))
        {
            let (number, line) = rows.last().copied().unwrap_or((header_number, header));
            let message = format!("the table has no `{label}` row: output is truncated");
            return Err(ParseError::at(number, line, message));
        }
    }
    Ok(table)
}

/// Profile columns from the type line above the header and the header itself.
fn columns<'a>(body: &[(usize, &'a str)], at: usize) -> Result<(Table, Layout<'a>), ParseError> {
    let (number, header) = body.get(at).copied().unwrap_or((0, ""));
    let types_line = at
        .checked_sub(1)
        .and_then(|i| body.get(i))
        .map_or("", |(_, l)| *l);
    let kinds: Vec<&str> = types_line.split_whitespace().collect();
    let words: Vec<&str> = header.split_whitespace().collect();
    let profiles = words.get(2..2 + kinds.len()).ok_or_else(|| {
        ParseError::at(
            number,
            header,
            "fewer profile columns than block group types above",
        )
    })?;
    let columns = kinds
        .iter()
        .zip(profiles)
        .map(|(kind, profile)| TableColumn {
            kind: (*kind).to_owned(),
            profile: (*profile).to_owned(),
            total: None,
            used: None,
        })
        .collect();
    let trailing = words.get(2 + kinds.len()..).unwrap_or(&[]).to_vec();
    let table = Table {
        columns,
        devices: Vec::new(),
        space: empty_space(),
    };
    Ok((table, Layout { trailing }))
}

/// Only blank lines may stand between the Overall block and the type line.
fn check_nothing_before(body: &[(usize, &str)], at: usize) -> Result<(), ParseError> {
    let before = body.get(..at.saturating_sub(1)).unwrap_or(&[]);
    match before.iter().find(|(_, line)| !line.trim().is_empty()) {
        Some(&(number, line)) => Err(ParseError::at(
            number,
            line,
            "unexpected line before the table",
        )),
        None => Ok(()),
    }
}

fn empty_space() -> DeviceSpace {
    DeviceSpace {
        unallocated: None,
        total: None,
        slack: None,
        extra: BTreeMap::new(),
    }
}

fn read_row(table: &mut Table, layout: &Layout, line: &str) -> Result<(), String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.first() {
        None => Ok(()),
        Some(_) if words.iter().all(|word| is_rule(word)) => Ok(()),
        Some(&"Total") => total_row(table, layout, words.get(1..).unwrap_or(&[])),
        Some(&"Used") => used_row(table, words.get(1..).unwrap_or(&[])),
        Some(_) => {
            let device = device_row(table.columns.len(), layout, &words)?;
            table.devices.push(device);
            Ok(())
        }
    }
}

fn is_rule(word: &str) -> bool {
    word.chars().all(|c| c == '-')
}

fn device_row(profiles: usize, layout: &Layout, words: &[&str]) -> Result<TableDevice, String> {
    let cells = profiles + layout.trailing.len();
    let path_end = words
        .len()
        .checked_sub(cells)
        .filter(|end| *end >= 2)
        .ok_or("expected `Id Path` and one cell per column")?;
    let id = words
        .first()
        .and_then(|id| id.parse().ok())
        .ok_or("expected a device id")?;
    let values = words.get(path_end..).unwrap_or(&[]);
    let (allocated, trailing) = values.split_at(profiles.min(values.len()));
    Ok(TableDevice {
        id,
        path: words.get(1..path_end).unwrap_or(&[]).join(" "),
        allocated: allocated
            .iter()
            .map(|cell| optional(cell))
            .collect::<Result<_, _>>()?,
        space: space(layout, trailing)?,
    })
}

fn total_row(table: &mut Table, layout: &Layout, cells: &[&str]) -> Result<(), String> {
    let profiles = table.columns.len();
    if cells.len() != profiles + layout.trailing.len() {
        return Err("the Total row does not have one cell per column".into());
    }
    let (totals, trailing) = cells.split_at(profiles);
    for (column, cell) in table.columns.iter_mut().zip(totals) {
        column.total = optional(cell)?;
    }
    table.space = space(layout, trailing)?;
    Ok(())
}

fn used_row(table: &mut Table, cells: &[&str]) -> Result<(), String> {
    if cells.len() != table.columns.len() {
        return Err("the Used row does not have one cell per profile column".into());
    }
    for (column, cell) in table.columns.iter_mut().zip(cells) {
        column.used = optional(cell)?;
    }
    Ok(())
}

fn space(layout: &Layout, cells: &[&str]) -> Result<DeviceSpace, String> {
    let mut space = empty_space();
    for (name, cell) in layout.trailing.iter().zip(cells) {
        let slot = match *name {
            "Unallocated" => &mut space.unallocated,
            "Total" => &mut space.total,
            "Slack" => &mut space.slack,
            other => {
                space.extra.insert(other.to_owned(), (*cell).to_owned());
                continue;
            }
        };
        *slot = signed_cell(cell)?;
    }
    Ok(space)
}

fn signed_cell(cell: &str) -> Result<Option<Signed>, String> {
    if cell == "-" {
        return Ok(None);
    }
    signed(cell)
        .map(Some)
        .ok_or_else(|| format!("bad size `{cell}`"))
}

fn optional(cell: &str) -> Result<Option<Size>, String> {
    if cell == "-" {
        return Ok(None);
    }
    size(cell)
        .map(Some)
        .ok_or_else(|| format!("bad size `{cell}`"))
}
