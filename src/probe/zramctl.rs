//! Reads `zramctl` (util-linux 2.26+) listings: the default columns `NAME ALGORITHM DISKSIZE
//! DATA COMPR TOTAL STREAMS MOUNTPOINT`, `--output`/`--output-all` column sets (older
//! releases lack `COMP-RATIO`; columns this parser does not know are kept as extras), human
//! sizes or `--bytes`, aligned or `--raw`, and `--noheadings` for the default columns.
//!
//! Without initialised zram devices `zramctl` prints nothing: empty input is an empty list.
//! Empty cells are kept as `None`: kernels since 6.x have no `max_comp_streams`, so `STREAMS`
//! is blank, and `MOUNTPOINT` is blank for an unused device. Human sizes come from util-linux's
//! `size_to_human_string`: nearest tenth, powers of 1024.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{lines, ParseError, Size};

/// One zram device; a column not shown is `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ZramDevice {
    pub name: String,
    /// The compression algorithm in use (`lzo-rle`, `lz4`, `zstd`).
    pub algorithm: Option<String>,
    /// The uncompressed capacity.
    pub disksize: Option<Size>,
    /// Uncompressed data stored.
    pub data: Option<Size>,
    /// That data compressed.
    pub compr: Option<Size>,
    /// Memory used, allocator overhead included.
    pub total: Option<Size>,
    pub streams: Option<u32>,
    /// Pages that were all zeros, stored without memory (a count).
    pub zero_pages: Option<u64>,
    pub mem_limit: Option<Size>,
    pub mem_used: Option<Size>,
    /// Objects moved by compaction: a count that zramctl prints as a size (`30B`, `1.2M`).
    pub migrated: Option<Size>,
    /// DATA / COMPR as zramctl computes it (util-linux 2.40+).
    pub comp_ratio: Option<f64>,
    /// `[SWAP]` for swap, else where the device is mounted.
    pub mountpoint: Option<String>,
    /// Columns this parser does not know, by header name, as printed.
    pub extra: BTreeMap<String, String>,
}

const DEFAULT_COLUMNS: [&str; 8] = [
    "NAME",
    "ALGORITHM",
    "DISKSIZE",
    "DATA",
    "COMPR",
    "TOTAL",
    "STREAMS",
    "MOUNTPOINT",
];

/// Columns only `zramctl` has, so that another util-linux table (`swapon --show`) is refused.
const OWN_COLUMNS: [&str; 11] = [
    "ALGORITHM",
    "DISKSIZE",
    "DATA",
    "COMPR",
    "TOTAL",
    "STREAMS",
    "ZERO-PAGES",
    "MEM-LIMIT",
    "MEM-USED",
    "MIGRATED",
    "COMP-RATIO",
];

pub fn parse(input: &str) -> Result<Vec<ZramDevice>, ParseError> {
    let rows: Vec<(usize, &str)> = lines::non_blank(input).collect();
    let Some(&(header_no, header)) = rows.first() else {
        return Ok(Vec::new());
    };
    if header.split_whitespace().next() != Some("NAME") {
        return rows
            .iter()
            .map(|&(line_no, line)| parse_headless(line_no, line))
            .collect();
    }
    let names: Vec<&str> = header.split_whitespace().collect();
    let own = names.iter().any(|name| OWN_COLUMNS.contains(name));
    if !own || names.iter().any(|name| !is_column_name(name)) {
        return Err(ParseError::at(header_no, header, "not a zramctl header"));
    }
    let body = rows.get(1..).unwrap_or_default();
    if body.is_empty() {
        return Err(ParseError::at(
            header_no,
            header,
            "header without devices (zramctl prints nothing when there are none): truncated?",
        ));
    }
    body.iter()
        .zip(lines::smartcols_rows(header, body))
        .map(|(&(line_no, line), cells)| device(line_no, line, &names, &cells))
        .collect()
}

fn is_column_name(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_uppercase() || c == '-')
}

