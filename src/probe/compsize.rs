//! Reads `compsize` output: the human form (sizes like ` 5.9M`, `232M`, `   6B`) and `-b`
//! (bytes), in every layout compsize has printed:
//!
//! - the first day in git (2017-09-04, before 1.0): a table of four columns, without
//!   `Referenced` (last header word `Uncompressed`, or `Total Usage` hours earlier), read with
//!   [`Usage::referenced`] absent; its very first untabled form (`90320 files.`,
//!   `all   79%  1.4G/ 1.8G`) never reached the README's readers for long and is refused;
//! - before 1.0: `Processed N files.` and a `Data` total row;
//! - 1.0: `Processed N files, N regular extents (N refs), N inline.` and a `Data` total row;
//! - 1.1 to 1.3: the same line but a `TOTAL` row, and no `Processed` line at all for a single
//!   file;
//! - 1.5: `Processed 1 file, ...` is printed for a single file too;
//! - after 1.5 (git): `..., N inline, N fragments.`.
//!
//! Type rows are `none`, `zlib`, `lzo`, `zstd`, `prealloc` (1.4+), or `?N` for a compression
//! type compsize does not know; any name is kept.
//!
//! compsize's human sizes are truncated, never rounded up: it shifts the byte count right by
//! 10 bits until it is below 10240, then prints `x>>10` and one decimal digit `x*10/1024%10`
//! (compsize.c `human_bytes`). So `5.9M` means at least 5.9 MiB and less than 6.0 MiB.
//!
//! When nothing was measured compsize prints `No files.` (also for a path that does not
//! exist) or `All empty or still-delalloced files.` on stderr and exits 1; those read as a
//! value with [`Compsize::empty`] set. Its fatal errors (`...: Not btrfs (or SEARCH_V2
//! unsupported).`, `SEARCH_V2: Operation not permitted` when not root) are parse errors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lines;
use super::size::{Base, RoundMode};
use super::{ParseError, Size};

/// What compsize reported for a set of files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compsize {
    /// The `Processed ...` line; absent when compsize 1.0-1.3 measured a single file.
    pub processed: Option<Processed>,
    /// The `TOTAL` row (`Data` before 1.1); `None` only when [`Compsize::empty`] is set.
    pub total: Option<Usage>,
    /// One row per extent type, keyed by the name compsize printed (`none`, `zstd`, ...).
    pub types: BTreeMap<String, Usage>,
    /// Set when compsize found nothing to measure.
    pub empty: Option<Empty>,
    /// `<path>: <error>` lines compsize printed while walking (e.g. `Permission denied`),
    /// when stderr was captured with stdout.
    pub warnings: Vec<String>,
}

/// The counters of the `Processed ...` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Processed {
    pub files: u64,
    /// Absent in the pre-1.0 `Processed N files.` form.
    pub regular_extents: Option<u64>,
    pub refs: Option<u64>,
    pub inline: Option<u64>,
    /// Printed by compsize after 1.5 only.
    pub fragments: Option<u64>,
    /// Any further `, ...` part of the line, as printed.
    pub extra: Vec<String>,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// `Perc`: disk usage × 100 / uncompressed, truncated to an integer by compsize.
    pub percent: u32,
    pub disk_usage: Size,
    pub uncompressed: Size,
    /// `None` when the table had no `Referenced` column (compsize's first day in git).
    pub referenced: Option<Size>,
}

/// Why compsize measured nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Empty {
    /// `No files.`: no regular file (or the path does not exist).
    NoFiles,
    /// `All empty or still-delalloced files.`: files exist but hold no data on disk yet.
    AllEmptyOrDelalloced,
}

pub fn parse(input: &str) -> Result<Compsize, ParseError> {
    let mut report = Compsize {
        processed: None,
        total: None,
        types: BTreeMap::new(),
        empty: None,
        warnings: Vec::new(),
    };
    // Whether the table has a `Referenced` column, once its header is read.
    let mut table: Option<bool> = None;
    let mut last = None;
    for (number, line) in lines::non_blank(input) {
        last = Some((number, line));
        match table {
            Some(referenced) => read_row(&mut report, referenced, number, line)?,
            None => table = read_preamble(&mut report, number, line)?,
        }
    }
    finish(report, table.is_some(), last)
}

