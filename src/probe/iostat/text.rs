//! The text layouts of `iostat -x`, line by line.

use super::{plain_size, Cpu, Device, Format, Iostat, Report, System};
use crate::probe::lines::numbered;
use crate::probe::size::{Base, RoundMode, Size};
use crate::probe::ParseError;

/// Where the device name sits: first (classic) or last (12.x `--pretty`, `-h`).
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    NameFirst,
    NameLast,
}

struct Table {
    layout: Layout,
    columns: Vec<String>,
}

/// What the previous line asked of the next one.
enum Expect {
    Anything,
    CpuValues(Vec<String>),
    /// A long device name printed alone; its values follow on the next line.
    WrappedValues(String),
}

struct State {
    out: Iostat,
    table: Option<Table>,
    expect: Expect,
}

pub(super) fn parse(input: &str) -> Result<Iostat, ParseError> {
    let mut state = State {
        out: Iostat {
            format: Format::Text,
            system: None,
            reports: Vec::new(),
        },
        table: None,
        expect: Expect::Anything,
    };
    for (number, line) in numbered(input) {
        if line.trim().is_empty() {
            // A blank line ends a device table; the wrapped-name case never has one between.
            state.table = None;
            continue;
        }
        state
            .line(line)
            .map_err(|message| ParseError::at(number, line, message))?;
    }
    match state.expect {
        Expect::Anything => Ok(state.out),
        _ => Err(ParseError::whole(
            "output ends in the middle of a block (truncated?)",
        )),
    }
}

impl State {
    fn line(&mut self, line: &str) -> Result<(), String> {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        match std::mem::replace(&mut self.expect, Expect::Anything) {
            Expect::CpuValues(names) => return self.cpu_values(&names, &tokens),
            Expect::WrappedValues(name) => return self.device_values(&name, &tokens),
            Expect::Anything => {}
        }
        if tokens.first() == Some(&"avg-cpu:") {
            return self.cpu_header(&tokens);
        }
        if let Some(layout) = device_header(&tokens) {
            return self.device_header(layout, &tokens);
        }
        if self.table.is_some() {
            return self.device_row(&tokens);
        }
        if self.out.system.is_none() && self.out.reports.is_empty() {
            if let Some(system) = system_line(&tokens) {
                self.out.system = Some(system);
                return Ok(());
            }
        }
        if is_timestamp(&tokens) {
            self.out.reports.push(empty_report(Some(tokens.join(" "))));
            return Ok(());
        }
        Err("not an iostat line (expected the system line, a timestamp, `avg-cpu:` or a `Device` header)".into())
    }

    /// The report the next block belongs to: the open one if it has no such block yet.
    fn report_for(&mut self, wants_cpu: bool) -> Result<&mut Report, String> {
        let reuse = self.out.reports.last().is_some_and(|report| {
            if wants_cpu {
                report.cpu.is_none() && report.devices.is_empty()
            } else {
                report.devices.is_empty()
            }
        });
        if !reuse {
            self.out.reports.push(empty_report(None));
        }
        self.out
            .reports
            .last_mut()
            .ok_or_else(|| "no report".to_owned())
    }

    fn cpu_header(&mut self, tokens: &[&str]) -> Result<(), String> {
        let names: Vec<String> = tokens
            .iter()
            .skip(1)
            .map(|name| name.trim_start_matches('%').to_owned())
            .collect();
        if names.is_empty() {
            return Err("`avg-cpu:` without column names".into());
        }
        self.expect = Expect::CpuValues(names);
        Ok(())
    }

    fn cpu_values(&mut self, names: &[String], tokens: &[&str]) -> Result<(), String> {
        if tokens.len() != names.len() {
            return Err(format!(
                "{} values under {} `avg-cpu:` columns",
                tokens.len(),
                names.len()
            ));
        }
        let mut pairs = Vec::new();
        for (name, token) in names.iter().zip(tokens) {
            pairs.push((name.clone(), number(token)?));
        }
        let cpu = Cpu::from_pairs(pairs)?;
        self.report_for(true)?.cpu = Some(cpu);
        Ok(())
    }

    fn device_header(&mut self, layout: Layout, tokens: &[&str]) -> Result<(), String> {
        let columns: Vec<String> = tokens
            .iter()
            .filter(|token| !is_device_word(token))
            .map(|token| (*token).to_owned())
            .collect();
        // 12.x `-h` splits one report into several tables of disjoint columns, Device last.
        let continues = layout == Layout::NameLast
            && self.out.reports.last().is_some_and(|report| {
                !report.devices.is_empty() && columns.iter().all(|c| !report.columns.contains(c))
            });
        let report = if continues {
            self.out.reports.last_mut().ok_or("no report to continue")?
        } else {
            self.report_for(false)?
        };
        report.columns.extend(columns.iter().cloned());
        self.table = Some(Table { layout, columns });
        Ok(())
    }

