//! The summary lines above top's task table.

use super::{count, decimal, Cpu, LoadAverage, Memory, ParseError, Size, Tasks, Top, Uptime};
use crate::probe::size::RoundMode;

type Lines<'a> = [(usize, &'a str)];

/// Fills the summary of `top` from `body` and returns where the task table begins in it.
pub(super) fn read(top: &mut Top, body: &Lines) -> Result<usize, ParseError> {
    for (index, &(no, line)) in body.iter().enumerate() {
        if line.trim().is_empty() || is_table_header(line) {
            return Ok(index);
        }
        read_line(top, line).map_err(|message| ParseError::at(no, line, message))?;
    }
    Ok(body.len())
}

/// The task table's header: `PID` among its words (translated tops keep it; zh_CN does not,
/// but its table follows a blank line all the same).
fn is_table_header(line: &str) -> bool {
    line.split_whitespace().any(|word| word == "PID")
}

fn read_line(top: &mut Top, line: &str) -> Result<(), String> {
    let trimmed = line.trim();
    let (label, rest) = trimmed.split_once(':').unwrap_or((trimmed, ""));
    let label = label.trim();
    if let Some(header) = trimmed.strip_prefix("top - ") {
        if no_report_yet(top) {
            return uptime_line(top, header);
        }
        return Err("a second report: run top with -n 1".to_owned());
    }
    if label.eq_ignore_ascii_case("load average") {
        top.load_average = Some(busybox_load(rest)?);
    } else if is_cpu_label(label) {
        top.cpus.push(cpu_line(label, rest)?);
    } else if is_memory_label(label) {
        memory_line(top, label, rest)?;
    } else if top.tasks.is_none() && top.cpus.is_empty() && top.mem.is_none() {
        top.tasks = Some(tasks_line(label, rest)?);
    } else {
        return Err("not a summary line top prints".to_owned());
    }
    Ok(())
}

fn no_report_yet(top: &Top) -> bool {
    top.clock.is_none() && top.tasks.is_none() && top.cpus.is_empty() && top.mem.is_none()
}

/// `13:40:01 up 1 day,  2:03,  1 user,  load average: 0.00, 0.01, 0.05`.
fn uptime_line(top: &mut Top, header: &str) -> Result<(), String> {
    let (head, load) = header
        .split_once("load average:")
        .ok_or("no `load average:` in top's first line")?;
    let (clock, up) = head.trim().split_once(' ').unwrap_or((head.trim(), ""));
    top.clock = Some(clock.to_owned());
    let up = up.trim().strip_prefix("up").unwrap_or(up).trim();
    let mut parts: Vec<&str> = up
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if let Some(users) = parts.last().and_then(|part| user_count(part)) {
        top.users = Some(users);
        parts.pop();
    }
    if !parts.is_empty() {
        top.uptime = Some(Uptime {
            text: parts.join(", "),
            minutes: uptime_minutes(&parts)?,
        });
    }
    let loads = load.split_whitespace().map(|w| w.trim_end_matches(','));
    top.load_average = Some(three_loads(loads)?);
    Ok(())
}

/// `1 user`, `12 users`.
fn user_count(part: &str) -> Option<u64> {
    let (number, word) = part.split_once(' ')?;
    word.trim().starts_with("user").then_some(())?;
    count(number)
}

/// `1 day`, `2 days`, `2:03`, `5 min`, summed.
fn uptime_minutes(parts: &[&str]) -> Result<u64, String> {
    let mut minutes: u64 = 0;
    for part in parts {
        let words: Vec<&str> = part.split_whitespace().collect();
        let add = match words.as_slice() {
            [n, unit] if unit.starts_with("day") => count(n).and_then(|d| d.checked_mul(1440)),
            [n, unit] if unit.starts_with("min") => count(n),
            [clock] => hours_minutes(clock),
            _ => None,
        };
        let add = add.ok_or_else(|| format!("unknown uptime part `{part}`"))?;
        minutes = minutes.checked_add(add).ok_or("uptime too large")?;
    }
    Ok(minutes)
}

fn hours_minutes(clock: &str) -> Option<u64> {
    let (hours, minutes) = clock.split_once(':')?;
    count(hours)?.checked_mul(60)?.checked_add(count(minutes)?)
}

fn three_loads<'a>(mut words: impl Iterator<Item = &'a str>) -> Result<LoadAverage, String> {
    let mut next = || -> Result<f64, String> {
        let word = words.next().unwrap_or_default();
        decimal(word).ok_or_else(|| format!("`{word}` is no load average"))
    };
    Ok(LoadAverage {
        one: next()?,
        five: next()?,
        fifteen: next()?,
        runnable: None,
        entities: None,
        last_pid: None,
    })
}

