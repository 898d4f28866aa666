//! Reads `findmnt` output in all its forms, with any column set (`-o`).
//!
//! Variants read:
//! - the default tree, with Unicode (`├─`, `└─`, `│`) or ASCII (`|-`, `` `- ``, `|`) glyphs;
//! - `--list` (`-l`) and any aligned table, `-D` (df style) included;
//! - `--raw` (`-r`, one space between columns, blanks escaped as `\x20`);
//! - `--pairs` (`-P`, `KEY="value"`);
//! - `--json` (`-J`), tree (`children`) or list;
//! - any of the three tables without its header (`-n`, `--noheadings`) when it has the default
//!   columns `TARGET SOURCE FSTYPE OPTIONS`: FSTYPE and OPTIONS never hold a space and SOURCE
//!   hardly ever does, so such a row splits from the right and the target keeps its spaces.
//!
//! A table row is a mount, so a row without a target, source or file system type (a shell's
//! `rc=0` or prompt pasted after the table, a cell wrapped onto its own line) is refused with
//! its line rather than read as a mount with empty fields: every findmnt row has them.
//!
//! `SOURCE` is split into device and subvolume: findmnt prints a Btrfs subvolume (or the root
//! of a bind mount) as `/dev/vda2[/@nix]`. `SIZE`/`USED`/`AVAIL` become [`Size`]s: util-linux
//! prints them in powers of 1024 rounded to the nearest tenth (`size_to_human_string`), or in
//! bytes with `-b`. Columns not named here are kept in `extra` under their header name.
//! Empty input is an error: findmnt prints at least the root mount and a header.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lines::non_blank;
use super::mount::{split_options, BtrfsOptions, MountOption};
use super::size::{Base, RoundMode};
use super::{ParseError, Rounding, Size};

/// What findmnt printed: its form, the columns and one entry per mount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Findmnt {
    pub format: Format,
    /// Column names as the header (or the keys) gave them, upper case.
    pub columns: Vec<String>,
    pub filesystems: Vec<Filesystem>,
}

/// The output form findmnt was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Tree,
    List,
    Raw,
    Pairs,
    JsonTree,
    JsonList,
}

/// One mount; a field is `None` when its column was not printed or the cell was empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filesystem {
    pub target: Option<String>,
    /// `SOURCE` as printed.
    pub source: Option<String>,
    /// `SOURCE` without its `[...]` suffix.
    pub device: Option<String>,
    /// The `[...]` suffix of `SOURCE`: the Btrfs subvolume, or the bound directory.
    pub subvolume: Option<String>,
    pub fstype: Option<String>,
    pub options: Option<Vec<MountOption>>,
    pub btrfs: Option<BtrfsOptions>,
    pub size: Option<Size>,
    pub used: Option<Size>,
    pub avail: Option<Size>,
    pub use_percent: Option<u8>,
    /// Nesting level in a tree (0 for the root), `None` in flat forms.
    pub depth: Option<usize>,
    pub extra: BTreeMap<String, String>,
}

/// Reads findmnt output in any of the forms in the module doc.
pub fn parse(input: &str) -> Result<Findmnt, ParseError> {
    let (number, first) = non_blank(input)
        .next()
        .ok_or_else(|| ParseError::whole("empty input: findmnt prints at least a header"))?;
    let first = first.trim_start();
    if first.starts_with('{') {
        return json::parse(input);
    }
    if looks_like_pairs(first) {
        return pairs::parse(input);
    }
    table::parse(input).map_err(|err| match err.line {
        0 => ParseError::at(number, first, err.message),
        _ => err,
    })
}

/// `TARGET="/" SOURCE=...`: a key in capitals followed by `="`.
fn looks_like_pairs(line: &str) -> bool {
    line.split_once("=\"")
        .is_some_and(|(key, _)| is_column_name(key))
}

/// Header names: `TARGET`, `USE%`, `MAJ:MIN`, `FS-OPTIONS`, `USE_PCT`.
fn is_column_name(word: &str) -> bool {
    !word.is_empty()
        && word.chars().any(|c| c.is_ascii_uppercase())
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "%:_-.".contains(c))
}

