//! The task table under top's summary.
//!
//! Cells are cut by the header's word positions: top pads every field to a fixed width with
//! one space between fields, numbers flush right under their header word and text flush left,
//! so empty cells (`nsIPC`), commands with spaces (`-c`) and columns after COMMAND (all
//! fields, `ENVIRON` with spaces) stay whole.

use super::{count, decimal, Flavor, ParseError, Process, Size, Top};
use crate::probe::lines;
use crate::probe::size::RoundMode;

type Lines<'a> = [(usize, &'a str)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pid,
    Ppid,
    User,
    Priority,
    Nice,
    Virt,
    Res,
    Shr,
    State,
    Cpu,
    Mem,
    Time,
    Command,
}

/// procps's default fields, in the order every version and language prints them.
const DEFAULT: [Kind; 12] = [
    Kind::Pid,
    Kind::User,
    Kind::Priority,
    Kind::Nice,
    Kind::Virt,
    Kind::Res,
    Kind::Shr,
    Kind::State,
    Kind::Cpu,
    Kind::Mem,
    Kind::Time,
    Kind::Command,
];

pub(super) fn read(top: &mut Top, rest: &Lines) -> Result<(), ParseError> {
    let mut rows = rest.iter().filter(|(_, line)| !line.trim().is_empty());
    let Some(&(header_no, header)) = rows.next() else {
        return Ok(());
    };
    if !header.split_whitespace().any(|word| word == "PID") {
        return Err(ParseError::at(
            header_no,
            header,
            "expected the task table's header (`PID USER PR NI ...`)",
        ));
    }
    let columns = lines::header_columns(header);
    let kinds = kinds_of(&columns, top.flavor);
    top.columns = columns.iter().map(|c| c.name.clone()).collect();
    for &(no, row) in rows {
        if row.trim_start().starts_with("top - ") {
            return Err(ParseError::at(
                no,
                row,
                "a second report: run top with -n 1",
            ));
        }
        let cells = split_row(row, &columns);
        let process = process(&top.columns, &kinds, &cells, top.flavor)
            .map_err(|message| ParseError::at(no, row, message))?;
        top.processes.push(process);
    }
    Ok(())
}

/// One cell per column. A word under a header word belongs to it; a word under no header word
/// continues the cell before it (`sleep 600`), unless it starts one space after a header word
/// and ends within the next field: then it is that field's text flush left (a `-` under
/// `nsIPC`, whose header word sits at the field's right edge).
fn split_row(row: &str, columns: &[lines::Column]) -> Vec<String> {
    let mut spans: Vec<Option<(usize, usize)>> = vec![None; columns.len()];
    let mut current = 0;
    for (start, end) in word_spans(row) {
        current = column_of(columns, start, end).unwrap_or(current);
        if let Some(span) = spans.get_mut(current) {
            *span = Some(span.map_or((start, end), |(first, _)| (first, end)));
        }
    }
    let chars: Vec<char> = row.chars().collect();
    spans
        .into_iter()
        .map(|span| {
            span.and_then(|(start, end)| chars.get(start..end))
                .unwrap_or_default()
                .iter()
                .collect()
        })
        .collect()
}

fn column_of(columns: &[lines::Column], start: usize, end: usize) -> Option<usize> {
    let overlapping = columns.iter().position(|c| start < c.end && c.start < end);
    overlapping.or_else(|| {
        columns
            .windows(2)
            .position(|pair| matches!(pair, [before, field] if start == before.end.saturating_add(1) && end <= field.end))
            .map(|before| before + 1)
    })
}

/// The character ranges of the whitespace-separated words of `line`.
fn word_spans(line: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (index, c) in line.chars().enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(index),
            (true, Some(from)) => {
                spans.push((from, index));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        spans.push((from, line.chars().count()));
    }
    spans
}

/// What each column holds: by its English name, or by position when a translated top prints
/// the twelve default fields (`ZEIT+ BEFEHL`, `UŻYTK.`).
fn kinds_of(columns: &[lines::Column], flavor: Flavor) -> Vec<Option<Kind>> {
    let by_name: Vec<Option<Kind>> = columns.iter().map(|c| kind_of(&c.name)).collect();
    let translated = by_name.iter().any(Option::is_none);
    if flavor == Flavor::Procps && translated && columns.len() == DEFAULT.len() {
        return DEFAULT.iter().copied().map(Some).collect();
    }
    by_name
}

fn kind_of(name: &str) -> Option<Kind> {
    Some(match name {
        "PID" => Kind::Pid,
        "PPID" => Kind::Ppid,
        "USER" => Kind::User,
        "PR" => Kind::Priority,
        "NI" => Kind::Nice,
        "VIRT" | "VSZ" => Kind::Virt,
        "RES" | "RSS" => Kind::Res,
        "SHR" => Kind::Shr,
        "S" | "STAT" => Kind::State,
        "%CPU" => Kind::Cpu,
        "%MEM" => Kind::Mem,
        "TIME+" => Kind::Time,
        "COMMAND" => Kind::Command,
        _ => return None,
    })
}

fn process(
    names: &[String],
    kinds: &[Option<Kind>],
    cells: &[String],
    flavor: Flavor,
) -> Result<Process, String> {
    let mut process = Process::default();
    for ((name, kind), cell) in names.iter().zip(kinds).zip(cells) {
        match kind {
            Some(kind) => set(&mut process, *kind, cell, flavor)
                .map_err(|why| format!("{name} `{cell}`: {why}"))?,
            None => {
                process.extra.insert(name.clone(), cell.clone());
            }
        }
    }
    if kinds.contains(&Some(Kind::Command)) && process.command.is_none() {
        return Err("a row without its COMMAND: the table is cut short".to_owned());
    }
    if kinds.contains(&Some(Kind::Pid)) && process.pid.is_none() {
        return Err("a row without its PID".to_owned());
    }
    Ok(process)
}

