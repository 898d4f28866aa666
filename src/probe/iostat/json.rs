//! `iostat -o JSON`: `{"sysstat": {"hosts": [{..., "statistics": [...]}]}}`.

use serde_json::{Map, Value};

use super::{plain_size, Cpu, Device, Format, Iostat, Report, System};
use crate::probe::lines::numbered;
use crate::probe::ParseError;

pub(super) fn parse(input: &str) -> Result<Iostat, ParseError> {
    let value: Value = serde_json::from_str(input).map_err(|err| json_error(input, &err))?;
    let host = value
        .pointer("/sysstat/hosts/0")
        .and_then(Value::as_object)
        .ok_or_else(|| ParseError::whole("JSON without `sysstat.hosts[0]`: not iostat -o JSON"))?;
    let statistics = host
        .get("statistics")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::whole("iostat JSON host without a `statistics` array"))?;
    let reports = statistics
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            report(entry).map_err(|m| ParseError::whole(format!("statistics[{index}]: {m}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Iostat {
        format: Format::Json,
        system: Some(system(host)),
        reports,
    })
}

fn json_error(input: &str, err: &serde_json::Error) -> ParseError {
    let line = err.line();
    let text = numbered(input)
        .find(|(number, _)| *number == line)
        .map_or("", |(_, text)| text);
    ParseError::at(line.max(1), text, format!("invalid JSON: {err}"))
}

fn text(host: &Map<String, Value>, key: &str) -> Option<String> {
    host.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn system(host: &Map<String, Value>) -> System {
    System {
        sysname: text(host, "sysname").unwrap_or_default(),
        release: text(host, "release").unwrap_or_default(),
        hostname: text(host, "nodename").unwrap_or_default(),
        date: text(host, "date"),
        machine: text(host, "machine"),
        cpus: host
            .get("number-of-cpus")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok()),
    }
}

fn report(entry: &Value) -> Result<Report, String> {
    let entry = entry.as_object().ok_or("a report is not an object")?;
    let cpu = match entry.get("avg-cpu") {
        Some(block) => Some(cpu(block)?),
        None => None,
    };
    let disks = match entry.get("disk") {
        Some(list) => list.as_array().ok_or("`disk` is not an array")?.as_slice(),
        None => &[],
    };
    let devices = disks.iter().map(device).collect::<Result<Vec<_>, _>>()?;
    let columns = disks
        .first()
        .and_then(Value::as_object)
        .map(|first| {
            renamed_keys(first)
                .into_iter()
                .map(|(_, name)| name)
                .collect()
        })
        .unwrap_or_default();
    Ok(Report {
        timestamp: entry
            .get("timestamp")
            .and_then(Value::as_str)
            .map(str::to_owned),
        cpu,
        columns,
        devices,
    })
}

fn cpu(block: &Value) -> Result<Cpu, String> {
    let block = block.as_object().ok_or("`avg-cpu` is not an object")?;
    let pairs = block
        .iter()
        .map(|(key, value)| Ok((key.clone(), finite(key, value)?)))
        .collect::<Result<Vec<_>, String>>()?;
    Cpu::from_pairs(pairs)
}

fn finite(key: &str, value: &Value) -> Result<f64, String> {
    value
        .as_f64()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("`{key}` is not a number"))
}

fn device(disk: &Value) -> Result<Device, String> {
    let disk = disk.as_object().ok_or("a disk entry is not an object")?;
    let name = disk
        .get("disk_device")
        .and_then(Value::as_str)
        .ok_or("disk entry without `disk_device`")?;
    let mut device = Device::new(name);
    for (key, column) in renamed_keys(disk) {
        let value = disk.get(&key).ok_or("key vanished")?;
        let number = finite(&key, value)?;
        // sysstat prints every JSON number with `%.2f`, so two decimals give back its text.
        let size = plain_size(&column, &format!("{number:.2}"));
        device.set(&column, number, size);
    }
    Ok(device)
}

/// The JSON keys of a disk entry with the text header each one stands for.
///
/// sysstat 11.5 named per-second values without `/s` (`"r"`, `"rkB"`, `"rrqm"`); from 11.6
/// on `"rrqm"` is the `%rrqm` percentage and `/s` is spelled out. `util` is `%util` in both.
fn renamed_keys(disk: &Map<String, Value>) -> Vec<(String, String)> {
    let old_names = disk.contains_key("r") && !disk.contains_key("r/s");
    disk.keys()
        .filter(|key| key.as_str() != "disk_device")
        .map(|key| (key.clone(), header_name(key, old_names)))
        .collect()
}

fn header_name(key: &str, old_names: bool) -> String {
    const PER_SECOND: [&str; 10] = [
        "r", "w", "rkB", "wkB", "rMB", "wMB", "rsec", "wsec", "rrqm", "wrqm",
    ];
    match key {
        "util" => "%util".to_owned(),
        _ if old_names && PER_SECOND.contains(&key) => format!("{key}/s"),
        "rrqm" | "wrqm" | "drqm" => format!("%{key}"),
        _ => key.to_owned(),
    }
}
