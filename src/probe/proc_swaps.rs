//! Reads `/proc/swaps`, and the same table as `swapon -s` / `swapon --summary` print it.
//!
//! The kernel prints a `Filename Type Size Used Priority` header, then one row per active swap
//! area with sizes in KiB. Only the header means no swap is active: that is an empty list.
//! Empty input is an error, since the file always has its header.
//!
//! The kernel escapes spaces, tabs, newlines and backslashes in file names as `\040` octal;
//! `swapon -s` from util-linux prints the names unescaped, so a name is everything before the
//! last four columns. Sizes are whole KiB the kernel counts in pages, so they are exact.

use serde::{Deserialize, Serialize};

use super::{lines, ParseError, Size};

/// One active swap area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwapArea {
    /// The device or file, unescaped (`/var/tmp/my swap file`).
    pub filename: String,
    /// `partition` (block devices, zram included) or `file`.
    #[serde(rename = "type")]
    pub kind: String,
    pub size: Size,
    pub used: Size,
    /// Higher is used first; the kernel gives areas without one `-2`, `-3`...
    pub priority: i32,
}

pub fn parse(input: &str) -> Result<Vec<SwapArea>, ParseError> {
    let mut rows = lines::non_blank(input);
    let Some((line_no, header)) = rows.next() else {
        return Err(ParseError::whole(
            "empty input: /proc/swaps always starts with its `Filename Type Size Used Priority` header",
        ));
    };
    check_header(line_no, header)?;
    rows.map(|(line_no, line)| parse_row(line_no, line))
        .collect()
}

fn check_header(line_no: usize, header: &str) -> Result<(), ParseError> {
    let words: Vec<&str> = header.split_whitespace().collect();
    if words == ["Filename", "Type", "Size", "Used", "Priority"] {
        return Ok(());
    }
    Err(ParseError::at(
        line_no,
        header,
        "expected the /proc/swaps header `Filename Type Size Used Priority`",
    ))
}

fn parse_row(line_no: usize, line: &str) -> Result<SwapArea, ParseError> {
    let error = |message: &str| ParseError::at(line_no, line, message);
    let words: Vec<&str> = line.split_whitespace().collect();
    let split = words
        .len()
        .checked_sub(4)
        .filter(|&at| at > 0)
        .ok_or_else(|| error("expected filename, type, size, used and priority"))?;
    let (name, rest) = words.split_at(split);
    let [kind, size, used, priority] = rest else {
        return Err(error("expected filename, type, size, used and priority"));
    };
    Ok(SwapArea {
        filename: lines::unescape(&name_text(line, name)),
        kind: (*kind).to_owned(),
        size: kib(size).ok_or_else(|| error("size is not a number of KiB"))?,
        used: kib(used).ok_or_else(|| error("used is not a number of KiB"))?,
        priority: priority
            .parse()
            .map_err(|_| error("priority is not a whole number"))?,
    })
}

/// The file name as printed, with its inner spaces kept (`swapon -s` does not escape them).
fn name_text(line: &str, words: &[&str]) -> String {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return String::new();
    };
    let start = line.find(first).unwrap_or(0);
    let from_start = line.get(start..).unwrap_or_default();
    let end = from_start
        .find(last)
        .map_or(from_start.len(), |at| at + last.len());
    from_start.get(..end).unwrap_or(first).to_owned()
}

fn kib(text: &str) -> Option<Size> {
    let count: u64 = text.parse().ok()?;
    Some(Size::exact(count.checked_mul(1024)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

    #[test]
    fn header_only_is_no_swap() {
        assert_eq!(parse(HEADER).unwrap(), []);
    }

    #[test]
    fn escaped_file_name_and_negative_priority() {
        let input =
            format!("{HEADER}/var/tmp/my\\040swap\\040file      file\t\t65532\t\t0\t\t-2\n");
        let areas = parse(&input).unwrap();
        assert_eq!(areas[0].filename, "/var/tmp/my swap file");
        assert_eq!(areas[0].size, Size::exact(65532 * 1024));
        assert_eq!(areas[0].priority, -2);
    }

    #[test]
    fn swapon_s_prints_spaces_unescaped() {
        let input = format!("{HEADER}/var/tmp/my swap file   file\t\t65532\t\t12\t\t5\r\n");
        let areas = parse(&input).unwrap();
        assert_eq!(areas[0].filename, "/var/tmp/my swap file");
        assert_eq!(areas[0].used, Size::exact(12 * 1024));
    }

    #[test]
    fn refuses_short_rows_and_other_headers() {
        let short = parse(&format!("{HEADER}/dev/zram0 partition 100 0\n")).unwrap_err();
        assert_eq!(short.line, 2);
        assert_eq!(parse("NAME TYPE SIZE USED PRIO\n").unwrap_err().line, 1);
        assert_eq!(parse("\n\n").unwrap_err().line, 0);
    }
}