fn set(process: &mut Process, kind: Kind, cell: &str, flavor: Flavor) -> Result<(), String> {
    if cell.is_empty() {
        return Ok(());
    }
    let text = Some(cell.to_owned());
    match kind {
        Kind::Pid => process.pid = Some(count(cell).ok_or("not a process id")?),
        Kind::Ppid => process.ppid = Some(count(cell).ok_or("not a process id")?),
        Kind::User => process.user = text,
        Kind::Priority => process.priority = text,
        Kind::Nice => process.nice = Some(cell.parse().map_err(|_| "not a nice value")?),
        Kind::Virt => process.virt = Some(task_size(cell, flavor)?),
        Kind::Res => process.res = Some(task_size(cell, flavor)?),
        Kind::Shr => process.shr = Some(task_size(cell, flavor)?),
        Kind::State => process.state = text,
        Kind::Cpu => process.cpu_percent = Some(percent(cell)?),
        Kind::Mem => process.mem_percent = Some(percent(cell)?),
        Kind::Time => process.time = text,
        Kind::Command => process.command = text,
    }
    Ok(())
}

/// `106.2`, `0,0`, busybox `44%`.
fn percent(cell: &str) -> Result<f64, &'static str> {
    decimal(cell.trim_end_matches('%')).ok_or("not a percentage")
}

/// Task memory in KiB (`3025332`) or scaled (`1.1g`, `2954.4m`, `0.003t`, busybox `2954m`).
///
/// procps's `scale_mem` prints with `printf`, nearest. Whole numbers with a suffix come from
/// procps 3.2 (`%lu%c` of a truncated value) and busybox (`smart_ulltoa5` divides and drops
/// the remainder): both cut toward zero.
fn task_size(cell: &str, flavor: Flavor) -> Result<Size, String> {
    let split = cell
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(cell.len());
    let (number, suffix) = cell.split_at(split);
    let power = match suffix {
        "" => 1,
        "k" | "K" => 1,
        "m" | "M" => 2,
        "g" | "G" => 3,
        "t" | "T" => 4,
        "p" | "P" => 5,
        "e" | "E" => 6,
        _ => return Err("not a size".to_owned()),
    };
    let unit = 1024u64.checked_pow(power).ok_or("size too large")?;
    let cut = flavor == Flavor::Busybox || !(suffix.is_empty() || number.contains(['.', ',']));
    let mode = if cut && power > 1 {
        RoundMode::Down
    } else {
        RoundMode::Nearest
    };
    Size::in_unit(number, unit, mode).ok_or_else(|| "not a size".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Rounding;

    #[test]
    fn task_sizes_and_their_rounding() {
        let kib = task_size("31540", Flavor::Procps).unwrap();
        assert_eq!(kib.bytes, 31540 * 1024);
        let tib = task_size("0.1t", Flavor::Procps).unwrap();
        assert_eq!(tib.bytes, 109_951_162_778);
        assert_eq!(
            tib.rounding,
            Rounding::Nearest {
                unit: 1 << 40,
                decimals: 1
            }
        );
        let old = task_size("138m", Flavor::Procps).unwrap();
        assert_eq!(
            old.rounding,
            Rounding::Down {
                unit: 1 << 20,
                decimals: 0
            }
        );
        assert_eq!(
            task_size("1,1g", Flavor::Procps).unwrap().bytes,
            1_181_116_006
        );
        assert!(task_size("?", Flavor::Procps).is_err());
        assert!(task_size("1.2x", Flavor::Procps).is_err());
    }

    #[test]
    fn columns_after_command_keep_spaces_and_empty_cells() {
        let input = "\
top - 00:25:40 up  1:21,  3 users,  load average: 0.17, 0.14, 0.10

    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND                   PPID ENVIRON                vMj      nsIPC
   4810 kbrazil   20   0   10288   4052   3332 R   5.9   0.1   0:00.02 top                       1580 SHELL=/bin/bash PWD=/+   0 4026531839
      2 root      20   0       0      0      0 S   0.0   0.0   0:00.01 kthreadd                     0 -                        0           
";
        let top = crate::probe::top::parse(input).unwrap();
        let first = &top.processes[0];
        assert_eq!(first.command.as_deref(), Some("top"));
        assert_eq!(first.extra["ENVIRON"], "SHELL=/bin/bash PWD=/+");
        assert_eq!(first.extra["nsIPC"], "4026531839");
        assert_eq!(top.processes[1].extra["nsIPC"], "");
    }

    #[test]
    fn translated_header_by_position() {
        let input = "\
top - 13:22:34 up 31 min,  0 user,  load average: 2,67, 3,08, 2,61

  PID UTIL.     PR  NI    VIRT    RES    SHR S  %CPU  %MEM    TEMPS+ COM.
23976 root      20   0 3025332   1,1g  30460 S 126,7   4,8   0:44.55 qemu-syst+
";
        let top = crate::probe::top::parse(input).unwrap();
        let row = &top.processes[0];
        assert_eq!(row.user.as_deref(), Some("root"));
        assert_eq!(row.cpu_percent, Some(126.7));
        assert_eq!(row.time.as_deref(), Some("0:44.55"));
        assert_eq!(row.command.as_deref(), Some("qemu-syst+"));
        assert!(row.extra.is_empty());
    }

    #[test]
    fn a_row_cut_short_is_refused() {
        let input = "\
top - 13:22:34 up 31 min,  0 user,  load average: 2.67, 3.08, 2.61

  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
23976 root      20   0 3025332 855544  30460 R 106.2   3.5
";
        let err = crate::probe::top::parse(input).unwrap_err();
        assert_eq!(err.line, 4);
    }
}
