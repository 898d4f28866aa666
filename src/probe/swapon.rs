//! Reads `swapon --show` (util-linux 2.26+): the default columns `NAME TYPE SIZE USED PRIO`,
//! any `--show=`/`--output` column set (`UUID`, `LABEL`, unknown ones kept as extras), human
//! sizes or `--bytes`, aligned or `--raw` (`\x20` escapes undone), and `--noheadings` for the
//! default columns. `swapon -s` / `--summary` prints `/proc/swaps`; that form is handed to
//! [`proc_swaps`](super::proc_swaps).
//!
//! With no active swap `swapon --show` prints nothing at all, so empty input is an empty list.
//! Human sizes come from util-linux's `size_to_human_string`: nearest tenth, powers of 1024.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lines;
use super::{proc_swaps, ParseError, Size};

/// One active swap area as `swapon --show` lists it; a column not shown is `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SwapDevice {
    pub name: String,
    /// `partition` or `file`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub size: Option<Size>,
    pub used: Option<Size>,
    pub priority: Option<i32>,
    pub uuid: Option<String>,
    pub label: Option<String>,
    /// Columns this parser does not know, by header name, as printed.
    pub extra: BTreeMap<String, String>,
}

/// The columns `swapon --show` prints when not told otherwise.
const DEFAULT_COLUMNS: [&str; 5] = ["NAME", "TYPE", "SIZE", "USED", "PRIO"];
/// Columns only `swapon` has, so that another util-linux table (`zramctl`) is refused.
const OWN_COLUMNS: [&str; 6] = ["TYPE", "SIZE", "USED", "PRIO", "UUID", "LABEL"];

pub fn parse(input: &str) -> Result<Vec<SwapDevice>, ParseError> {
    let rows: Vec<(usize, &str)> = lines::non_blank(input).collect();
    let Some(&(line_no, first)) = rows.first() else {
        return Ok(Vec::new());
    };
    if first.split_whitespace().next() == Some("Filename") {
        return Ok(proc_swaps::parse(input)?
            .into_iter()
            .map(from_summary)
            .collect());
    }
    if is_header(first) {
        let body = rows.get(1..).unwrap_or_default();
        return parse_table(line_no, first, body);
    }
    if !first.contains(|c: char| c.is_ascii_digit()) {
        return Err(ParseError::at(
            line_no,
            first,
            "expected a `swapon --show` header (NAME TYPE SIZE USED PRIO ...) or its rows",
        ));
    }
    rows.iter()
        .map(|&(line_no, line)| parse_headless(line_no, line))
        .collect()
}

fn from_summary(area: proc_swaps::SwapArea) -> SwapDevice {
    SwapDevice {
        name: area.filename,
        kind: Some(area.kind),
        size: Some(area.size),
        used: Some(area.used),
        priority: Some(area.priority),
        ..SwapDevice::default()
    }
}

/// Column names are upper-case words; a data row starts with a path or device name instead.
fn is_header(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words.all(|word| word.chars().all(|c| c.is_ascii_uppercase() || c == '-'))
        && line
            .split_whitespace()
            .any(|word| OWN_COLUMNS.contains(&word))
}

fn parse_table(
    header_no: usize,
    header: &str,
    body: &[(usize, &str)],
) -> Result<Vec<SwapDevice>, ParseError> {
    if body.is_empty() {
        return Err(ParseError::at(
            header_no,
            header,
            "header without devices (swapon --show prints nothing without swap): truncated?",
        ));
    }
    let names: Vec<&str> = header.split_whitespace().collect();
    if names.iter().filter(|name| **name == "NAME").count() > 1 {
        return Err(ParseError::at(header_no, header, "NAME appears twice"));
    }
    body.iter()
        .zip(lines::smartcols_rows(header, body))
        .map(|(&(line_no, line), cells)| device(line_no, line, &names, &cells))
        .collect()
}