/// busybox: `3.10 3.16 2.72 5/120 7` (then runnable/entities and the last PID).
fn busybox_load(rest: &str) -> Result<LoadAverage, String> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut load = three_loads(words.iter().copied())?;
    if let Some((runnable, entities)) = words.get(3).and_then(|w| w.split_once('/')) {
        load.runnable = count(runnable);
        load.entities = count(entities);
    }
    load.last_pid = words.get(4).and_then(|w| count(w));
    Ok(load)
}

/// `%Cpu(s)`, `%Cpu0`, `Cpu(s)`, `Cpu0`, busybox `CPU`, `%CПроц.`, `%Cpu/er`.
fn is_cpu_label(label: &str) -> bool {
    label.starts_with('%')
        || label
            .get(..3)
            .is_some_and(|s| s.eq_ignore_ascii_case("cpu"))
}

/// The values of a CPU line in top's fixed order: us sy ni id wa hi si st.
fn cpu_line(label: &str, rest: &str) -> Result<Cpu, String> {
    let pairs = number_name_pairs(rest)?;
    let mut values = pairs.iter().map(|(value, _)| *value);
    let user = values.next().ok_or("a CPU line without values")?;
    let cpu = Cpu {
        label: label.to_owned(),
        user,
        system: values.next(),
        nice: values.next(),
        idle: values.next(),
        iowait: values.next(),
        hardware_irq: values.next(),
        software_irq: values.next(),
        steal: values.next(),
        names: pairs.iter().map(|(_, name)| name.clone()).collect(),
    };
    if values.next().is_some() {
        return Err("more than 8 values on a CPU line".to_owned());
    }
    Ok(cpu)
}

/// `6.6%us,` / `0.0 us,` / `20.8% us,` / `44% usr` / `100,0 uż,` as (value, name) pairs.
fn number_name_pairs(rest: &str) -> Result<Vec<(f64, String)>, String> {
    let mut pairs: Vec<(f64, String)> = Vec::new();
    for word in rest.split_whitespace().flat_map(unglue) {
        let end = word
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .unwrap_or(word.len());
        let (number, name) = word.split_at(end);
        let name = name.trim_start_matches('%').trim_end_matches(',');
        match decimal(number.trim_end_matches(',')) {
            Some(value) if !number.is_empty() => pairs.push((value, name.to_owned())),
            _ => match pairs.last_mut() {
                Some((_, last)) if last.is_empty() => *last = name.to_owned(),
                _ => return Err(format!("unexpected `{word}` on a CPU line")),
            },
        }
    }
    Ok(pairs)
}

/// `ni,100.0`: a three-digit value leaves no space after the name before it.
fn unglue(word: &str) -> Vec<&str> {
    let glued = word
        .char_indices()
        .find(|&(at, c)| c == ',' && at > 0 && word.get(at + 1..).is_some_and(starts_digit));
    match glued {
        Some((at, _)) if !starts_digit(word) => {
            let (name, number) = word.split_at(at);
            vec![name, number.trim_start_matches(',')]
        }
        _ => vec![word],
    }
}

fn starts_digit(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_digit())
}

/// `MiB Mem`, `KiB Swap`, `GiB Spch`, `МіБ Пам`, `MB mem`, the old `Mem`/`Swap`, busybox `Mem`.
fn is_memory_label(label: &str) -> bool {
    let first = label.split_whitespace().next().unwrap_or_default();
    unit_of_label(label).is_some() || first == "Mem" || first == "Swap"
}

/// The bytes of the `-E` unit the label names by its first word (`KiB`, `MiB`, `МіБ`, `MB`).
fn unit_of_label(label: &str) -> Option<u64> {
    let first = label.split_whitespace().next()?;
    let length = first.chars().count();
    if label.split_whitespace().count() != 2 || !(2..=3).contains(&length) {
        return None;
    }
    if !first.ends_with(['B', 'Б']) {
        return None;
    }
    let power = match first.chars().next()? {
        'K' | 'К' => 1,
        'M' | 'М' => 2,
        'G' | 'Г' => 3,
        'T' | 'Т' => 4,
        'P' | 'П' => 5,
        'E' | 'Е' => 6,
        _ => return None,
    };
    1024u64.checked_pow(power)
}

fn memory_line(top: &mut Top, label: &str, rest: &str) -> Result<(), String> {
    let is_swap = label.to_lowercase().contains("swap") || top.mem.is_some();
    let memory = memory_values(label, rest, is_swap)?;
    let slot = if is_swap { &mut top.swap } else { &mut top.mem };
    if slot.is_some() {
        return Err("a third memory line".to_owned());
    }
    *slot = Some(memory);
    Ok(())
}

