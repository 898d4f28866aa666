//! Reads one report of `top -b -n 1`: procps-ng top from 2.0 to 4.x and busybox top.
//!
//! procps: the `top - 13:40:01 up 1 day,  2:03,  1 user,  load average: ...` line (uptime as
//! `up 5 min`, `up  3:04`, `up 2 days, 3:04`; the user count is optional), `Tasks:` or
//! `Threads:` (`-H`), one `%Cpu(s):` line or one per CPU (`-1`, `%Cpu0  :`), the old
//! `Cpu(s):  0.2%us,` forms, the memory lines in every `-E` unit (`KiB Mem :` ... `EiB Mem :`)
//! and the old layouts (`Mem:  2063600k total, ... used, ... free, ... buffers` with `cached` on
//! the Swap line; procps 3.3.9's `KiB Mem:` with the same order), then the task table with its
//! header kept by name, any field set (`-w`, all fields, `-c` commands with spaces). Translated
//! output (`LANG=de_DE`: `MiB Spch`, `%CPU(s)`, `ZEIT+ BEFEHL`, `2,67` comma decimals) is read by
//! position, since top prints its lines and default columns in a fixed order.
//!
//! busybox: `Mem: ...K used, ...K free, ...K shrd, ...K buff, ...K cached`, `CPU:  4% usr ...`,
//! `Load average: 0.00 0.01 0.05 1/93 1234` and `PID PPID USER STAT VSZ %VSZ %CPU COMMAND`.
//!
//! Sizes keep top's own rounding: procps prints the summary with `printf("%.1f")` in the `-E`
//! unit (whole KiB under `KiB`), and task memory (`VIRT RES SHR`) through `scale_mem`, whole KiB
//! or `%.1f`/`%.3f` with a `m g t p e` suffix: nearest in every case. procps 3.2 and busybox
//! cut the scaled integer forms (`138m`, busybox `2954m`) toward zero, so those are `Down`.
//!
//! Empty input, a second report (`-n 2`), a summary line of no known shape and a value top cut
//! to its column width (`13174284+total`) are errors naming their line.

mod summary;
mod table;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{lines, ParseError, Size};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Top {
    pub flavor: Flavor,
    /// The wall clock time top printed (`13:40:01`).
    pub clock: Option<String>,
    pub uptime: Option<Uptime>,
    /// Logged-in users; newer procps may leave the count out.
    pub users: Option<u64>,
    pub load_average: Option<LoadAverage>,
    pub tasks: Option<Tasks>,
    /// `%Cpu(s)` alone, or one line per CPU with `-1`.
    pub cpus: Vec<Cpu>,
    pub mem: Option<Memory>,
    pub swap: Option<Memory>,
    /// The task table's header words as printed (translated ones too).
    pub columns: Vec<String>,
    pub processes: Vec<Process>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavor {
    Procps,
    Busybox,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uptime {
    /// As printed, without `up` (`1 day,  2:03`).
    pub text: String,
    /// top prints minutes at best, so this is the uptime rounded down to a minute.
    pub minutes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadAverage {
    pub one: f64,
    pub five: f64,
    pub fifteen: f64,
    /// busybox: runnable entities, total entities and the last PID, as in `/proc/loadavg`.
    pub runnable: Option<u64>,
    pub entities: Option<u64>,
    pub last_pid: Option<u64>,
}

/// `Tasks:` (or `Threads:` with `-H`); the counts are in a fixed order in every language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tasks {
    /// The label as printed: `Tasks`, `Threads`, `Tâches`...
    pub label: String,
    pub total: u64,
    /// `None` when top cut the line at its width (long translations at 80 columns).
    pub running: Option<u64>,
    pub sleeping: Option<u64>,
    pub stopped: Option<u64>,
    pub zombie: Option<u64>,
}

/// One CPU line in percent; fields an older kernel or top does not print are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cpu {
    /// `%Cpu(s)`, `%Cpu0`, `Cpu(s)`, `CPU`...
    pub label: String,
    pub user: f64,
    pub system: Option<f64>,
    pub nice: Option<f64>,
    pub idle: Option<f64>,
    pub iowait: Option<f64>,
    pub hardware_irq: Option<f64>,
    pub software_irq: Option<f64>,
    pub steal: Option<f64>,
    /// The short names as printed (`us`, `sy`..., `usr`, `sys`... or translated).
    pub names: Vec<String>,
}

/// A `Mem` or `Swap` line. `available` and `cached` describe memory even when top prints them
/// on the Swap line (`avail Mem`, the old `cached`); they are kept where they were printed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// The label as printed: `MiB Mem`, `KiB Swap`, `Mem`, `GiB Spch`...
    pub label: String,
    pub total: Option<Size>,
    pub free: Option<Size>,
    pub used: Option<Size>,
    pub buff_cache: Option<Size>,
    pub buffers: Option<Size>,
    pub cached: Option<Size>,
    pub shared: Option<Size>,
    pub available: Option<Size>,
    /// Values under names this parser does not know.
    pub extra: BTreeMap<String, Size>,
}