/// Reads a line before the table header; when `line` is that header, whether it has the
/// `Referenced` column.
fn read_preamble(
    report: &mut Compsize,
    number: usize,
    line: &str,
) -> Result<Option<bool>, ParseError> {
    let text = line.trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.starts_with(&["Type", "Perc"]) {
        return header(&words)
            .map(Some)
            .ok_or_else(|| ParseError::at(number, line, "unknown compsize table header"));
    }
    if report.empty.is_some() {
        return Err(ParseError::at(
            number,
            line,
            "unexpected line after compsize's empty result",
        ));
    }
    match text {
        "No files." => report.empty = Some(Empty::NoFiles),
        "All empty or still-delalloced files." => report.empty = Some(Empty::AllEmptyOrDelalloced),
        _ if text.starts_with("Processed ") => {
            report.processed = Some(processed(text).map_err(|m| ParseError::at(number, line, m))?)
        }
        _ if is_fatal(text) => {
            return Err(ParseError::at(
                number,
                line,
                "compsize failed instead of measuring",
            ))
        }
        _ if is_walk_warning(text) => report.warnings.push(text.to_owned()),
        _ if is_first_day_count(&words) => {
            return Err(ParseError::at(
                number,
                line,
                "compsize's untabled output of its first day in git (`N files.`) is not read",
            ))
        }
        _ => return Err(ParseError::at(number, line, "not compsize output")),
    }
    Ok(None)
}

/// `Type Perc Disk Usage Uncompressed Referenced` → true; the first day's four columns
/// (`... Uncompressed`, or `... Total Usage` before that was renamed) → false.
fn header(words: &[&str]) -> Option<bool> {
    match words {
        ["Type", "Perc", "Disk", "Usage", "Uncompressed", "Referenced"] => Some(true),
        ["Type", "Perc", "Disk", "Usage", "Uncompressed"]
        | ["Type", "Perc", "Disk", "Usage", "Total", "Usage"] => Some(false),
        _ => None,
    }
}

/// `90320 files.`: the count line of compsize's first hours, before `Processed`.
fn is_first_day_count(words: &[&str]) -> bool {
    matches!(words, [n, "files."] if n.bytes().all(|b| b.is_ascii_digit()))
}

/// compsize's `die()` messages: it stops and prints no table.
fn is_fatal(text: &str) -> bool {
    [
        "Not btrfs",
        "SEARCH_V2",
        "open(\"",
        "stat(\"",
        "opendir(\"",
        "Out of memory",
        "?!?",
    ]
    .iter()
    .any(|marker| text.contains(marker))
}

/// `<path>: <strerror>`, printed for files compsize may not open; it goes on.
fn is_walk_warning(text: &str) -> bool {
    text.starts_with('/') && text.contains(": ")
}

fn finish(
    report: Compsize,
    header_seen: bool,
    last: Option<(usize, &str)>,
) -> Result<Compsize, ParseError> {
    if report.empty.is_some() {
        return Ok(report);
    }
    let Some((number, line)) = last else {
        return Err(ParseError::whole(
            "empty input: compsize prints a table or `No files.`",
        ));
    };
    if !header_seen {
        return Err(ParseError::at(
            number,
            line,
            "no `Type Perc Disk Usage ...` table header",
        ));
    }
    if report.total.is_none() {
        return Err(ParseError::at(
            number,
            line,
            "table has no TOTAL row: output is truncated",
        ));
    }
    Ok(report)
}