    fn device_row(&mut self, tokens: &[&str]) -> Result<(), String> {
        let layout = self.table.as_ref().map_or(Layout::NameFirst, |t| t.layout);
        let (name, values) = match (layout, tokens) {
            (Layout::NameFirst, [name]) => {
                self.expect = Expect::WrappedValues((*name).to_owned());
                return Ok(());
            }
            (Layout::NameFirst, [name, values @ ..]) => (*name, values),
            (Layout::NameLast, [values @ .., name]) => (*name, values),
            _ => return Err("empty device row".into()),
        };
        self.fill_device(name, values)
    }

    fn device_values(&mut self, name: &str, tokens: &[&str]) -> Result<(), String> {
        self.fill_device(name, tokens)
    }

    fn fill_device(&mut self, name: &str, values: &[&str]) -> Result<(), String> {
        let columns = self
            .table
            .as_ref()
            .map(|t| t.columns.clone())
            .unwrap_or_default();
        if values.len() != columns.len() {
            return Err(format!(
                "{} values for {} columns (device `{name}`)",
                values.len(),
                columns.len()
            ));
        }
        let report = self
            .out
            .reports
            .last_mut()
            .ok_or("device row before any header")?;
        let index = match report.devices.iter().position(|d| d.name == name) {
            Some(index) => index,
            None => {
                report.devices.push(Device::new(name));
                report.devices.len() - 1
            }
        };
        let device = report.devices.get_mut(index).ok_or("device vanished")?;
        for (column, token) in columns.iter().zip(values) {
            let (value, size) = cell(column, token)?;
            device.set(column, value, size);
        }
        Ok(())
    }
}

fn empty_report(timestamp: Option<String>) -> Report {
    Report {
        timestamp,
        cpu: None,
        columns: Vec::new(),
        devices: Vec::new(),
    }
}

fn is_device_word(token: &str) -> bool {
    token == "Device" || token == "Device:"
}

/// A device table header has `Device`/`Device:` first or last and column names around it.
fn device_header(tokens: &[&str]) -> Option<Layout> {
    if tokens.len() < 2 {
        return None;
    }
    if tokens.first().is_some_and(|t| is_device_word(t)) {
        return Some(Layout::NameFirst);
    }
    if tokens.last().is_some_and(|t| is_device_word(t)) {
        return Some(Layout::NameLast);
    }
    None
}

/// `Linux 6.1.0 (host) \t11/26/26 \t_x86_64_\t(2 CPU)`; old sysstat stops after the date.
fn system_line(tokens: &[&str]) -> Option<System> {
    let [sysname, release, host, rest @ ..] = tokens else {
        return None;
    };
    let hostname = host.strip_prefix('(')?.strip_suffix(')')?;
    let mut date = Vec::new();
    let mut machine = None;
    let mut cpus = None;
    let mut index = 0;
    while let Some(token) = rest.get(index) {
        if let Some(count) = token.strip_prefix('(') {
            cpus = Some(count.parse::<u32>().ok()?);
            if rest.get(index + 1) != Some(&"CPU)") {
                return None;
            }
            index += 1;
        } else if token.len() > 2 && token.starts_with('_') && token.ends_with('_') {
            machine = Some(token.trim_matches('_').to_owned());
        } else {
            date.push(*token);
        }
        index += 1;
    }
    Some(System {
        sysname: (*sysname).to_owned(),
        release: (*release).to_owned(),
        hostname: hostname.to_owned(),
        date: (!date.is_empty()).then(|| date.join(" ")),
        machine,
        cpus,
    })
}

/// `-t` prints the time in the locale's format, `Time: 12:00:00` in old sysstat or ISO 8601
/// with `S_TIME_FORMAT=ISO`: a short line with a clock in it.
fn is_timestamp(tokens: &[&str]) -> bool {
    let text = tokens.join(" ");
    tokens.len() <= 4
        && text.contains(':')
        && text.chars().any(|c| c.is_ascii_digit())
        && !text.contains('=')
}

/// A plain number as iostat prints it (`%.2f`), with `.` or `,` as the locale wants.
fn number(token: &str) -> Result<f64, String> {
    let token = token.strip_suffix('%').unwrap_or(token);
    let valid = !token.is_empty()
        && token
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == '-');
    let value = token
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| valid && v.is_finite());
    value.ok_or_else(|| format!("`{token}` is not a number"))
}

/// One table cell: the value in the column's unit and, for throughputs, bytes per second.
/// `-h` prints sizes with a binary unit letter (`4.5M` under `rkB/s` is 4.5 MiB/s).
fn cell(column: &str, token: &str) -> Result<(f64, Option<Size>), String> {
    if token.ends_with(|c: char| c.is_ascii_alphabetic()) {
        let size = Size::parse_human(token, Base::Binary, RoundMode::Nearest)
            .ok_or_else(|| format!("`{token}` is not a number or a size"))?;
        let unit = column_unit(column);
        return Ok((size.bytes as f64 / unit as f64, Some(size)));
    }
    let value = number(token)?;
    Ok((value, plain_size(column, token.trim_end_matches('%'))))
}

/// The bytes one unit of a size column stands for; `-h` only prints kB-based columns.
fn column_unit(column: &str) -> u64 {
    if column.contains("MB") {
        1 << 20
    } else if column.contains("sec") || column.contains("Blk") {
        512
    } else {
        1024
    }
}
