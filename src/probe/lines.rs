//! Small helpers for line- and column-oriented command output.

/// Builds one row's value from its cells, each named by its header column; `set` stores a
/// cell in the value or says why it cannot. For util-linux tables (`swapon`, `zramctl`).
pub fn fill_row<T: Default>(
    line_no: usize,
    line: &str,
    names: &[&str],
    cells: &[String],
    set: impl Fn(&mut T, &str, &str) -> Result<(), String>,
) -> Result<T, super::ParseError> {
    if cells.len() > names.len() {
        return Err(super::ParseError::at(
            line_no,
            line,
            "more cells than the header has columns",
        ));
    }
    let mut row = T::default();
    for (name, cell) in names.iter().zip(cells) {
        set(&mut row, name, cell.trim())
            .map_err(|message| super::ParseError::at(line_no, line, message))?;
    }
    Ok(row)
}

/// A util-linux size cell (`512M`, `0B`, or bytes with `--bytes`); empty is `None`.
pub fn util_linux_size(column: &str, cell: &str) -> Result<Option<super::Size>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    super::Size::parse_util_linux(cell)
        .map(Some)
        .ok_or_else(|| format!("{column} `{cell}` is not a size"))
}

/// The lines of `input` with their 1-based numbers, without trailing `\r`.
pub fn numbered(input: &str) -> impl Iterator<Item = (usize, &str)> {
    input
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim_end_matches('\r')))
}

/// The non-blank lines of `input` with their 1-based numbers.
pub fn non_blank(input: &str) -> impl Iterator<Item = (usize, &str)> {
    numbered(input).filter(|(_, line)| !line.trim().is_empty())
}

/// A column of an aligned table, found from its header line: where the header word lies,
/// counted in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub start: usize,
    pub end: usize,
}

/// The columns of a header line of an aligned table (util-linux libsmartcols, `df`), one per
/// whitespace-separated word.
pub fn header_columns(header: &str) -> Vec<Column> {
    tokens(header)
        .into_iter()
        .map(|(start, end, name)| Column {
            name: name.to_owned(),
            start,
            end,
        })
        .collect()
}

/// Splits a row of an aligned table into one cell per column (empty when the row has nothing
/// there).
///
/// libsmartcols aligns a cell to the left edge of its header word (text columns) or to its
/// right edge (numbers), so every cell overlaps its header word; a word that overlaps no header
/// word is the continuation of the cell before it, which keeps names with spaces whole
/// (`/var/tmp/my swap file`). Words left of the first column belong to the first column.
pub fn split_aligned(row: &str, columns: &[Column]) -> Vec<String> {
    let mut spans: Vec<Option<(usize, usize)>> = vec![None; columns.len()];
    let mut current = 0;
    for (start, end, _) in tokens(row) {
        if let Some(index) = columns.iter().position(|c| start < c.end && c.start < end) {
            current = index;
        }
        if let Some(span) = spans.get_mut(current) {
            *span = Some(match *span {
                Some((first, _)) => (first, end),
                None => (start, end),
            });
        }
    }
    let chars: Vec<char> = row.chars().collect();
    spans
        .into_iter()
        .map(|span| match span {
            Some((start, end)) => chars.get(start..end).unwrap_or_default().iter().collect(),
            None => String::new(),
        })
        .collect()
}

/// Splits the rows under `header` of a util-linux (libsmartcols) table into cells, in either
/// of its two layouts.
///
/// `--raw` separates cells by exactly one space, leaves empty cells empty and escapes spaces
/// inside cells as `\x20`, so every row splits into as many cells as the header has names;
/// otherwise the table is aligned and is split by [`split_aligned`].
pub fn smartcols_rows(header: &str, rows: &[(usize, &str)]) -> Vec<Vec<String>> {
    let columns = header_columns(header);
    let raw = !header.contains("  ")
        && rows
            .iter()
            .all(|(_, row)| row.split(' ').count() == columns.len());
    rows.iter()
        .map(|(_, row)| {
            if raw {
                row.split(' ').map(unescape).collect()
            } else {
                split_aligned(row, &columns)
            }
        })
        .collect()
}

/// The whitespace-separated words of `line` with their character ranges.
fn tokens(line: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut char_index = 0;
    for (byte, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some((char_index, byte)),
            (true, Some((from, from_byte))) => {
                found.push((from, char_index, &line[from_byte..byte]));
                start = None;
            }
            _ => {}
        }
        char_index += 1;
    }
    if let Some((from, from_byte)) = start {
        found.push((from, char_index, &line[from_byte..]));
    }
    found
}

/// Undoes the `\xHH` escapes of util-linux `--raw` output and the octal `\040` escapes of
/// `/proc/swaps` and `/proc/mounts`; anything else is kept as it is.
pub fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        let escaped = if b == b'\\' {
            escaped_byte(bytes.get(at + 1..).unwrap_or_default())
        } else {
            None
        };
        match escaped {
            Some((value, used)) => {
                out.push(value);
                at += 1 + used;
            }
            None => {
                out.push(b);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The byte an escape after a backslash stands for, and how many bytes the escape used.
fn escaped_byte(rest: &[u8]) -> Option<(u8, usize)> {
    match rest {
        [b'x', hi, lo, ..] => {
            let text = std::str::from_utf8(&[*hi, *lo]).ok()?.to_owned();
            Some((u8::from_str_radix(&text, 16).ok()?, 3))
        }
        [a, b, c, ..] if [a, b, c].iter().all(|d| (b'0'..=b'7').contains(d)) => {
            let value = u32::from(a - b'0') * 64 + u32::from(b - b'0') * 8 + u32::from(c - b'0');
            Some((u8::try_from(value).ok()?, 3))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_cells_keep_spaces_and_empty_cells() {
        let header = "NAME                         TYPE      SIZE   USED PRIO UUID LABEL";
        let row = "/var/tmp/pbswap/my swap file file       64M     0B    5";
        let cells = split_aligned(row, &header_columns(header));
        assert_eq!(
            cells,
            [
                "/var/tmp/pbswap/my swap file",
                "file",
                "64M",
                "0B",
                "5",
                "",
                ""
            ]
        );
    }

    #[test]
    fn empty_cell_in_the_middle() {
        let header = "NAME       ALGORITHM DISKSIZE   DATA COMPR TOTAL STREAMS MOUNTPOINT";
        let row = "/dev/zram0 lz4           512M 169.4M  5.6M  7.7M         [SWAP]";
        let cells = split_aligned(row, &header_columns(header));
        assert_eq!(
            cells,
            [
                "/dev/zram0",
                "lz4",
                "512M",
                "169.4M",
                "5.6M",
                "7.7M",
                "",
                "[SWAP]"
            ]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(unescape(r"/var/my\x20swap\040file"), "/var/my swap file");
        assert_eq!(unescape(r"a\\b\x2"), r"a\\b\x2");
        assert_eq!(unescape("é\\"), "é\\");
    }
}