/// `Processed 27480 files, 7170 regular extents (7171 refs), 20671 inline, 27481 fragments.`
fn processed(text: &str) -> Result<Processed, String> {
    let body = text.strip_prefix("Processed ").unwrap_or(text);
    let body = body.strip_suffix('.').unwrap_or(body);
    let mut parts = body.split(',').map(str::trim);
    let files = parts
        .next()
        .and_then(|first| counted(first, &["files", "file"]));
    let mut processed = Processed {
        files: files.ok_or("expected `Processed N files`")?,
        regular_extents: None,
        refs: None,
        inline: None,
        fragments: None,
        extra: Vec::new(),
    };
    for part in parts {
        read_counter(&mut processed, part)?;
    }
    Ok(processed)
}

fn read_counter(processed: &mut Processed, part: &str) -> Result<(), String> {
    if let Some((extents, refs)) = part.split_once('(') {
        processed.regular_extents = counted(extents.trim(), &["regular extents"]);
        processed.refs = counted(refs.trim_end_matches(')'), &["refs"]);
        if processed.regular_extents.is_none() || processed.refs.is_none() {
            return Err(format!(
                "expected `N regular extents (N refs)`, not `{part}`"
            ));
        }
    } else if let Some(n) = counted(part, &["inline"]) {
        processed.inline = Some(n);
    } else if let Some(n) = counted(part, &["fragments", "fragment"]) {
        processed.fragments = Some(n);
    } else {
        processed.extra.push(part.to_owned());
    }
    Ok(())
}

