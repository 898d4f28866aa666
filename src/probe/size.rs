//! Byte sizes as commands print them, with the command's own rounding kept in the value.
//!
//! `free -h` prints `1.9Gi`, `df -h` prints `988M`, `btrfs` prints `1.50GiB`: each is a
//! rounded number, and each command rounds its own way (nearest, up, down). A [`Size`] keeps
//! the bytes the text stands for and the [`Rounding`] that produced the text, so a reader can
//! tell an exact `-b` value from a human one and knows the interval the true value lies in.

use serde::{Deserialize, Serialize};

/// A number of bytes read from a command's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    /// The bytes the printed text stands for (`1.9Gi` is 1.9 × 2^30, rounded to a byte).
    pub bytes: u64,
    /// How the command rounded the true value to get the text.
    pub rounding: Rounding,
}

/// How a command rounded a size before printing it.
///
/// `unit` is the unit of the printed number in bytes and `decimals` how many digits it
/// printed after the decimal separator, so one step of the printed value is
/// `unit / 10^decimals` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Rounding {
    /// Printed in bytes: the value is exact.
    Exact,
    /// Rounded to the nearest step: the true value is within half a step.
    Nearest { unit: u64, decimals: u8 },
    /// Rounded up (coreutils `df`, `du`): the true value is at most `bytes`, and less than one
    /// step below it.
    Up { unit: u64, decimals: u8 },
    /// Truncated (procps `free -m`): the true value is at least `bytes`, and less than one step
    /// above it.
    Down { unit: u64, decimals: u8 },
}

/// How a command rounds a size it prints in a unit bigger than a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundMode {
    Nearest,
    Up,
    Down,
}

/// What a bare unit letter (`K`, `M`, `G`) means for a command: powers of 1024 (`free -h`,
/// `df -h`, `compsize`) or of 1000 (`df -H`, `free --si`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    Binary,
    Decimal,
}

impl Size {
    /// A size printed in bytes.
    pub fn exact(bytes: u64) -> Size {
        Size {
            bytes,
            rounding: Rounding::Exact,
        }
    }

    /// A whole count of `unit`-byte blocks (`free -k`, `df -B1M`), rounded by `mode`.
    pub fn blocks(count: u64, unit: u64, mode: RoundMode) -> Option<Size> {
        let bytes = count.checked_mul(unit)?;
        if unit == 1 {
            return Some(Size::exact(bytes));
        }
        Some(Size {
            bytes,
            rounding: Rounding::new(mode, unit, 0),
        })
    }

    /// Reads a human size such as `1.9Gi`, `7,3Gi`, `988M`, `1.50GiB`, `0B`, `512` (bytes).
    ///
    /// `base` says what a bare `K`/`M`/`G` means; `Ki`/`KiB` are always binary and `kB`/`KB`
    /// with a `B` after a bare letter always decimal, as `btrfs --si` prints them.
    /// Returns `None` when the text is not a size.
    pub fn parse_human(text: &str, base: Base, mode: RoundMode) -> Option<Size> {
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(split);
        Size::in_unit(number, unit_bytes(suffix, base)?, mode)
    }

    /// Reads a size as util-linux prints it (`swapon --show`, `zramctl`, `lsblk`): bytes with
    /// `--bytes`, else `512M`, `169.5M`, `0B`, `7,8G` in powers of 1024.
    ///
    /// util-linux's `size_to_human_string` rounds to the nearest tenth and drops a `.0`, so
    /// `512M` is as much a one-decimal value as `169.5M`: the rounding always says one decimal.
    pub fn parse_util_linux(text: &str) -> Option<Size> {
        let size = Size::parse_human(text, Base::Binary, RoundMode::Nearest)?;
        match size.rounding {
            Rounding::Nearest { unit, .. } => Some(Size {
                bytes: size.bytes,
                rounding: Rounding::Nearest { unit, decimals: 1 },
            }),
            _ => Some(size),
        }
    }

    /// Reads a plain decimal number printed in units of `unit` bytes, such as iostat's
    /// `4533.33` under `rkB/s` (unit 1024) or `16.18` under `rsec/s` (unit 512).
    ///
    /// `.` or `,` separates the decimals, as the locale printed it. Returns `None` when the
    /// text is not such a number or the bytes overflow.
    pub fn in_unit(number: &str, unit: u64, mode: RoundMode) -> Option<Size> {
        let (digits, decimals) = decimal_digits(number)?;
        let bytes = digits
            .checked_mul(u128::from(unit))?
            .checked_add(pow10(decimals)? / 2)?
            / pow10(decimals)?;
        let bytes = u64::try_from(bytes).ok()?;
        if unit == 1 && decimals == 0 {
            return Some(Size::exact(bytes));
        }
        Some(Size {
            bytes,
            rounding: Rounding::new(mode, unit, decimals),
        })
    }
}

impl Rounding {
    fn new(mode: RoundMode, unit: u64, decimals: u8) -> Rounding {
        match mode {
            RoundMode::Nearest => Rounding::Nearest { unit, decimals },
            RoundMode::Up => Rounding::Up { unit, decimals },
            RoundMode::Down => Rounding::Down { unit, decimals },
        }
    }

