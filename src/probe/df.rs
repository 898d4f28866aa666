//! Reads `df` output: GNU coreutils and busybox, in any unit and most locales.
//!
//! Variants read: `df` (1K-blocks), `-k`, `-m`, `-B1`, `-BM` (`1024M` cells), `-P`
//! (`1024-blocks`, `Capacity`), `-h`, `-H`, `-T`, `-hT`, `-i`, `--total`, `--output[=...]`
//! (English headers), translated headers (`Dateisystem Größe Benutzt Verf. Verw% Eingehängt
//! auf`) with comma decimals, long device names wrapped onto their own line (coreutils < 8.11
//! and busybox print the numbers on the next, indented line) and mount points with spaces.
//!
//! Rounding, from the tools' sources: coreutils hands every number to gnulib's
//! `human_readable` without a rounding option, whose default is `human_ceiling`, so all its
//! sizes (human or blocks) are rounded up; busybox rounds to the nearest (`kscale` and
//! `make_human_readable_str` add half a unit). Busybox is recognised by its header alone,
//! which is fixed whatever the data (see `flavour`); wrapped lines, `252.0G` cells or a
//! `Filesystem` column 21 wide are no sign of it, coreutils prints them too. Human sizes are
//! powers of 1024 unless a cell uses the lower-case `k` that only `-H` prints. Empty input is
//! an error: df always prints a header.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lines::non_blank;
use super::size::{Base, RoundMode};
use super::{ParseError, Size};

/// What df printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Df {
    pub units: Units,
    /// Which tool printed it, as far as the output tells.
    pub flavour: Flavour,
    /// The header line, cells as printed.
    pub header: String,
    pub filesystems: Vec<DfRow>,
    /// The `total` row of `--total`.
    pub total: Option<DfRow>,
}

/// How the size columns were printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Units {
    /// `-h` (powers of 1024) or `-H` (powers of 1000).
    Human { base: HumanBase },
    /// Counts of `block_size`-byte blocks (`1K-blocks`, `1B-blocks`, `1024-blocks`).
    Blocks { block_size: u64 },
    /// `-i`: inode counts only.
    Inodes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HumanBase {
    Binary,
    Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavour {
    Coreutils,
    Busybox,
}

/// One file system; a field is `None` when df did not print its column or printed `-`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DfRow {
    pub filesystem: String,
    pub fs_type: Option<String>,
    pub size: Option<Size>,
    pub used: Option<Size>,
    pub available: Option<Size>,
    pub use_percent: Option<u8>,
    pub inodes: Option<u64>,
    pub inodes_used: Option<u64>,
    pub inodes_free: Option<u64>,
    pub inodes_use_percent: Option<u8>,
    pub file: Option<String>,
    pub mounted_on: Option<String>,
    /// Cells that are not what their column promises (a negative `-2.0G`), kept as printed.
    pub extra: BTreeMap<String, String>,
}

/// What a header column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Source,
    Type,
    Size,
    Used,
    Avail,
    Pct,
    ITotal,
    IUsed,
    IFree,
    IPct,
    File,
    Target,
}

/// A word of a line, with its byte span and first char column.
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    from: usize,
    to: usize,
    column: usize,
}

/// How to read the cells: decided once from the header and all rows.
struct Reading {
    kinds: Vec<Kind>,
    units: Units,
    mode: RoundMode,
}

/// Reads df output in any of the variants in the module doc.
pub fn parse(input: &str) -> Result<Df, ParseError> {
    let mut lines = non_blank(input);
    let (header_no, header) = lines
        .next()
        .ok_or_else(|| ParseError::whole("empty input: df prints at least a header line"))?;
    let header = header.trim_end();
    let lines: Vec<(usize, &str)> = lines.collect();
    let kinds = english_kinds(header)
        .or_else(|| translated_kinds(header, &lines))
        .ok_or_else(|| ParseError::at(header_no, header, "not a df header line"))?;
    let units = units(header, &kinds, &lines).ok_or_else(|| {
        ParseError::at(
            header_no,
            header,
            "df header names no size or inode columns",
        )
    })?;
    let flavour = flavour(header);
    let mode = match flavour {
        Flavour::Coreutils => RoundMode::Up,
        Flavour::Busybox => RoundMode::Nearest,
    };
    let reading = Reading { kinds, units, mode };
    let mut rows = Vec::new();
    for (number, text, source) in logical_rows(&lines) {
        let row = reading
            .row(text, source)
            .map_err(|message| ParseError::at(number, text, message))?;
        rows.push(row);
    }
    let total = match rows.last() {
        Some(last) if is_total(last) => rows.pop(),
        _ => None,
    };
    Ok(Df {
        units,
        flavour,
        header: header.to_owned(),
        filesystems: rows,
        total,
    })
}