/// `--noheadings` with the default columns: the name may hold spaces, the last four are fixed.
fn parse_headless(line_no: usize, line: &str) -> Result<SwapDevice, ParseError> {
    let raw: Vec<String> = line.split(' ').map(lines::unescape).collect();
    if raw.len() == DEFAULT_COLUMNS.len() {
        return device(line_no, line, &DEFAULT_COLUMNS, &raw);
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let split = words
        .len()
        .checked_sub(4)
        .filter(|&at| at > 0)
        .ok_or_else(|| {
            ParseError::at(
                line_no,
                line,
                "expected a `NAME TYPE SIZE USED PRIO` header or a row of those five columns",
            )
        })?;
    let (name, rest) = words.split_at(split);
    let mut cells = vec![name.join(" ")];
    cells.extend(rest.iter().map(|word| (*word).to_owned()));
    device(line_no, line, &DEFAULT_COLUMNS, &cells)
}

fn device(
    line_no: usize,
    line: &str,
    names: &[&str],
    cells: &[String],
) -> Result<SwapDevice, ParseError> {
    let device: SwapDevice = lines::fill_row(line_no, line, names, cells, set_cell)?;
    if names.contains(&"NAME") && device.name.is_empty() {
        return Err(ParseError::at(line_no, line, "row has no NAME"));
    }
    Ok(device)
}

fn set_cell(device: &mut SwapDevice, column: &str, cell: &str) -> Result<(), String> {
    let text = || (!cell.is_empty()).then(|| cell.to_owned());
    match column {
        "NAME" => device.name = cell.to_owned(),
        "TYPE" => device.kind = text(),
        "SIZE" => device.size = lines::util_linux_size(column, cell)?,
        "USED" => device.used = lines::util_linux_size(column, cell)?,
        "PRIO" => device.priority = priority(cell)?,
        "UUID" => device.uuid = text(),
        "LABEL" => device.label = text(),
        _ => {
            device.extra.insert(column.to_owned(), cell.to_owned());
        }
    }
    Ok(())
}

fn priority(cell: &str) -> Result<Option<i32>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    cell.parse()
        .map(Some)
        .map_err(|_| format!("PRIO `{cell}` is not a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Rounding;

    #[test]
    fn nothing_printed_is_no_swap() {
        assert_eq!(parse("").unwrap(), []);
        assert_eq!(parse("\n").unwrap(), []);
    }

    #[test]
    fn human_sizes_are_tenths_of_binary_units() {
        let input =
            "NAME       TYPE       SIZE  USED PRIO\n/dev/zram0 partition 15.4G 14.1G    5\n";
        let device = &parse(input).unwrap()[0];
        let size = device.size.unwrap();
        assert_eq!(size.bytes, 16_535_624_090);
        assert_eq!(
            size.rounding,
            Rounding::Nearest {
                unit: 1 << 30,
                decimals: 1
            }
        );
        assert_eq!(device.priority, Some(5));
    }

    #[test]
    fn raw_keeps_empty_cells_and_unescapes() {
        let input = "NAME TYPE SIZE UUID LABEL\n/my\\x20swap file 1024  \n";
        let device = &parse(input).unwrap()[0];
        assert_eq!(device.name, "/my swap");
        assert_eq!(device.size, Some(Size::exact(1024)));
        assert_eq!(device.uuid, None);
        assert_eq!(device.label, None);
    }

    #[test]
    fn unknown_columns_are_kept() {
        let input = "NAME      TYPE FOO\n/swapfile file bar\n";
        let device = &parse(input).unwrap()[0];
        assert_eq!(device.extra.get("FOO").map(String::as_str), Some("bar"));
    }

    #[test]
    fn noheadings_name_with_spaces() {
        let device = &parse("/var/my swap file file 64M 0B -2\n").unwrap()[0];
        assert_eq!(device.name, "/var/my swap file");
        assert_eq!(device.priority, Some(-2));
    }

    #[test]
    fn bad_cells_name_their_line() {
        let err = parse("NAME TYPE SIZE USED PRIO\n/dev/sda2 partition 4X 0B -2\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("SIZE"), "{err}");
    }
}