    /// One step of the printed value, in bytes (0 when exact).
    pub fn step(&self) -> f64 {
        match *self {
            Rounding::Exact => 0.0,
            Rounding::Nearest { unit, decimals }
            | Rounding::Up { unit, decimals }
            | Rounding::Down { unit, decimals } => unit as f64 / 10f64.powi(i32::from(decimals)),
        }
    }
}

/// `"7,3"` → `(73, 1)`; one separator at most, `.` or `,` (locales print either).
fn decimal_digits(number: &str) -> Option<(u128, u8)> {
    let (whole, fraction) = match number.find(['.', ',']) {
        Some(at) => (&number[..at], &number[at + 1..]),
        None => (number, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 12 {
        return None;
    }
    let digits: u128 = format!("{whole}{fraction}").parse().ok()?;
    Some((digits, u8::try_from(fraction.len()).ok()?))
}

fn pow10(decimals: u8) -> Option<u128> {
    10u128.checked_pow(u32::from(decimals))
}

fn unit_bytes(suffix: &str, base: Base) -> Option<u64> {
    let (letter, rest) = match suffix.chars().next() {
        None => return Some(1),
        Some(c) => (c, &suffix[c.len_utf8()..]),
    };
    if letter == 'B' && rest.is_empty() {
        return Some(1);
    }
    let power = match letter.to_ascii_uppercase() {
        'K' => 1,
        'M' => 2,
        'G' => 3,
        'T' => 4,
        'P' => 5,
        'E' => 6,
        _ => return None,
    };
    let radix: u64 = match (rest, base) {
        ("i" | "iB", _) => 1024,
        ("B", _) => 1000,
        ("", Base::Binary) => 1024,
        ("", Base::Decimal) => 1000,
        _ => return None,
    };
    radix.checked_pow(power)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn human(text: &str) -> Option<Size> {
        Size::parse_human(text, Base::Binary, RoundMode::Nearest)
    }

    #[test]
    fn binary_suffixes() {
        assert_eq!(human("1.9Gi").unwrap().bytes, 2_040_109_466);
        assert_eq!(human("7,3Gi").unwrap().bytes, 7_838_315_315);
        assert_eq!(human("987M").unwrap().bytes, 987 * 1024 * 1024);
        assert_eq!(human("1.50GiB").unwrap().bytes, 1_610_612_736);
        assert_eq!(
            human("1.9Gi").unwrap().rounding,
            Rounding::Nearest {
                unit: 1 << 30,
                decimals: 1
            }
        );
    }

    #[test]
    fn bytes_are_exact() {
        assert_eq!(human("0B").unwrap(), Size::exact(0));
        assert_eq!(human("512").unwrap(), Size::exact(512));
        assert_eq!(human("0.00B").unwrap().bytes, 0);
    }

    #[test]
    fn decimal_suffixes() {
        let si = |t| {
            Size::parse_human(t, Base::Decimal, RoundMode::Up)
                .unwrap()
                .bytes
        };
        assert_eq!(si("2G"), 2_000_000_000);
        assert_eq!(si("1.5kB"), 1500);
        assert_eq!(human("3MB").unwrap().bytes, 3_000_000);
    }

    #[test]
    fn rejects_what_is_not_a_size() {
        for text in [
            "",
            "G",
            "1.2.3G",
            "12X",
            "-1G",
            "1,5,Gi",
            "99999999999999999999E",
        ] {
            assert_eq!(human(text), None, "{text}");
        }
    }

    #[test]
    fn util_linux_sizes_are_tenths() {
        let size = Size::parse_util_linux("512M").unwrap();
        assert_eq!(size.bytes, 512 << 20);
        assert_eq!(
            size.rounding,
            Rounding::Nearest {
                unit: 1 << 20,
                decimals: 1
            }
        );
        assert_eq!(Size::parse_util_linux("0B"), Some(Size::exact(0)));
        assert_eq!(
            Size::parse_util_linux("67104768"),
            Some(Size::exact(67_104_768))
        );
    }

    #[test]
    fn number_in_a_unit() {
        let kb = Size::in_unit("4533.33", 1024, RoundMode::Nearest).unwrap();
        assert_eq!(kb.bytes, 4_642_130);
        assert_eq!(
            kb.rounding,
            Rounding::Nearest {
                unit: 1024,
                decimals: 2
            }
        );
        assert_eq!(
            Size::in_unit("16,18", 512, RoundMode::Nearest)
                .unwrap()
                .bytes,
            8284
        );
        assert_eq!(
            Size::in_unit("7", 1, RoundMode::Nearest),
            Some(Size::exact(7))
        );
        assert_eq!(Size::in_unit("1k", 1024, RoundMode::Nearest), None);
    }

    #[test]
    fn step_of_a_rounding() {
        assert_eq!(Size::exact(3).rounding.step(), 0.0);
        let step = human("1.9Gi").unwrap().rounding.step();
        assert!((step - 107_374_182.4).abs() < 1.0);
    }
}