/// `"7170 regular extents"` with noun `regular extents` → 7170.
fn counted(part: &str, nouns: &[&str]) -> Option<u64> {
    let (number, noun) = part.split_once(' ')?;
    if !nouns.contains(&noun.trim()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

fn read_row(
    report: &mut Compsize,
    with_referenced: bool,
    number: usize,
    line: &str,
) -> Result<(), ParseError> {
    let fail = |message: &str| ParseError::at(number, line, message);
    let cells: Vec<&str> = line.split_whitespace().collect();
    let (name, percent, disk, uncompressed, referenced) = match (with_referenced, &cells[..]) {
        (true, &[name, percent, disk, uncompressed, referenced]) => {
            (name, percent, disk, uncompressed, Some(referenced))
        }
        (false, &[name, percent, disk, uncompressed]) => (name, percent, disk, uncompressed, None),
        (true, _) => {
            return Err(fail(
                "expected 5 columns: type, percent, disk usage, uncompressed, referenced",
            ))
        }
        (false, _) => {
            return Err(fail(
                "expected 4 columns, as the header: type, percent, disk usage, uncompressed",
            ))
        }
    };
    let usage = Usage {
        percent: percent_of(percent).ok_or_else(|| fail("bad percent"))?,
        disk_usage: size(disk).ok_or_else(|| fail("bad disk usage size"))?,
        uncompressed: size(uncompressed).ok_or_else(|| fail("bad uncompressed size"))?,
        referenced: match referenced {
            Some(cell) => Some(size(cell).ok_or_else(|| fail("bad referenced size"))?),
            None => None,
        },
    };
    if matches!(name, "TOTAL" | "Data") && report.total.is_none() {
        report.total = Some(usage);
    } else if report.types.insert(name.to_owned(), usage).is_some() {
        return Err(fail("type row printed twice"));
    }
    Ok(())
}

fn percent_of(text: &str) -> Option<u32> {
    let digits = text.strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A human size (`5.9M`, `232M`, `6B`) or, with `-b`, a byte count.
fn size(text: &str) -> Option<Size> {
    // compsize always prints a unit letter or nothing; a bare `K`-less "i" suffix is not its.
    if text.contains('i') {
        return None;
    }
    Size::parse_human(text, Base::Binary, RoundMode::Down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Rounding;

    const HUMAN: &str = "\
Processed 3 files, 4 regular extents (5 refs), 1 inline, 3 fragments.
Type       Perc     Disk Usage   Uncompressed Referenced  
TOTAL       31%      5.9M          18M          18M       
none       100%        6B           6B           6B       
?7          12%       10K          80K          80K       
";

    #[test]
    fn human_sizes_are_truncated() {
        let report = parse(HUMAN).unwrap();
        let total = report.total.unwrap();
        assert_eq!(total.percent, 31);
        assert_eq!(total.disk_usage.bytes, 6_186_598); // 5.9 × 2^20, nearest byte
        assert_eq!(
            total.disk_usage.rounding,
            Rounding::Down {
                unit: 1 << 20,
                decimals: 1
            }
        );
        assert_eq!(total.uncompressed.bytes, 18 << 20);
        assert_eq!(report.types["none"].disk_usage, Size::exact(6));
        assert_eq!(report.types["?7"].percent, 12);
    }

    #[test]
    fn processed_line_with_fragments() {
        let processed = parse(HUMAN).unwrap().processed.unwrap();
        assert_eq!(
            (processed.files, processed.regular_extents, processed.refs),
            (3, Some(4), Some(5))
        );
        assert_eq!((processed.inline, processed.fragments), (Some(1), Some(3)));
    }

    #[test]
    fn oldest_layout_has_data_row_and_bare_file_count() {
        let input =
            "Processed 62 files.\nType       Perc     Disk Usage   Uncompressed Referenced\n\
                     Data        69%       72G         104G         141G\n\
                     zstd        52%       34G          66G          95G\n";
        let report = parse(input).unwrap();
        assert_eq!(report.processed.unwrap().regular_extents, None);
        assert_eq!(report.total.unwrap().referenced.unwrap().bytes, 141 << 30);
        assert_eq!(report.types.len(), 1);
    }

    #[test]
    fn bytes_are_exact_and_one_file_is_singular() {
        let input = "Processed 1 file, 1 regular extents (2 refs), 0 inline.\r\n\
                     Type       Perc     Disk Usage   Uncompressed Referenced\r\n\
                     TOTAL      100%     8388608      8388608      36864\r\n";
        let report = parse(input).unwrap();
        assert_eq!(report.processed.unwrap().files, 1);
        assert_eq!(report.total.unwrap().referenced, Some(Size::exact(36864)));
    }

    #[test]
    fn first_day_table_has_no_referenced_column() {
        let input = "Processed 22988 files.\n\
                     Type       Perc     Disk Usage   Total Usage \n\
                     Data        70%      113M         161M       \n\
                     zstd        26%       17M          65M       \n";
        let report = parse(input).unwrap();
        let total = report.total.unwrap();
        assert_eq!((total.percent, total.referenced), (70, None));
        assert_eq!(report.types["zstd"].uncompressed.bytes, 65 << 20);
        let short = "Type       Perc     Disk Usage   Uncompressed\nData 70% 113M\n";
        assert_eq!(parse(short).unwrap_err().line, 2);
        assert_eq!(
            parse("90320 files.\nall   79%  1.4G/ 1.8G\n")
                .unwrap_err()
                .line,
            1
        );
    }

    #[test]
    fn nothing_measured_is_a_value() {
        assert_eq!(parse("No files.\n").unwrap().empty, Some(Empty::NoFiles));
        let report = parse("All empty or still-delalloced files.\n").unwrap();
        assert_eq!(report.empty, Some(Empty::AllEmptyOrDelalloced));
        assert_eq!(report.total, None);
    }

    #[test]
    fn refusals_name_the_line() {
        let err = parse("/etc/x: Not btrfs (or SEARCH_V2 unsupported).\n").unwrap_err();
        assert_eq!(err.line, 1);
        let truncated = "Processed 2 files, 1 regular extents (1 refs), 1 inline.\n\
                         Type       Perc     Disk Usage   Uncompressed Referenced\n";
        assert_eq!(parse(truncated).unwrap_err().line, 2);
        let bad = "Type Perc Disk Usage Uncompressed Referenced\nTOTAL 5% 1.0Gi 2G 2G\n";
        assert_eq!(parse(bad).unwrap_err().line, 2);
        assert_eq!(parse("").unwrap_err().line, 0);
    }
}