fn is_total(row: &DfRow) -> bool {
    let target = row.mounted_on.as_deref();
    (row.filesystem == "total" && matches!(target, Some("-") | None))
        || (row.filesystem.is_empty() && target == Some("total"))
}

fn words(line: &str) -> Vec<Word<'_>> {
    let mut found: Vec<Word<'_>> = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (column, (byte, c)) in line.char_indices().enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some((byte, column)),
            (true, Some((from, col))) => {
                found.push(word(line, from, byte, col));
                start = None;
            }
            _ => {}
        }
    }
    if let Some((from, col)) = start {
        found.push(word(line, from, line.len(), col));
    }
    found
}

fn word(line: &str, from: usize, to: usize, column: usize) -> Word<'_> {
    Word {
        text: line.get(from..to).unwrap_or(""),
        from,
        to,
        column,
    }
}

/// The English header of coreutils and busybox, `--output` orders included.
fn english_kinds(header: &str) -> Option<Vec<Kind>> {
    let header_words = words(header);
    let mut kinds = Vec::new();
    let mut index = 0;
    while let Some(w) = header_words.get(index) {
        let next = header_words.get(index + 1).map(|n| n.text);
        let kind = match (w.text, next) {
            ("Mounted", Some("on")) => {
                index += 1;
                Kind::Target
            }
            (text, _) => english_kind(text)?,
        };
        kinds.push(kind);
        index += 1;
    }
    Some(kinds)
}

fn english_kind(text: &str) -> Option<Kind> {
    Some(match text {
        "Filesystem" => Kind::Source,
        "Type" => Kind::Type,
        "Size" => Kind::Size,
        "Used" => Kind::Used,
        "Avail" | "Available" => Kind::Avail,
        "Use%" | "Capacity" => Kind::Pct,
        "Inodes" => Kind::ITotal,
        "IUsed" => Kind::IUsed,
        "IFree" => Kind::IFree,
        "IUse%" => Kind::IPct,
        "File" => Kind::File,
        _ if block_size_of(text).is_some() && text.contains("-blocks") => Kind::Size,
        _ => return None,
    })
}

/// The inode column captions of coreutils' translations: an inode table even in Czech.
const INODE_CAPTIONS: &[&str] = &[
    "Inodes",
    "I-nodes",
    "Inoder",
    "Nodes-i",
    "Nodos-i",
    "Inodos",
    "Inœuds",
    "I-uzlů",
    "I-uzly",
    "Iнодов",
    "Inode",
    "Inod",
    "I-nodoj",
    "I-kirjeid",
    "Inodoak",
    "I-solmut",
    "Inóid",
    "Inodova",
    "Inode-ok",
    "Iノード",
    "Inodi",
    "iwęzły",
    "Inós",
    "Inoduri",
    "Inodov",
    "И-чворови",
    "Dosya indeksleri",
    "І-вузлів",
    "I-възли",
];

