//! Reads `free` from procps-ng 3.2 to 4.x and busybox: the default (KiB), `-b`, `-k`, `-m`,
//! `-g`, `-h` (also with `--si`), wide `-w` (buffers and cache apart), `-t` (Total row), `-l`
//! (Low and High rows), `-v` (Comm row), the old layout with `buffers cached` and the
//! `-/+ buffers/cache:` row (procps before 3.3.10, busybox on kernels without MemAvailable),
//! and translated output (`Speicher:`, `Mem.:`, `Échange:`, `7,3Gi`).
//!
//! Rows come in a fixed order (Mem, Low, High, -/+, Swap, Total, Comm), so rows and columns
//! are told by position and by the value counts when the labels and headers are translated;
//! English names are used when present. Values are in bytes with free's own rounding:
//! - `-h`: procps prints one decimal rounded to nearest (`8.6Mi`) while it fits in 4 digits and
//!   else truncates the integer (`23Gi` is 23 to 24 GiB); busybox always prints one decimal.
//!   A suffix without `i` (CentOS 7, busybox, procps before 3.3.11) is read as binary, so
//!   `free -h --si` from procps 3.3.11+ is misread by 2-7 %; [`parse_with_units`] fixes that.
//! - Bare numbers do not say their unit: KiB (the default, exact), bytes (every value a
//!   multiple of 1024), MiB or GiB (`-m`/`-g`, truncated by procps) are told by the size of
//!   Mem's total, and `units_guessed` says so. Callers that know the flag pass it to
//!   [`parse_with_units`].
//!
//! Empty input, a missing header, a repeated report (`-s`/`-c`) and `free -L` are errors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::size::{Base, RoundMode};
use super::{lines, ParseError, Rounding, Size};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Free {
    /// The header words as printed (translated ones too).
    pub header: Vec<String>,
    /// The unit the values were printed in.
    pub units: Units,
    /// True when the output does not say its unit and `units` was inferred.
    pub units_guessed: bool,
    pub mem: Mem,
    pub low: Option<Row>,
    pub high: Option<Row>,
    /// The old `-/+ buffers/cache:` row: used and free with buffers and cache counted as free.
    pub buffers_cache_adjusted: Option<Adjusted>,
    pub swap: Option<Row>,
    pub total: Option<Row>,
    /// `-v`: commit limit, committed, and what is left of the limit.
    pub committed: Option<Row>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Units {
    /// `-h`, sizes with suffixes; a bare `G` is read as GiB.
    Human,
    /// `--si -h` from procps 3.3.11+ (`25G` is 25 × 10^9 bytes); never inferred.
    HumanDecimal,
    Bytes,
    Kibibytes,
    Mebibytes,
    Gibibytes,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mem {
    pub total: Option<Size>,
    pub used: Option<Size>,
    pub free: Option<Size>,
    pub shared: Option<Size>,
    /// `buffers` (wide and old layouts).
    pub buffers: Option<Size>,
    /// `cache` (wide) or `cached` (old layout).
    pub cache: Option<Size>,
    /// `buff/cache` (default layout since procps 3.3.10).
    pub buff_cache: Option<Size>,
    pub available: Option<Size>,
    /// Columns this parser does not know, by header name.
    pub extra: BTreeMap<String, Size>,
}

/// A three-value row: Low, High, Swap, Total and Comm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub total: Size,
    pub used: Size,
    pub free: Size,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjusted {
    pub used: Size,
    pub free: Size,
}

/// What a row holds, before its values are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Low,
    High,
    Swap,
    Total,
    Committed,
}

/// A printed line: its number, text, label words and value words.
struct Line<'a> {
    no: usize,
    text: &'a str,
    label: String,
    values: Vec<&'a str>,
}

pub fn parse(input: &str) -> Result<Free, ParseError> {
    parse_inner(input, None)
}

/// Like [`parse`], for callers that know the flag `free` ran with (`-m`, `--si -h`...), which
/// bare numbers and suffixes without `i` do not show.
pub fn parse_with_units(input: &str, units: Units) -> Result<Free, ParseError> {
    parse_inner(input, Some(units))
}

fn parse_inner(input: &str, forced: Option<Units>) -> Result<Free, ParseError> {
    let lines: Vec<Line> = lines::non_blank(input).map(split_line).collect();
    let (header, rows) = lines.split_first().ok_or_else(|| {
        ParseError::whole("empty input: expected free's header and its Mem and Swap rows")
    })?;
    check_header(header)?;
    let (mem_line, rest) = rows
        .split_first()
        .ok_or_else(|| ParseError::at(header.no, header.text, "header without a Mem row"))?;
    check_rows(rows)?;
    let (units, guessed) = match forced {
        Some(units) => (units, false),
        None => guess_units(&lines),
    };
    let reader = Reader { units };
    let mem = reader.mem(header, mem_line, rest)?;
    let mut free = Free {
        header: header.text.split_whitespace().map(str::to_owned).collect(),
        units,
        units_guessed: guessed,
        mem,
        low: None,
        high: None,
        buffers_cache_adjusted: None,
        swap: None,
        total: None,
        committed: None,
    };
    reader.fill_rows(&mut free, rest)?;
    Ok(free)
}