/// `--noheadings` with the default columns: `--raw` keeps all eight cells; aligned output
/// drops the blank ones, and only STREAMS (a number) and MOUNTPOINT may be blank.
fn parse_headless(line_no: usize, line: &str) -> Result<ZramDevice, ParseError> {
    let raw: Vec<String> = line.split(' ').map(lines::unescape).collect();
    if raw.len() == DEFAULT_COLUMNS.len() {
        return device(line_no, line, &DEFAULT_COLUMNS, &raw);
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((fixed, rest)) = words.split_first_chunk::<6>() else {
        return Err(ParseError::at(
            line_no,
            line,
            "expected a zramctl header (NAME ...) or a row of its default columns",
        ));
    };
    let mut cells: Vec<String> = fixed.iter().map(|word| (*word).to_owned()).collect();
    let (streams, mountpoint) = match rest.split_first() {
        Some((first, tail)) if first.parse::<u32>().is_ok() => (*first, tail),
        _ => ("", rest),
    };
    cells.push(streams.to_owned());
    cells.push(mountpoint.join(" "));
    device(line_no, line, &DEFAULT_COLUMNS, &cells)
}

fn device(
    line_no: usize,
    line: &str,
    names: &[&str],
    cells: &[String],
) -> Result<ZramDevice, ParseError> {
    let device: ZramDevice = lines::fill_row(line_no, line, names, cells, set_cell)?;
    if device.name.is_empty() {
        return Err(ParseError::at(line_no, line, "row has no NAME"));
    }
    Ok(device)
}

fn set_cell(device: &mut ZramDevice, column: &str, cell: &str) -> Result<(), String> {
    let text = || (!cell.is_empty()).then(|| cell.to_owned());
    match column {
        "NAME" => device.name = cell.to_owned(),
        "ALGORITHM" => device.algorithm = text(),
        "DISKSIZE" => device.disksize = lines::util_linux_size(column, cell)?,
        "DATA" => device.data = lines::util_linux_size(column, cell)?,
        "COMPR" => device.compr = lines::util_linux_size(column, cell)?,
        "TOTAL" => device.total = lines::util_linux_size(column, cell)?,
        "STREAMS" => device.streams = number(column, cell)?,
        "ZERO-PAGES" => device.zero_pages = number(column, cell)?,
        "MEM-LIMIT" => device.mem_limit = lines::util_linux_size(column, cell)?,
        "MEM-USED" => device.mem_used = lines::util_linux_size(column, cell)?,
        "MIGRATED" => device.migrated = lines::util_linux_size(column, cell)?,
        "COMP-RATIO" => device.comp_ratio = ratio(cell)?,
        "MOUNTPOINT" => device.mountpoint = text(),
        _ => {
            device.extra.insert(column.to_owned(), cell.to_owned());
        }
    }
    Ok(())
}

fn number<T: std::str::FromStr>(column: &str, cell: &str) -> Result<Option<T>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    cell.parse()
        .map(Some)
        .map_err(|_| format!("{column} `{cell}` is not a whole number"))
}

/// A decimal ratio; the locale may print a comma, and it is never NaN or infinite.
fn ratio(cell: &str) -> Result<Option<f64>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    let digits_only = cell
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    cell.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|value| digits_only && value.is_finite())
        .map(Some)
        .ok_or_else(|| format!("COMP-RATIO `{cell}` is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Rounding;

    #[test]
    fn no_devices_prints_nothing() {
        assert_eq!(parse("").unwrap(), []);
    }

    #[test]
    fn blank_streams_and_mountpoint() {
        let input = "\
NAME       ALGORITHM DISKSIZE   DATA COMPR TOTAL STREAMS MOUNTPOINT
/dev/zram1 lzo-rle       256M   152M   94M 95.9M         
/dev/zram0 lz4           512M 169.4M  5.6M  7.7M       4 [SWAP]
";
        let devices = parse(input).unwrap();
        assert_eq!(devices[0].streams, None);
        assert_eq!(devices[0].mountpoint, None);
        assert_eq!(devices[1].streams, Some(4));
        assert_eq!(devices[1].mountpoint.as_deref(), Some("[SWAP]"));
        let data = devices[1].data.unwrap();
        assert_eq!(data.bytes, 177_628_774);
        assert_eq!(
            data.rounding,
            Rounding::Nearest {
                unit: 1 << 20,
                decimals: 1
            }
        );
    }

    #[test]
    fn raw_bytes_without_header() {
        let input = "/dev/zram0 lz4 536870912 177647616 5903681 8052736  [SWAP]\n";
        let device = &parse(input).unwrap()[0];
        assert_eq!(device.disksize, Some(Size::exact(536_870_912)));
        assert_eq!(device.streams, None);
        assert_eq!(device.mountpoint.as_deref(), Some("[SWAP]"));
    }

    #[test]
    fn ratio_and_unknown_columns() {
        let input = "NAME       COMP-RATIO ALGORITHM-PARAMS\n/dev/zram0     2,3047 level=3\n";
        let device = &parse(input).unwrap()[0];
        assert_eq!(device.comp_ratio, Some(2.3047));
        assert_eq!(device.extra["ALGORITHM-PARAMS"], "level=3");
        let bad = parse("NAME COMP-RATIO\n/dev/zram0 NaN\n").unwrap_err();
        assert_eq!(bad.line, 2);
    }
}