/// A translated header names its columns in words we cannot list for every language, but
/// df prints them in a fixed order: source, optional type, three numbers, percent, target.
/// The type column is present when a header word starts exactly where every row's word
/// before the numbers starts (both are left-aligned).
fn translated_kinds(header: &str, lines: &[(usize, &str)]) -> Option<Vec<Kind>> {
    let header_words = words(header);
    // Six captions at least, one of them `Use%` or `1K-blocks` in some language, and not
    // the all-capitals header of findmnt or lsblk.
    let marked = header_words
        .iter()
        .any(|w| w.text.contains('%') || block_size_of(w.text).is_some());
    let capitals = header_words
        .iter()
        .all(|w| !w.text.chars().any(|c| c.is_lowercase()));
    if header_words.len() < 6 || !marked || capitals {
        return None;
    }
    let inodes = header_words
        .iter()
        .any(|w| INODE_CAPTIONS.contains(&w.text));
    let values = if inodes {
        [Kind::ITotal, Kind::IUsed, Kind::IFree, Kind::IPct]
    } else {
        [Kind::Size, Kind::Used, Kind::Avail, Kind::Pct]
    };
    let mut kinds = vec![Kind::Source];
    if has_type_column(header, lines) {
        kinds.push(Kind::Type);
    }
    kinds.extend(values);
    kinds.push(Kind::Target);
    Some(kinds)
}

fn has_type_column(header: &str, lines: &[(usize, &str)]) -> bool {
    let mut columns = Vec::new();
    for (_, line) in lines {
        let line_words = words(line);
        let Some(anchor) = anchor(&line_words) else {
            continue;
        };
        let prefix = anchor.saturating_sub(3);
        let wrapped = line.starts_with(char::is_whitespace);
        match prefix.checked_sub(1).and_then(|i| line_words.get(i)) {
            Some(w) if prefix >= 2 || wrapped => columns.push(w.column),
            _ => return false,
        }
    }
    let Some(&first) = columns.first() else {
        return false;
    };
    columns.iter().all(|&c| c == first && c > 0) && words(header).iter().any(|w| w.column == first)
}

/// The index of the percent word that follows three numbers (`57M 855M 1,0G 7%`).
fn anchor(line_words: &[Word<'_>]) -> Option<usize> {
    (3..line_words.len()).find(|&i| {
        line_words.get(i).is_some_and(|w| is_percent(w.text))
            && line_words
                .get(i - 3..i)
                .is_some_and(|values| values.iter().all(|w| is_number_like(w.text)))
    })
}

fn is_percent(text: &str) -> bool {
    text == "-"
        || text
            .strip_suffix('%')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_number_like(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    text == "-" || digits.starts_with(|c: char| c.is_ascii_digit())
}

/// `1K-blocks` → 1024, `1024-blocks` → 1024, `1B-blocks` → 1, `blocs de 1K` → 1024,
/// `1kB-blocks` → 1000: the first word that starts with a digit.
fn block_size_of(text: &str) -> Option<u64> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric()))
        .unwrap_or(text.len());
    let size = text.get(..end)?;
    if !size.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Size::parse_human(size, Base::Binary, RoundMode::Up).map(|s| s.bytes)
}

fn units(header: &str, kinds: &[Kind], lines: &[(usize, &str)]) -> Option<Units> {
    if let Some(block_size) = words(header).iter().find_map(|w| block_size_of(w.text)) {
        return Some(Units::Blocks { block_size });
    }
    if kinds.contains(&Kind::Size) || kinds.contains(&Kind::Used) || kinds.contains(&Kind::Avail) {
        let si = lines.iter().any(|(_, line)| {
            words(line)
                .iter()
                .any(|w| w.text.starts_with(|c: char| c.is_ascii_digit()) && w.text.ends_with('k'))
        });
        let base = if si {
            HumanBase::Decimal
        } else {
            HumanBase::Binary
        };
        return Some(Units::Human { base });
    }
    kinds.contains(&Kind::ITotal).then_some(Units::Inodes)
}

/// Busybox prints one fixed header whatever its data: `Filesystem` padded to 21 columns,
/// `Type` padded to 11 with `-T`, the units caption in a 15-column field, then `Used
/// Available Use% Mounted on` (`Capacity` with `-P`); df.c's `printf("Filesystem
/// %-15sUsed Available %s Mounted on\n")`. coreutils pads `Filesystem` to its longest source
/// (21 columns when that is 19 or 20 characters long), right-aligns each caption over its
/// numbers and says `Avail` in human sizes, so only its pre-8.11 block header (the same
/// printf) matches; that one is read as busybox, whose rounding differs only below the unit.
fn flavour(header: &str) -> Flavour {
    if is_busybox_header(header) {
        Flavour::Busybox
    } else {
        Flavour::Coreutils
    }
}