fn split_line((no, text): (usize, &str)) -> Line<'_> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let first_value = words.iter().position(|word| is_value(word));
    let (label, values) = words.split_at(first_value.unwrap_or(words.len()));
    Line {
        no,
        text,
        label: label.join(" "),
        values: values.to_vec(),
    }
}

/// `24684096`, `8,6Mi`, `0B`, `7.6G`.
fn is_value(word: &str) -> bool {
    let number_end = word
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(word.len());
    let (number, suffix) = word.split_at(number_end);
    let digits_first = number.starts_with(|c: char| c.is_ascii_digit());
    let suffix_ok = matches!(suffix.len(), 0..=2)
        && suffix.chars().enumerate().all(|(at, c)| {
            matches!(
                (at, c),
                (0, 'B' | 'K' | 'M' | 'G' | 'T' | 'P' | 'E') | (1, 'i')
            )
        });
    digits_first && suffix_ok
}

fn check_header(header: &Line) -> Result<(), ParseError> {
    if header.label.starts_with("SwapUse") {
        return Err(ParseError::at(
            header.no,
            header.text,
            "free -L (one line) is not read; run free without -L",
        ));
    }
    if !header.values.is_empty() || header.label.is_empty() {
        return Err(ParseError::at(
            header.no,
            header.text,
            "expected free's header (`total used free ...`) before the rows",
        ));
    }
    Ok(())
}

fn check_rows(rows: &[Line]) -> Result<(), ParseError> {
    for row in rows {
        if row.values.is_empty() {
            return Err(ParseError::at(
                row.no,
                row.text,
                "a line without values: a second report (free -s/-c) or not free's output",
            ));
        }
        if row.label.is_empty() {
            return Err(ParseError::at(
                row.no,
                row.text,
                "row without a label like `Mem:`",
            ));
        }
    }
    Ok(())
}

/// Suffixes say `-h`; otherwise the magnitude of Mem's total tells the unit (see module doc).
fn guess_units(lines: &[Line]) -> (Units, bool) {
    let values = || lines.iter().flat_map(|line| line.values.iter());
    if values().any(|word| word.ends_with(|c: char| c.is_ascii_alphabetic())) {
        return (Units::Human, false);
    }
    let numbers: Vec<u64> = values().filter_map(|word| word.parse().ok()).collect();
    let mem_total = lines
        .get(1)
        .and_then(|mem| mem.values.first())
        .and_then(|word| word.parse::<u64>().ok())
        .unwrap_or(0);
    let units = if mem_total >= 1 << 20 && numbers.iter().all(|n| n % 1024 == 0) {
        Units::Bytes
    } else if mem_total >= 1 << 16 {
        Units::Kibibytes
    } else if mem_total >= 256 {
        Units::Mebibytes
    } else {
        Units::Gibibytes
    };
    (units, true)
}

struct Reader {
    units: Units,
}

impl Reader {
    fn size(&self, line: &Line, word: &str) -> Result<Size, ParseError> {
        let size = match self.units {
            Units::Human => human(word, Base::Binary),
            Units::HumanDecimal => human(word, Base::Decimal),
            Units::Bytes => word.parse().ok().map(Size::exact),
            Units::Kibibytes => blocks(word, 1 << 10).map(|size| Size::exact(size.bytes)),
            Units::Mebibytes => blocks(word, 1 << 20),
            Units::Gibibytes => blocks(word, 1 << 30),
        };
        size.ok_or_else(|| ParseError::at(line.no, line.text, format!("`{word}` is not a size")))
    }

    fn sizes(&self, line: &Line) -> Result<Vec<Size>, ParseError> {
        line.values
            .iter()
            .map(|word| self.size(line, word))
            .collect()
    }

    fn mem(&self, header: &Line, line: &Line, rest: &[Line]) -> Result<Mem, ParseError> {
        let sizes = self.sizes(line)?;
        let has_adjusted = rest.iter().any(|row| row.label.starts_with("-/+"));
        let names = column_names(&header.label, sizes.len(), has_adjusted)
            .ok_or_else(|| ParseError::at(line.no, line.text, "Mem row needs 5 to 7 values"))?;
        let mut mem = Mem::default();
        for (name, size) in names.into_iter().zip(sizes) {
            set_column(&mut mem, name, size);
        }
        Ok(mem)
    }