/// Builds an entry from `(column, cell)` pairs; empty cells count as absent.
fn entry(cells: impl IntoIterator<Item = (String, String)>, depth: Option<usize>) -> Filesystem {
    let mut fs = Filesystem {
        target: None,
        source: None,
        device: None,
        subvolume: None,
        fstype: None,
        options: None,
        btrfs: None,
        size: None,
        used: None,
        avail: None,
        use_percent: None,
        depth,
        extra: BTreeMap::new(),
    };
    for (column, cell) in cells {
        if !cell.is_empty() {
            fs.set(&column, cell);
        }
    }
    fs.btrfs = match (&fs.fstype, &fs.options) {
        (Some(t), Some(options)) if t == "btrfs" => Some(BtrfsOptions::from_options(options)),
        _ => None,
    };
    fs
}

impl Filesystem {
    fn set(&mut self, column: &str, cell: String) {
        match column {
            "TARGET" => self.target = Some(cell),
            "SOURCE" => {
                let (device, subvolume) = split_source(&cell);
                self.device = Some(device);
                self.subvolume = subvolume;
                self.source = Some(cell);
            }
            "FSTYPE" => self.fstype = Some(cell),
            "OPTIONS" => self.options = Some(split_options(&cell)),
            "SIZE" | "USED" | "AVAIL" => match findmnt_size(&cell) {
                Some(size) => *self.size_slot(column) = Some(size),
                None => {
                    self.extra.insert(column.to_owned(), cell);
                }
            },
            "USE%" | "USE_PCT" => match percent(&cell) {
                Some(pct) => self.use_percent = Some(pct),
                None if cell == "-" => {}
                None => {
                    self.extra.insert(column.to_owned(), cell);
                }
            },
            _ => {
                self.extra.insert(column.to_owned(), cell);
            }
        }
    }

    fn size_slot(&mut self, column: &str) -> &mut Option<Size> {
        match column {
            "SIZE" => &mut self.size,
            "USED" => &mut self.used,
            _ => &mut self.avail,
        }
    }
}

/// `/dev/vda2[/@nix]` → (`/dev/vda2`, `/@nix`). A source that merely ends in `]` without a
/// `[` before it (an NFS export such as `[::1]:/srv`) is left whole.
fn split_source(source: &str) -> (String, Option<String>) {
    if let Some(inner) = source.strip_suffix(']') {
        if let Some((device, root)) = inner.rsplit_once('[') {
            if !device.is_empty() && root.starts_with('/') {
                return (device.to_owned(), Some(root.to_owned()));
            }
        }
    }
    (source.to_owned(), None)
}

/// `854.9M` (nearest tenth, powers of 1024) or `1073741824` with `-b` (and in JSON numbers).
fn findmnt_size(cell: &str) -> Option<Size> {
    if cell.bytes().all(|b| b.is_ascii_digit()) {
        return cell.parse().ok().map(Size::exact);
    }
    let size = Size::parse_human(cell, Base::Binary, RoundMode::Nearest)?;
    // util-linux drops a `.0`, so `1G` is as precise as `1.1G`: one decimal.
    Some(match size.rounding {
        Rounding::Nearest { unit, decimals: 0 } if unit > 1 => Size {
            bytes: size.bytes,
            rounding: Rounding::Nearest { unit, decimals: 1 },
        },
        _ => size,
    })
}

fn percent(cell: &str) -> Option<u8> {
    cell.strip_suffix('%')?.parse().ok()
}