fn is_busybox_header(header: &str) -> bool {
    let Some(rest) = header.strip_prefix("Filesystem           ") else {
        return false;
    };
    let rest = rest.strip_prefix("Type       ").unwrap_or(rest);
    let Some((units, tail)) = rest.split_at_checked(15) else {
        return false;
    };
    !units.trim().is_empty()
        && matches!(
            tail,
            "Used Available Use% Mounted on" | "Used Available Capacity Mounted on"
        )
}

/// Joins a device name printed alone with the indented numbers on the next line.
fn logical_rows<'a>(lines: &[(usize, &'a str)]) -> Vec<(usize, &'a str, Option<&'a str>)> {
    let mut rows = Vec::new();
    let mut pending: Option<&'a str> = None;
    for (index, &(number, line)) in lines.iter().enumerate() {
        let next_is_continuation = lines
            .get(index + 1)
            .is_some_and(|(_, next)| next.starts_with(char::is_whitespace));
        // A device name alone on its line: `--output` rows that start with a number column
        // are indented too, but they are never one word without the numbers.
        let alone = words(line).len() == 1 && !line.starts_with(char::is_whitespace);
        if alone && next_is_continuation && pending.is_none() {
            pending = Some(line.trim());
            continue;
        }
        let source = if line.starts_with(char::is_whitespace) {
            pending.take()
        } else {
            None
        };
        rows.push((number, line, source));
    }
    if let Some(source) = pending {
        if let Some(&(number, line)) = lines.last() {
            rows.push((number, line, Some(source)));
        }
    }
    rows
}

impl Reading {
    fn standard(&self) -> Option<usize> {
        let pct = self
            .kinds
            .iter()
            .position(|k| matches!(k, Kind::Pct | Kind::IPct))?;
        let standard = pct >= 4
            && self.kinds.first() == Some(&Kind::Source)
            && self.kinds.len() == pct + 2
            && self.kinds.last() == Some(&Kind::Target);
        standard.then_some(pct)
    }

    fn row(&self, line: &str, source: Option<&str>) -> Result<DfRow, String> {
        let line_words = words(line);
        let cells = match self.standard() {
            Some(pct) => self.standard_cells(line, &line_words, pct, source)?,
            None => self.output_cells(line, &line_words)?,
        };
        let mut row = DfRow::empty();
        for (kind, cell) in self.kinds.iter().zip(cells) {
            self.set(&mut row, *kind, cell)?;
        }
        if let Some(source) = source {
            row.filesystem = source.to_owned();
        }
        Ok(row)
    }