fn memory_values(label: &str, rest: &str, is_swap: bool) -> Result<Memory, String> {
    let unit = unit_of_label(label);
    let entries = value_name_entries(rest)?;
    let english = entries.iter().all(|(_, name)| field_of(name).is_some());
    let mut memory = Memory {
        label: label.to_owned(),
        ..Memory::default()
    };
    for (index, (value, name)) in entries.iter().enumerate() {
        let size = memory_size(value, unit)?;
        let field = if english {
            field_of(name)
        } else {
            positional_field(index, is_swap)
        };
        match field {
            Some(field) => *slot_of(&mut memory, field) = Some(size),
            None => {
                memory.extra.insert(name.clone(), size);
            }
        }
    }
    Ok(memory)
}

/// `24105.6 total, 13882.4 free, ... used. 22806.4 avail Mem` as (value, name) pairs.
fn value_name_entries(rest: &str) -> Result<Vec<(String, String)>, String> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for word in rest.split_whitespace() {
        if word.contains('+') {
            return Err(format!(
                "top cut `{word}` to its column width; run top with -E m or -E g"
            ));
        }
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            entries.push((word.trim_end_matches(',').to_owned(), String::new()));
            continue;
        }
        let name = word.trim_end_matches([',', '.']);
        match entries.last_mut() {
            Some((_, last)) if last.is_empty() => *last = name.to_owned(),
            Some((_, last)) => *last = format!("{last} {name}"),
            None => return Err(format!("a name `{word}` before any value")),
        }
    }
    if entries.is_empty() {
        return Err("a memory line without values".to_owned());
    }
    Ok(entries)
}

/// `24105.6` in the label's unit, `2063600k` (procps 3.2) or `9703284K` (busybox) in KiB.
fn memory_size(value: &str, unit: Option<u64>) -> Result<Size, String> {
    let (number, unit) = match value.strip_suffix(['k', 'K']) {
        Some(number) => (number, Some(1024)),
        None => (value, unit),
    };
    let unit = unit.ok_or_else(|| format!("`{value}` does not say its unit"))?;
    Size::in_unit(number, unit, RoundMode::Nearest).ok_or_else(|| format!("`{value}` is no size"))
}

#[derive(Clone, Copy)]
enum Field {
    Total,
    Free,
    Used,
    BuffCache,
    Buffers,
    Cached,
    Shared,
    Available,
}

fn field_of(name: &str) -> Option<Field> {
    let first = name.split_whitespace().next().unwrap_or_default();
    Some(match first {
        "total" => Field::Total,
        "free" => Field::Free,
        "used" => Field::Used,
        "buff/cache" => Field::BuffCache,
        "buffers" | "buff" => Field::Buffers,
        "cached" => Field::Cached,
        "shrd" | "shared" => Field::Shared,
        "avail" => Field::Available,
        _ => return None,
    })
}

/// procps 3.3.10+ prints `total free used buff/cache` and `total free used avail` in every
/// language; translated older layouts are not told apart.
fn positional_field(index: usize, is_swap: bool) -> Option<Field> {
    let last = if is_swap {
        Field::Available
    } else {
        Field::BuffCache
    };
    [Field::Total, Field::Free, Field::Used, last]
        .get(index)
        .copied()
}

fn slot_of(memory: &mut Memory, field: Field) -> &mut Option<Size> {
    match field {
        Field::Total => &mut memory.total,
        Field::Free => &mut memory.free,
        Field::Used => &mut memory.used,
        Field::BuffCache => &mut memory.buff_cache,
        Field::Buffers => &mut memory.buffers,
        Field::Cached => &mut memory.cached,
        Field::Shared => &mut memory.shared,
        Field::Available => &mut memory.available,
    }
}

/// `78 total,   2 running, ...` or Polish `razem:  82, działających:   1, ...`: the counts in
/// order, whatever the words.
fn tasks_line(label: &str, rest: &str) -> Result<Tasks, String> {
    let counts: Vec<u64> = rest.split_whitespace().filter_map(count).collect();
    let mut counts = counts.into_iter();
    let total = counts
        .next()
        .ok_or("expected the Tasks line (`Tasks: 78 total, 2 running, ...`)")?;
    let tasks = Tasks {
        label: label.to_owned(),
        total,
        running: counts.next(),
        sleeping: counts.next(),
        stopped: counts.next(),
        zombie: counts.next(),
    };
    match counts.next() {
        Some(_) => Err("more than 5 counts on the Tasks line".to_owned()),
        None => Ok(tasks),
    }
}