/// One row of the task table; a column not shown is `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Process {
    pub pid: Option<u64>,
    /// busybox `PPID`.
    pub ppid: Option<u64>,
    pub user: Option<String>,
    /// `PR`: a number, or `rt` for real-time tasks.
    pub priority: Option<String>,
    pub nice: Option<i64>,
    /// `VIRT` (busybox `VSZ`).
    pub virt: Option<Size>,
    pub res: Option<Size>,
    pub shr: Option<Size>,
    /// `S` (busybox `STAT`).
    pub state: Option<String>,
    pub cpu_percent: Option<f64>,
    pub mem_percent: Option<f64>,
    /// `TIME+` as printed (`0:34.42`).
    pub time: Option<String>,
    pub command: Option<String>,
    /// Every other column, by header name, as printed.
    pub extra: BTreeMap<String, String>,
}

pub fn parse(input: &str) -> Result<Top, ParseError> {
    let all: Vec<(usize, &str)> = lines::numbered(input).collect();
    let start = all
        .iter()
        .position(|(_, line)| !line.trim().is_empty())
        .ok_or_else(|| ParseError::whole("empty input: expected the output of top -b -n 1"))?;
    let body = all.get(start..).unwrap_or_default();
    let (first_no, first) = body.first().copied().unwrap_or_default();
    let flavor = if first.trim_start().starts_with("top - ") {
        Flavor::Procps
    } else if first.trim_start().starts_with("Mem:") && first.contains(" used,") {
        Flavor::Busybox
    } else {
        return Err(ParseError::at(
            first_no,
            first,
            "expected top's first line (`top - ...` or busybox's `Mem: ... used, ...`)",
        ));
    };
    let mut top = Top {
        flavor,
        clock: None,
        uptime: None,
        users: None,
        load_average: None,
        tasks: None,
        cpus: Vec::new(),
        mem: None,
        swap: None,
        columns: Vec::new(),
        processes: Vec::new(),
    };
    let table_start = summary::read(&mut top, body)?;
    table::read(&mut top, body.get(table_start..).unwrap_or_default())?;
    Ok(top)
}