    /// `SOURCE [TYPE] N N N P% TARGET`, cut around the percent word so that both the
    /// source and the target may hold spaces.
    fn standard_cells<'a>(
        &self,
        line: &'a str,
        line_words: &[Word<'a>],
        pct: usize,
        source: Option<&str>,
    ) -> Result<Vec<&'a str>, String> {
        let at = anchor(line_words).ok_or("no `N N N P%` run of numbers in this df row")?;
        // The cells between source and percent: the three numbers, and the type before them.
        let first_fixed = at
            .checked_sub(pct - 1)
            .filter(|&f| f > 0 || source.is_some())
            .ok_or("df row is missing its file system")?;
        let start = line_words.get(first_fixed).map_or(0, |w| w.from);
        let mut cells = vec![line.get(..start).unwrap_or("").trim()];
        for i in first_fixed..=at {
            cells.push(line_words.get(i).map_or("", |w| w.text));
        }
        let end = line_words.get(at).map_or(line.len(), |w| w.to);
        cells.push(line.get(end..).unwrap_or("").trim());
        Ok(cells)
    }

    /// `--output`: one word per column, the last column takes the rest (a target or file
    /// with spaces).
    fn output_cells<'a>(
        &self,
        line: &'a str,
        line_words: &[Word<'a>],
    ) -> Result<Vec<&'a str>, String> {
        let count = self.kinds.len();
        if line_words.len() < count {
            return Err(format!(
                "df row has {} cells, the header {count}",
                line_words.len()
            ));
        }
        let mut cells: Vec<&str> = line_words.iter().take(count - 1).map(|w| w.text).collect();
        let from = line_words.get(count - 1).map_or(line.len(), |w| w.from);
        cells.push(line.get(from..).unwrap_or("").trim());
        Ok(cells)
    }

    fn set(&self, row: &mut DfRow, kind: Kind, cell: &str) -> Result<(), String> {
        match kind {
            Kind::Source => row.filesystem = cell.to_owned(),
            Kind::Type => row.fs_type = (cell != "-").then(|| cell.to_owned()),
            Kind::Target => row.mounted_on = Some(cell.to_owned()),
            Kind::File => row.file = Some(cell.to_owned()),
            Kind::Size => row.size = self.size(cell, "size", row)?,
            Kind::Used => row.used = self.size(cell, "used", row)?,
            Kind::Avail => row.available = self.size(cell, "available", row)?,
            Kind::Pct => row.use_percent = percent(cell)?,
            Kind::IPct => row.inodes_use_percent = percent(cell)?,
            Kind::ITotal => row.inodes = count(cell, "inodes", row)?,
            Kind::IUsed => row.inodes_used = count(cell, "inodes_used", row)?,
            Kind::IFree => row.inodes_free = count(cell, "inodes_free", row)?,
        }
        Ok(())
    }

    fn size(&self, cell: &str, name: &str, row: &mut DfRow) -> Result<Option<Size>, String> {
        if cell == "-" {
            return Ok(None);
        }
        if cell.starts_with('-') {
            row.extra.insert(name.to_owned(), cell.to_owned());
            return Ok(None);
        }
        let size = match self.units {
            Units::Blocks { block_size } if cell.bytes().all(|b| b.is_ascii_digit()) => cell
                .parse()
                .ok()
                .and_then(|n| Size::blocks(n, block_size, self.mode)),
            Units::Human {
                base: HumanBase::Decimal,
            } => Size::parse_human(cell, Base::Decimal, self.mode),
            _ => Size::parse_human(cell, Base::Binary, self.mode),
        };
        size.map(Some)
            .ok_or_else(|| format!("`{cell}` is not a size"))
    }
}

fn percent(cell: &str) -> Result<Option<u8>, String> {
    if cell == "-" {
        return Ok(None);
    }
    cell.strip_suffix('%')
        .and_then(|n| n.parse().ok())
        .map(Some)
        .ok_or_else(|| format!("`{cell}` is not a percentage"))
}

/// An inode count; `-hi` prints them humanised (`1.2M`), kept as text.
fn count(cell: &str, name: &str, row: &mut DfRow) -> Result<Option<u64>, String> {
    if cell == "-" {
        return Ok(None);
    }
    if let Ok(n) = cell.parse() {
        return Ok(Some(n));
    }
    if cell.starts_with(|c: char| c.is_ascii_digit()) {
        row.extra.insert(name.to_owned(), cell.to_owned());
        return Ok(None);
    }
    Err(format!("`{cell}` is not an inode count"))
}

impl DfRow {
    fn empty() -> DfRow {
        DfRow {
            filesystem: String::new(),
            fs_type: None,
            size: None,
            used: None,
            available: None,
            use_percent: None,
            inodes: None,
            inodes_used: None,
            inodes_free: None,
            inodes_use_percent: None,
            file: None,
            mounted_on: None,
            extra: BTreeMap::new(),
        }
    }
}