/// Decodes libsmartcols' `\xHH` escapes (raw and pairs output).
fn unhex(text: &str) -> String {
    if !text.contains("\\x") {
        return text.to_owned();
    }
    let raw = text.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let hex = raw
            .get(i + 2..i + 4)
            .filter(|_| b == b'\\' && raw.get(i + 1) == Some(&b'x'))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Aligned tables (tree, list, `-D`) and `--raw`.
mod table {
    use super::*;

    /// A header cell or a word of a row, with its first and one-past-last char column.
    struct Word<'a> {
        text: &'a str,
        start: usize,
        end: usize,
        byte_start: usize,
        byte_end: usize,
    }

    pub(super) fn parse(input: &str) -> Result<Findmnt, ParseError> {
        let mut rows = non_blank(input);
        let (_, header) = rows.next().ok_or_else(|| ParseError::whole("empty"))?;
        let columns = words(header);
        if columns.is_empty() || !columns.iter().all(|c| is_column_name(c.text)) {
            return headerless::parse(input);
        }
        let names: Vec<String> = columns.iter().map(|c| c.text.to_owned()).collect();
        let rows: Vec<(usize, &str)> = rows.collect();
        if is_raw(header, &rows, names.len()) {
            return Ok(raw(names, &rows));
        }
        aligned(names, &columns, &rows)
    }

    fn words(line: &str) -> Vec<Word<'_>> {
        let mut found = Vec::new();
        let mut start: Option<(usize, usize)> = None;
        for (col, (byte, c)) in line.char_indices().enumerate() {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some((col, byte)),
                (true, Some((scol, sbyte))) => {
                    found.push(word(line, sbyte, byte, scol, col));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some((scol, sbyte)) = start {
            found.push(word(line, sbyte, line.len(), scol, line.chars().count()));
        }
        found
    }

    fn word(line: &str, from: usize, to: usize, start: usize, end: usize) -> Word<'_> {
        Word {
            text: line.get(from..to).unwrap_or(""),
            start,
            end,
            byte_start: from,
            byte_end: to,
        }
    }

    /// Raw output separates cells by exactly one space (empty cells leave two).
    fn is_raw(header: &str, rows: &[(usize, &str)], count: usize) -> bool {
        header.trim().split(' ').count() == count
            && rows.iter().all(|(_, row)| row.split(' ').count() == count)
    }

    fn raw(names: Vec<String>, rows: &[(usize, &str)]) -> Findmnt {
        let filesystems = rows
            .iter()
            .map(|(_, row)| {
                let cells = names.iter().cloned().zip(row.split(' ').map(unhex));
                entry(cells, None)
            })
            .collect();
        Findmnt {
            format: Format::Raw,
            columns: names,
            filesystems,
        }
    }

    fn aligned(
        names: Vec<String>,
        columns: &[Word<'_>],
        rows: &[(usize, &str)],
    ) -> Result<Findmnt, ParseError> {
        let target = names.iter().position(|n| n == "TARGET");
        let mut tree = false;
        let mut filesystems = Vec::with_capacity(rows.len());
        for &(number, row) in rows {
            let mut cells = assign(columns, row);
            let depth = match target.and_then(|t| cells.get_mut(t)) {
                Some(cell) => strip_tree(cell),
                None => 0,
            };
            tree |= depth > 0;
            check_row(&names, &cells, number, row)?;
            filesystems.push((depth, cells));
        }
        let filesystems = filesystems
            .into_iter()
            .map(|(depth, cells)| {
                let cells = names.iter().cloned().zip(cells);
                entry(cells, tree.then_some(depth))
            })
            .collect();
        Ok(Findmnt {
            format: if tree { Format::Tree } else { Format::List },
            columns: names,
            filesystems,
        })
    }

    /// Refuses a row that lacks a cell findmnt always fills: it is no mount (`rc=0` after
    /// the table, a prompt, a cell wrapped onto a line of its own).
    pub(super) fn check_row(
        names: &[String],
        cells: &[String],
        number: usize,
        row: &str,
    ) -> Result<(), ParseError> {
        for (name, cell) in names.iter().zip(cells) {
            if cell.is_empty() && ["TARGET", "SOURCE", "FSTYPE"].contains(&name.as_str()) {
                return Err(ParseError::at(
                    number,
                    row,
                    format!("not a findmnt row: no {name} (every mount has one)"),
                ));
            }
        }
        Ok(())
    }

    /// Puts each word of `row` into the column whose header it overlaps (right-aligned
    /// columns such as SIZE end under their header), else into the last column whose header
    /// starts at or before it (the rest of a left-aligned cell such as `/mnt/My Disk`).
    fn assign(columns: &[Word<'_>], row: &str) -> Vec<String> {
        let mut cells: Vec<Vec<Word<'_>>> = columns.iter().map(|_| Vec::new()).collect();
        for word in words(row) {
            let overlapping = columns
                .iter()
                .position(|c| word.start < c.end && c.start < word.end);
            let before = columns.iter().rposition(|c| c.start <= word.start);
            let index = overlapping.or(before).unwrap_or(0);
            if let Some(cell) = cells.get_mut(index) {
                cell.push(word);
            }
        }
        cells.iter().map(|words| join(row, words)).collect()
    }

    /// The text of `row` from the first to the last word, inner spacing kept.
    fn join(row: &str, words: &[Word<'_>]) -> String {
        let (Some(first), Some(last)) = (words.first(), words.last()) else {
            return String::new();
        };
        row.get(first.byte_start..last.byte_end)
            .unwrap_or("")
            .to_owned()
    }

    /// Removes the tree glyphs before a target and returns the depth they encode (two
    /// columns per level: `├─`, `│ └─`, `|-`, `` | `- ``).
    pub(super) fn strip_tree(cell: &mut String) -> usize {
        let glyphs = cell.chars().take_while(|c| "│├└─|`- ".contains(*c)).count();
        if glyphs == 0 {
            return 0;
        }
        let cut = cell
            .char_indices()
            .nth(glyphs)
            .map_or(cell.len(), |(at, _)| at);
        *cell = cell.get(cut..).unwrap_or("").to_owned();
        glyphs / 2
    }
}

/// `-n`: the default columns without their header.
mod headerless {
    use super::table::{check_row, strip_tree};
    use super::*;

    const DEFAULT: [&str; 4] = ["TARGET", "SOURCE", "FSTYPE", "OPTIONS"];

    pub(super) fn parse(input: &str) -> Result<Findmnt, ParseError> {
        let names: Vec<String> = DEFAULT.iter().map(|n| (*n).to_owned()).collect();
        let rows: Vec<(usize, &str)> = non_blank(input).collect();
        let mut tree = false;
        let mut read = Vec::with_capacity(rows.len());
        for &(number, row) in &rows {
            let mut cells = cells(row).ok_or_else(|| refusal(number, row))?;
            let depth = cells.first_mut().map_or(0, strip_tree);
            tree |= depth > 0;
            check_row(&names, &cells, number, row)?;
            if !plausible(&cells) {
                return Err(refusal(number, row));
            }
            read.push((depth, cells));
        }
        let format = match tree {
            true => Format::Tree,
            false if is_raw(&rows) => Format::Raw,
            false => Format::List,
        };
        let filesystems = read
            .into_iter()
            .map(|(depth, cells)| entry(names.iter().cloned().zip(cells), tree.then_some(depth)))
            .collect();
        Ok(Findmnt {
            format,
            columns: names,
            filesystems,
        })
    }

    fn refusal(number: usize, row: &str) -> ParseError {
        ParseError::at(
            number,
            row,
            "neither a findmnt header nor a row of its default columns TARGET SOURCE FSTYPE OPTIONS",
        )
    }

    /// The last three words are OPTIONS, FSTYPE and SOURCE; the rest, tree glyphs and spaces
    /// kept, is the TARGET.
    fn cells(row: &str) -> Option<Vec<String>> {
        let (rest, options) = row.trim_end().rsplit_once(char::is_whitespace)?;
        let (rest, fstype) = rest.trim_end().rsplit_once(char::is_whitespace)?;
        let (target, source) = rest.trim_end().rsplit_once(char::is_whitespace)?;
        let target = target.trim_end();
        Some([target, source, fstype, options].map(unhex).to_vec())
    }

    /// A mount's target is absolute and its options are `rw,...`, not `mount`'s `(rw,...)`.
    fn plausible(cells: &[String]) -> bool {
        let target = cells.first().map_or("", String::as_str);
        let options = cells.get(3).map_or("", String::as_str);
        target.starts_with('/') && !options.starts_with('(')
    }

    /// `--raw` puts exactly one space between cells, so its SOURCE column does not line up
    /// the way an aligned list's does (one row is a list: the two look the same).
    fn is_raw(rows: &[(usize, &str)]) -> bool {
        let single = rows.iter().all(|(_, row)| row.split(' ').count() == 4);
        let mut starts = rows.iter().map(|(_, row)| row.rfind(' ').unwrap_or(0));
        let first = starts.next();
        single && starts.any(|start| Some(start) != first)
    }
}

/// `--pairs`: `TARGET="/" SOURCE="/dev/vda2[/@]" ...` per line.
mod pairs {
    use super::*;

    pub(super) fn parse(input: &str) -> Result<Findmnt, ParseError> {
        let mut columns: Vec<String> = Vec::new();
        let mut filesystems = Vec::new();
        for (number, line) in non_blank(input) {
            let cells = line_pairs(line.trim())
                .ok_or_else(|| ParseError::at(number, line, "not a KEY=\"value\" line"))?;
            for (key, _) in &cells {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
            let cells = cells.into_iter().map(|(k, v)| (normalise(&k), v));
            filesystems.push(entry(cells, None));
        }
        Ok(Findmnt {
            format: Format::Pairs,
            columns,
            filesystems,
        })
    }

    /// `USE_PCT` is how newer findmnt spells `USE%` in shell-safe pairs.
    fn normalise(key: &str) -> String {
        match key {
            "USE_PCT" => "USE%".to_owned(),
            _ => key.to_owned(),
        }
    }

    fn line_pairs(mut rest: &str) -> Option<Vec<(String, String)>> {
        let mut cells = Vec::new();
        while !rest.is_empty() {
            let (key, after) = rest.split_once("=\"")?;
            if !is_column_name(key) {
                return None;
            }
            let (value, after) = after.split_once('"')?;
            cells.push((key.to_owned(), unhex(value)));
            rest = after.trim_start();
        }
        (!cells.is_empty()).then_some(cells)
    }
}

/// `--json`: `{"filesystems": [...]}`, nested through `children` in tree mode.
mod json {
    use super::*;
    use serde_json::Value;

    pub(super) fn parse(input: &str) -> Result<Findmnt, ParseError> {
        let value: Value = serde_json::from_str(input).map_err(|err| {
            let line = err.line();
            let text = input.lines().nth(line.saturating_sub(1)).unwrap_or("");
            ParseError::at(line.max(1), text, format!("invalid JSON: {err}"))
        })?;
        let list = value
            .get("filesystems")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::whole("JSON has no \"filesystems\" array"))?;
        let tree = list.iter().any(|fs| fs.get("children").is_some());
        let mut out = Findmnt {
            format: if tree {
                Format::JsonTree
            } else {
                Format::JsonList
            },
            columns: Vec::new(),
            filesystems: Vec::new(),
        };
        walk(list, 0, tree, &mut out)?;
        Ok(out)
    }

    fn walk(list: &[Value], depth: usize, tree: bool, out: &mut Findmnt) -> Result<(), ParseError> {
        for fs in list {
            let object = fs
                .as_object()
                .ok_or_else(|| ParseError::whole("a filesystem in the JSON is not an object"))?;
            let mut cells = Vec::new();
            for (key, value) in object.iter().filter(|(k, _)| *k != "children") {
                let column = key.to_uppercase();
                if !out.columns.contains(&column) {
                    out.columns.push(column.clone());
                }
                cells.push((column, scalar(value)));
            }
            out.filesystems.push(entry(cells, tree.then_some(depth)));
            if let Some(children) = fs.get("children").and_then(Value::as_array) {
                walk(children, depth + 1, tree, out)?;
            }
        }
        Ok(())
    }

    /// A cell as text: strings as they are, numbers and booleans printed, null empty.
    fn scalar(value: &Value) -> String {
        match value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_tree_with_subvolumes() {
        let out = parse(
            "TARGET          SOURCE             FSTYPE OPTIONS\n\
             /               /dev/vda2[/@]      btrfs  rw,noatime,compress=zstd:1,subvol=/@\n\
             ├─/nix          /dev/vda2[/@nix]   btrfs  rw,noatime,subvolid=258,subvol=/@nix\n\
             │ └─/nix/x      tmpfs              tmpfs  rw\n\
             └─/mnt/My Disk  /dev/vda3          ext4   rw\n",
        )
        .unwrap();
        assert_eq!(out.format, Format::Tree);
        let nix = &out.filesystems[1];
        assert_eq!(nix.target.as_deref(), Some("/nix"));
        assert_eq!(nix.device.as_deref(), Some("/dev/vda2"));
        assert_eq!(nix.subvolume.as_deref(), Some("/@nix"));
        assert_eq!(nix.depth, Some(1));
        assert_eq!(nix.btrfs.as_ref().unwrap().subvolid, Some(258));
        assert_eq!(out.filesystems[2].depth, Some(2));
        assert_eq!(out.filesystems[3].target.as_deref(), Some("/mnt/My Disk"));
    }

    #[test]
    fn ascii_tree_and_right_aligned_sizes() {
        let out = parse(
            "TARGET        SIZE  USED  AVAIL USE% FSTYPE\n\
             /               1G 56.2M 854.9M   5% btrfs\n\
             `-/proc          0     0      0    - proc\n",
        )
        .unwrap();
        let root = &out.filesystems[0];
        assert_eq!(root.size.unwrap().bytes, 1 << 30);
        assert_eq!(root.used.unwrap().bytes, 58_929_971);
        assert_eq!(root.use_percent, Some(5));
        assert_eq!(out.filesystems[1].depth, Some(1));
        assert_eq!(out.filesystems[1].use_percent, None);
        assert_eq!(out.filesystems[1].size, Some(Size::exact(0)));
    }

    #[test]
    fn raw_keeps_empty_cells_and_decodes_escapes() {
        let out = parse("TARGET SOURCE LABEL FSTYPE\n/mnt/My\\x20Disk /dev/sdb1  ext4\n").unwrap();
        assert_eq!(out.format, Format::Raw);
        let fs = &out.filesystems[0];
        assert_eq!(fs.target.as_deref(), Some("/mnt/My Disk"));
        assert_eq!(fs.fstype.as_deref(), Some("ext4"));
        assert!(fs.extra.is_empty());
    }

    #[test]
    fn pairs_and_json() {
        let pairs = parse("TARGET=\"/\" SOURCE=\"/dev/sda1\" USE%=\"7%\" FOO=\"a b\"\n").unwrap();
        assert_eq!(pairs.filesystems[0].use_percent, Some(7));
        assert_eq!(pairs.filesystems[0].extra["FOO"], "a b");
        let json = parse(
            r#"{"filesystems": [{"target": "/", "size": 1073741824, "children": [{"target": "/boot"}]}]}"#,
        )
        .unwrap();
        assert_eq!(json.format, Format::JsonTree);
        assert_eq!(json.filesystems[0].size, Some(Size::exact(1 << 30)));
        assert_eq!(json.filesystems[1].depth, Some(1));
    }

    #[test]
    fn headerless_default_columns() {
        let tree = parse(
            "/              /dev/vda2[/@] btrfs rw,subvol=/@\n\
             `-/mnt/My Disk /dev/vda3     ext4  rw\n",
        )
        .unwrap();
        assert_eq!(tree.format, Format::Tree);
        assert_eq!(tree.filesystems[1].target.as_deref(), Some("/mnt/My Disk"));
        assert_eq!(tree.filesystems[1].depth, Some(1));
        let raw = parse("/ /dev/vda2 ext4 rw\n/mnt/My\\x20Disk /dev/vda3 ext4 rw\n").unwrap();
        assert_eq!(raw.format, Format::Raw);
        assert_eq!(raw.filesystems[1].target.as_deref(), Some("/mnt/My Disk"));
    }

    #[test]
    fn a_line_after_the_table_is_no_mount() {
        let listed = "TARGET SOURCE    FSTYPE OPTIONS\n/      /dev/vda2 ext4   rw\nrc=0\n";
        assert_eq!(parse(listed).unwrap_err().line, 3);
        assert_eq!(parse("/ /dev/vda2 ext4 rw\nrc=0\n").unwrap_err().line, 2);
    }

    #[test]
    fn refuses_what_is_not_findmnt() {
        assert_eq!(parse("").unwrap_err().line, 0);
        assert_eq!(parse("\nFilesystem Size Used\n").unwrap_err().line, 2);
        assert!(parse("{\"filesystems\": 3}").is_err());
        assert!(parse("TARGET=\"/\" oops").is_err());
    }
}