/// `2.73`, `2,67` (comma locales), `100.0`; no signs, exponents or NaN.
fn decimal(text: &str) -> Option<f64> {
    let ok = text.starts_with(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && text.matches(['.', ',']).count() <= 1;
    if !ok {
        return None;
    }
    text.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// A whole number, with the `,` that follows counts in `Tasks:` lines taken off.
fn count(text: &str) -> Option<u64> {
    let text = text.trim_end_matches(',');
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Rounding;

    const PROCPS4: &str = "\
top - 13:22:27 up 1 day,  2:03,  1 user,  load average: 2.73, 3.09, 2.61
Tasks:  78 total,   2 running,  76 sleeping,   0 stopped,   0 zombie
%Cpu(s):100.0 us,  0.0 sy,  0.0 ni,  0.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st 
MiB Mem :  24105.6 total,  13882.4 free,   1299.2 used,   9252.6 buff/cache     
MiB Swap:      0.0 total,      0.0 free,      0.0 used.  22806.4 avail Mem 

  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
23976 root      20   0 3025332   1.1g  30460 R 106.2   3.5   0:34.42 qemu-system-x86_64 -m 1024
    7 root      rt   0       0      0      0 I   0.0   0.0   0:00.00 migration/0
";

    #[test]
    fn procps4_summary_and_rows() {
        let top = parse(PROCPS4).unwrap();
        assert_eq!(top.flavor, Flavor::Procps);
        assert_eq!(top.clock.as_deref(), Some("13:22:27"));
        assert_eq!(top.uptime.as_ref().unwrap().minutes, 24 * 60 + 2 * 60 + 3);
        assert_eq!(top.users, Some(1));
        assert_eq!(top.load_average.as_ref().unwrap().fifteen, 2.61);
        let tasks = top.tasks.as_ref().unwrap();
        assert_eq!((tasks.total, tasks.sleeping), (78, Some(76)));
        assert_eq!(top.cpus[0].user, 100.0);
        assert_eq!(top.cpus[0].steal, Some(0.0));
        let mem = top.mem.as_ref().unwrap();
        let total = mem.total.unwrap();
        assert_eq!(total.bytes, 25_276_553_626);
        assert_eq!(
            total.rounding,
            Rounding::Nearest {
                unit: 1 << 20,
                decimals: 1
            }
        );
        let swap = top.swap.as_ref().unwrap();
        assert_eq!(swap.available.unwrap().bytes, 23_914_243_686);
        let qemu = &top.processes[0];
        assert_eq!(qemu.pid, Some(23976));
        assert_eq!(qemu.virt.unwrap().bytes, 3_025_332 * 1024);
        assert_eq!(qemu.res.unwrap().bytes, 1_181_116_006);
        assert_eq!(qemu.command.as_deref(), Some("qemu-system-x86_64 -m 1024"));
        assert_eq!(top.processes[1].priority.as_deref(), Some("rt"));
    }

    #[test]
    fn a_three_digit_value_glued_to_the_name_before_it() {
        let input = "top - 1:00:00 up 1 min,  load average: 0.00, 0.00, 0.00\n\
            %Cpu0  :  0.0 us,  0.0 sy,  0.0 ni,100.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st\n";
        let top = parse(input).unwrap();
        assert_eq!(top.cpus[0].label, "%Cpu0");
        assert_eq!(top.cpus[0].idle, Some(100.0));
        assert_eq!(top.cpus[0].names[3], "id");
    }

    #[test]
    fn uptime_forms() {
        for (line, minutes, users) in [
            (
                "top - 10:00:00 up 5 min,  2 users,  load average: 0.00, 0.01, 0.05",
                5,
                Some(2),
            ),
            (
                "top - 10:00:00 up  3:04,  load average: 0.00, 0.01, 0.05",
                184,
                None,
            ),
            (
                "top - 10:00:00 up 2 days, 12 min,  0 user,  load average: 0.00, 0.01, 0.05",
                2892,
                Some(0),
            ),
        ] {
            let top = parse(line).unwrap();
            assert_eq!(top.uptime.unwrap().minutes, minutes, "{line}");
            assert_eq!(top.users, users, "{line}");
        }
    }

    #[test]
    fn old_procps_k_suffix_and_percent_labels() {
        let input = "\
top - 19:49:09 up  2:47,  2 users,  load average: 1.11, 0.74, 0.53
Tasks: 121 total,   1 running, 120 sleeping,   0 stopped,   0 zombie
Cpu(s):  6.6%us,  0.9%sy,  0.0%ni, 91.4%id,  0.9%wa,  0.1%hi,  0.0%si,  0.0%st
Mem:   2063600k total,   835312k used,  1228288k free,    82160k buffers
Swap:  2377580k total,        0k used,  2377580k free,   273160k cached
";
        let top = parse(input).unwrap();
        assert_eq!(top.cpus[0].idle, Some(91.4));
        let mem = top.mem.unwrap();
        assert_eq!(mem.used.unwrap().bytes, 835_312 * 1024);
        assert_eq!(mem.buffers.unwrap().bytes, 82_160 * 1024);
        assert_eq!(top.swap.unwrap().cached.unwrap().bytes, 273_160 * 1024);
    }

    #[test]
    fn translated_lines_by_position() {
        let input = "\
top - 13:22:34 up 31 min,  0 user,  load average: 2,67, 3,08, 2,61
Zadania:razem:  76, działających:   1, śpiących:  75, zatrzymanych:   0, zombie:
%CPU:     0,0 uż,  0,0 sy,  0,0 ni,100,0 be,  0,0 io,  0,0 hi,  0,0 si,  0,0 sk 
MiB RAM :  24105,6 razem,  13459,4 wolne,   1625,0 użyte,   9351,2 buf/cache    
";
        let top = parse(input).unwrap();
        assert_eq!(top.load_average.unwrap().one, 2.67);
        let tasks = top.tasks.unwrap();
        assert_eq!(
            (tasks.total, tasks.stopped, tasks.zombie),
            (76, Some(0), None)
        );
        assert_eq!(top.cpus[0].idle, Some(100.0));
        let mem = top.mem.unwrap();
        assert_eq!(mem.used.unwrap().bytes, 1_703_936_000);
        assert_eq!(mem.buff_cache.unwrap().bytes, 9_805_443_891);
    }

    #[test]
    fn busybox() {
        let input = "\
Mem: 9703284K used, 14980812K free, 8788K shrd, 35440K buff, 8364336K cached
CPU:  78% usr  21% sys   0% nic   0% idle   0% io   0% irq   0% sirq
Load average: 3.10 3.16 2.72 5/120 7
  PID  PPID USER     STAT   VSZ %VSZ %CPU COMMAND
23976 23932 root     S    2954m  12%  44% qemu-system-x86_64 -m 1024
";
        let top = parse(input).unwrap();
        assert_eq!(top.flavor, Flavor::Busybox);
        assert_eq!(top.mem.as_ref().unwrap().shared.unwrap().bytes, 8788 * 1024);
        assert_eq!(top.cpus[0].system, Some(21.0));
        let load = top.load_average.unwrap();
        assert_eq!(
            (load.runnable, load.entities, load.last_pid),
            (Some(5), Some(120), Some(7))
        );
        let row = &top.processes[0];
        assert_eq!(row.ppid, Some(23932));
        let vsz = row.virt.unwrap();
        assert_eq!(vsz.bytes, 2954 << 20);
        assert_eq!(
            vsz.rounding,
            Rounding::Down {
                unit: 1 << 20,
                decimals: 0
            }
        );
        assert_eq!(row.cpu_percent, Some(44.0));
        assert_eq!(row.extra.get("%VSZ").map(String::as_str), Some("12%"));
    }

    #[test]
    fn refusals_name_their_line() {
        assert_eq!(parse("\r\n  \n").unwrap_err().line, 0);
        let cut = "top - 1:00:00 up 1 min,  load average: 0.00, 0.00, 0.00\nKiB Mem : 13174284+total,  1259288 free\n";
        assert_eq!(parse(cut).unwrap_err().line, 2);
        let twice = format!("{PROCPS4}{PROCPS4}");
        let err = parse(&twice).unwrap_err();
        assert_eq!(err.line, 10);
        assert!(err.message.contains("second report"), "{err}");
        assert_eq!(parse("Filesystem Size\n").unwrap_err().line, 1);
    }
}