impl Df {
    /// The row for `mount_point`.
    pub fn at(&self, mount_point: &str) -> Option<&DfRow> {
        self.filesystems
            .iter()
            .find(|row| row.mounted_on.as_deref() == Some(mount_point))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Rounding;

    #[test]
    fn human_sizes_round_up_and_spaces_survive() {
        let df = parse(
            "Filesystem      Size  Used Avail Use% Mounted on\n\
             /dev/vda2        20G  5.5G   14G  30% /\n\
             /dev/loop7      1.0G   57M  855M   7% /mnt/My Disk\n",
        )
        .unwrap();
        assert_eq!(
            df.units,
            Units::Human {
                base: HumanBase::Binary
            }
        );
        let root = df.at("/").unwrap();
        assert_eq!(root.size.unwrap().bytes, 20 << 30);
        assert_eq!(
            root.used.unwrap().rounding,
            Rounding::Up {
                unit: 1 << 30,
                decimals: 1
            }
        );
        assert_eq!(root.use_percent, Some(30));
        assert_eq!(
            df.at("/mnt/My Disk").unwrap().available.unwrap().bytes,
            855 << 20
        );
    }

    #[test]
    fn blocks_type_and_total() {
        let df = parse(
            "Filesystem     Type  1K-blocks    Used Available Use% Mounted on\n\
             /dev/sda2      ext4   20508240 5748028  13695408  30% /\n\
             total          -      20508240 5748028  13695408  30% -\n",
        )
        .unwrap();
        assert_eq!(df.units, Units::Blocks { block_size: 1024 });
        assert_eq!(df.filesystems[0].fs_type.as_deref(), Some("ext4"));
        assert_eq!(df.filesystems[0].used.unwrap().bytes, 5_748_028 * 1024);
        assert_eq!(df.total.unwrap().size.unwrap().bytes, 20_508_240 * 1024);
    }

    #[test]
    fn german_comma_decimals() {
        let df = parse(
            "Dateisystem    Typ   Größe Benutzt Verf. Verw% Eingehängt auf\n\
             /dev/loop7     btrfs  1,0G     57M  855M    7% /\n\
             tmpfs          tmpfs  392M       0  392M    0% /run\n",
        )
        .unwrap();
        let root = &df.filesystems[0];
        assert_eq!(root.fs_type.as_deref(), Some("btrfs"));
        assert_eq!(root.size.unwrap().bytes, 1 << 30);
        assert_eq!(df.filesystems[1].used, Some(Size::exact(0)));
    }

    #[test]
    fn wrapped_device_names() {
        let df = parse(
            "Filesystem           1K-blocks      Used Available Use% Mounted on\n\
             /dev/mapper/VolGroup00-LogVol00\n\
             \x20                     6030784   1147932   4571556  21% /\n\
             /dev/sda1               101086     12826     83041  14% /boot\n",
        )
        .unwrap();
        assert_eq!(df.flavour, Flavour::Busybox);
        assert_eq!(
            df.filesystems[0].filesystem,
            "/dev/mapper/VolGroup00-LogVol00"
        );
        assert_eq!(df.filesystems[0].use_percent, Some(21));
        assert_eq!(df.filesystems[1].mounted_on.as_deref(), Some("/boot"));
    }

    #[test]
    fn coreutils_is_not_busybox_for_a_21_column_source() {
        let coreutils = "Filesystem           Size  Used Avail Use% Mounted on\n\
                         nixos-build-scratch  2.0G     0  2.0G   0% /tmp\n";
        assert_eq!(parse(coreutils).unwrap().flavour, Flavour::Coreutils);
        let output = "1K-blocks  Avail Mounted on\n  1048576 829208 /\n     2048   2048 /tmp\n";
        let df = parse(output).unwrap();
        assert_eq!((df.flavour, df.filesystems.len()), (Flavour::Coreutils, 2));
        let busybox = "Filesystem                Size      Used Available Use% Mounted on\n\
                       /dev/loop0                1.0G      5.9M    904.6M   1% /\n";
        assert_eq!(parse(busybox).unwrap().flavour, Flavour::Busybox);
    }

    #[test]
    fn si_sizes_are_decimal() {
        let df = parse(
            "Filesystem Size Used Avail Use% Mounted on\n/dev/loop8 242M 15k 224M 1% /boot\n",
        )
        .unwrap();
        assert_eq!(
            df.units,
            Units::Human {
                base: HumanBase::Decimal
            }
        );
        assert_eq!(df.filesystems[0].used.unwrap().bytes, 15_000);
    }

    #[test]
    fn refusals_name_the_line() {
        assert_eq!(parse("").unwrap_err().line, 0);
        let err =
            parse("Filesystem Size Used Avail Use% Mounted on\n/dev/sda1 20G oops\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(
            parse("TARGET SOURCE FSTYPE\n/ /dev/sda1 ext4\n")
                .unwrap_err()
                .line,
            1
        );
    }
}