    fn fill_rows(&self, free: &mut Free, rows: &[Line]) -> Result<(), ParseError> {
        let mut triples = Vec::new();
        for line in rows {
            if line.label.starts_with("-/+") {
                free.buffers_cache_adjusted = Some(self.adjusted(line)?);
            } else {
                triples.push((line, self.row(line)?));
            }
        }
        let mem_total = free.mem.total.map(|size| size.bytes);
        let kinds = row_kinds(&triples, mem_total);
        for ((_, row), kind) in triples.into_iter().zip(kinds) {
            let slot = match kind {
                Kind::Low => &mut free.low,
                Kind::High => &mut free.high,
                Kind::Swap => &mut free.swap,
                Kind::Total => &mut free.total,
                Kind::Committed => &mut free.committed,
            };
            *slot = Some(row);
        }
        Ok(())
    }

    fn adjusted(&self, line: &Line) -> Result<Adjusted, ParseError> {
        match self.sizes(line)?.as_slice() {
            [used, free] => Ok(Adjusted {
                used: *used,
                free: *free,
            }),
            _ => Err(ParseError::at(
                line.no,
                line.text,
                "the -/+ row needs 2 values",
            )),
        }
    }

    fn row(&self, line: &Line) -> Result<Row, ParseError> {
        match self.sizes(line)?.as_slice() {
            [total, used, free] => Ok(Row {
                total: *total,
                used: *used,
                free: *free,
            }),
            _ => Err(ParseError::at(line.no, line.text, "row needs 3 values")),
        }
    }
}

fn human(word: &str, base: Base) -> Option<Size> {
    let size = Size::parse_human(word, base, RoundMode::Nearest)?;
    match size.rounding {
        // procps falls back to `%lu` when one decimal does not fit: a truncated integer.
        Rounding::Nearest { unit, decimals: 0 } => Some(Size {
            bytes: size.bytes,
            rounding: Rounding::Down { unit, decimals: 0 },
        }),
        _ => Some(size),
    }
}

fn blocks(word: &str, unit: u64) -> Option<Size> {
    Size::blocks(word.parse().ok()?, unit, RoundMode::Down)
}

/// The Mem columns, from English header words when every word is known and they match the
/// values, else from the layout the value count implies.
fn column_names(header: &str, count: usize, has_adjusted: bool) -> Option<Vec<String>> {
    if !(5..=7).contains(&count) {
        return None;
    }
    let words: Vec<&str> = header.split_whitespace().collect();
    let known = words.iter().filter(|word| column(word).is_some()).count();
    if words.len() == count && known * 2 > count {
        return Some(words.iter().map(|word| (*word).to_owned()).collect());
    }
    let layout: &[&str] = match (count, has_adjusted) {
        (7, _) => &[
            "total",
            "used",
            "free",
            "shared",
            "buffers",
            "cache",
            "available",
        ],
        (6, true) => &["total", "used", "free", "shared", "buffers", "cached"],
        (6, false) => &["total", "used", "free", "shared", "buff/cache", "available"],
        (5, _) => &["total", "used", "free", "shared", "buffers"],
        _ => return None,
    };
    Some(layout.iter().map(|name| (*name).to_owned()).collect())
}

fn column(name: &str) -> Option<fn(&mut Mem) -> &mut Option<Size>> {
    let field: fn(&mut Mem) -> &mut Option<Size> = match name {
        "total" => |mem| &mut mem.total,
        "used" => |mem| &mut mem.used,
        "free" => |mem| &mut mem.free,
        "shared" => |mem| &mut mem.shared,
        "buffers" => |mem| &mut mem.buffers,
        "cache" | "cached" => |mem| &mut mem.cache,
        "buff/cache" => |mem| &mut mem.buff_cache,
        "available" => |mem| &mut mem.available,
        _ => return None,
    };
    Some(field)
}

fn set_column(mem: &mut Mem, name: String, size: Size) {
    match column(&name) {
        Some(field) => *field(mem) = Some(size),
        None => {
            mem.extra.insert(name, size);
        }
    }
}

/// Which row is which: English labels when present, else the fixed order procps prints.
fn row_kinds(rows: &[(&Line, Row)], mem_total: Option<u64>) -> Vec<Kind> {
    let english: Option<Vec<Kind>> = rows
        .iter()
        .map(|(line, _)| english_kind(&line.label))
        .collect();
    if let Some(kinds) = english {
        return kinds;
    }
    let mut kinds = Vec::new();
    // Low's total is Mem's total on 64-bit kernels, which is how `-l` shows untranslated.
    let lohi = rows.len() >= 3 && rows.first().map(|(_, row)| row.total.bytes) == mem_total;
    if lohi {
        kinds.extend([Kind::Low, Kind::High]);
    }
    let swap_total = rows.get(kinds.len()).map(|(_, row)| row.total.bytes);
    kinds.push(Kind::Swap);
    for (_, row) in rows.iter().skip(kinds.len()) {
        let sum = mem_total
            .zip(swap_total)
            .and_then(|(a, b)| a.checked_add(b));
        kinds.push(if is_about(row, sum) {
            Kind::Total
        } else {
            Kind::Committed
        });
    }
    kinds.truncate(rows.len());
    kinds
}

