//! The linear form after the `Overall:` block: one section per block group type and profile,
//! each followed by its per-device lines, then `Unallocated:` per device.
//!
//! ```text
//! Data,single: Size:344.00MiB, Used:171.42MiB (49.83%)
//!    /dev/loop0     344.00MiB
//! ```

use serde::{Deserialize, Serialize};

use super::{signed, size, ParseError, Signed, Size};

/// One `Type,profile: Size:..., Used:...` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// `Data`, `Metadata`, `System`, `Data+Metadata` (mixed block groups), `GlobalReserve`.
    pub kind: String,
    /// `single`, `DUP`, `RAID0`, `RAID1`, `RAID1C3`, `RAID1C4`, `RAID10`, `RAID5`, `RAID6`.
    pub profile: String,
    /// Space allocated to this type and profile, counted once (not per copy).
    pub size: Size,
    pub used: Size,
    /// The `(49.83%)` btrfs-progs 5.x+ prints, as printed.
    pub used_percent: Option<f64>,
    /// Raw space on each device (copies included); empty for a non-root user.
    pub devices: Vec<DeviceAmount>,
}

/// A device line: its path (or `missing`) and an amount of raw space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAmount {
    pub device: String,
    pub amount: Signed,
}

enum Target {
    Nothing,
    Section,
    Unallocated,
}

/// Reads the sections and the `Unallocated:` devices.
pub(super) fn read(
    body: &[(usize, &str)],
) -> Result<(Vec<Section>, Vec<DeviceAmount>), ParseError> {
    let mut sections: Vec<Section> = Vec::new();
    let mut unallocated = Vec::new();
    let mut target = Target::Nothing;
    for &(number, line) in body {
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if text == "Unallocated:" {
            target = Target::Unallocated;
        } else if text.contains(": Size:") {
            sections.push(header(text).map_err(|m| ParseError::at(number, line, m))?);
            target = Target::Section;
        } else {
            let amount = device(text).ok_or_else(|| {
                ParseError::at(
                    number,
                    line,
                    "expected a section header or `device size` line",
                )
            })?;
            match (&target, sections.last_mut()) {
                (Target::Section, Some(section)) => section.devices.push(amount),
                (Target::Unallocated, _) => unallocated.push(amount),
                _ => {
                    return Err(ParseError::at(
                        number,
                        line,
                        "device line outside a section",
                    ))
                }
            }
        }
    }
    Ok((sections, unallocated))
}

/// `Data,single: Size:344.00MiB, Used:171.42MiB (49.83%)`; the percentage is optional.
fn header(text: &str) -> Result<Section, String> {
    let (group, rest) = text
        .split_once(": Size:")
        .ok_or("expected `Type,profile: Size:`")?;
    let (kind, profile) = group.split_once(',').ok_or("expected `Type,profile`")?;
    let (size_text, used_part) = rest.split_once(", Used:").ok_or("expected `, Used:`")?;
    let (used_text, percent) = match used_part.trim().split_once(char::is_whitespace) {
        Some((used, percent)) => (used, Some(percent_of(percent).ok_or("bad percentage")?)),
        None => (used_part.trim(), None),
    };
    Ok(Section {
        kind: kind.trim().to_owned(),
        profile: profile.trim().to_owned(),
        size: size(size_text.trim()).ok_or("bad `Size:` value")?,
        used: size(used_text).ok_or("bad `Used:` value")?,
        used_percent: percent,
        devices: Vec::new(),
    })
}

/// `(49.83%)` → 49.83.
fn percent_of(text: &str) -> Option<f64> {
    let inner = text
        .trim()
        .strip_prefix('(')?
        .strip_suffix(')')?
        .strip_suffix('%')?;
    inner.parse::<f64>().ok().filter(|p| p.is_finite())
}

/// `/dev/loop0\t 344.00MiB` → path and size; the path may hold spaces, the size is the last
/// word.
fn device(text: &str) -> Option<DeviceAmount> {
    let (path, value) = text.rsplit_once(char::is_whitespace)?;
    let path = path.trim();
    if path.is_empty() {
        return None;
    }
    Some(DeviceAmount {
        device: path.to_owned(),
        amount: signed(value)?,
    })
}