/// A Total row is Mem plus Swap; printed sizes are rounded, so allow 10 %.
fn is_about(row: &Row, sum: Option<u64>) -> bool {
    sum.is_some_and(|sum| row.total.bytes.abs_diff(sum) <= sum / 10)
}

fn english_kind(label: &str) -> Option<Kind> {
    match label {
        "Low:" => Some(Kind::Low),
        "High:" => Some(Kind::High),
        "Swap:" => Some(Kind::Swap),
        "Total:" => Some(Kind::Total),
        "Comm:" => Some(Kind::Committed),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    #[test]
    fn human_rounding_of_procps() {
        let free = parse(
            "               total        used        free      shared  buff/cache   available
Mem:            23Gi       615Mi        18Gi       8.6Mi       5.0Gi        22Gi
Swap:             0B          0B          0B
",
        )
        .unwrap();
        let total = free.mem.total.unwrap();
        assert_eq!(total.bytes, 23 * GIB);
        assert_eq!(
            total.rounding,
            Rounding::Down {
                unit: GIB,
                decimals: 0
            }
        );
        let shared = free.mem.shared.unwrap();
        assert_eq!(shared.bytes, 9_017_754);
        assert_eq!(
            shared.rounding,
            Rounding::Nearest {
                unit: 1 << 20,
                decimals: 1
            }
        );
        assert_eq!(free.swap.unwrap().total, Size::exact(0));
        assert_eq!(free.units, Units::Human);
    }

    #[test]
    fn german_comma_decimals_and_total() {
        let free = parse(
            "              gesamt       benutzt     frei      gemns.  Puffer/Cache verfügbar
Speicher:       23Gi       754Mi        19Gi       8,6Mi       4,1Gi        22Gi
Swap:          703Mi       169Mi       534Mi
Gesamt:         24Gi       923Mi        19Gi
",
        )
        .unwrap();
        assert_eq!(free.mem.buff_cache.unwrap().bytes, 4_402_341_478);
        assert_eq!(free.swap.unwrap().total.bytes, 703 << 20);
        assert_eq!(free.total.unwrap().total.bytes, 24 * GIB);
        assert_eq!(free.committed, None);
    }

    #[test]
    fn old_layout_with_adjusted_row() {
        let free = parse(
            "             total       used       free     shared    buffers     cached
Mem:          4045       3761        284        145        220       1991
-/+ buffers/cache:       1548       2497
Swap:         7632         74       7557
",
        )
        .unwrap();
        assert_eq!(free.units, Units::Mebibytes);
        assert!(free.units_guessed);
        assert_eq!(free.mem.cache.unwrap().bytes, 1991 << 20);
        assert_eq!(free.buffers_cache_adjusted.unwrap().free.bytes, 2497 << 20);
    }

    #[test]
    fn unit_guesses_and_override() {
        let kib = "x total used free shared buff/cache available\n\
Mem: 24684096 629788 19142320 8788 5229172 24054308\nSwap: 0 0 0\n";
        let free = parse(kib).unwrap();
        assert_eq!(free.units, Units::Kibibytes);
        assert_eq!(free.mem.total, Some(Size::exact(24_684_096 * 1024)));
        let forced = parse_with_units(kib, Units::Bytes).unwrap();
        assert_eq!(forced.mem.total, Some(Size::exact(24_684_096)));
        let bytes = kib.replace("24684096", "25276514304").replace(
            "629788 19142320 8788 5229172 24054308",
            "1024 2048 0 0 4096",
        );
        assert_eq!(parse(&bytes).unwrap().units, Units::Bytes);
    }

    #[test]
    fn refusals_name_the_line() {
        assert_eq!(parse("").unwrap_err().line, 0);
        let report =
            "  total used free shared buff/cache available\nMem: 1 2 3 4 5 6\nSwap: 0 0 0\n";
        let twice = format!("{report}\n{report}");
        assert_eq!(parse(&twice).unwrap_err().line, 5);
        assert_eq!(parse("Mem: 1 2 3 4 5 6\n").unwrap_err().line, 1);
        assert_eq!(parse("  total used\nMem: 1 2\n").unwrap_err().line, 2);
    }
}
