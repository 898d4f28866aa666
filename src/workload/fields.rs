//! `Fields`: the `key value` lines a guest workload script prints, read back with errors
//! that quote what the script printed instead.

use std::collections::BTreeMap;

use anyhow::Context;

#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    values: BTreeMap<String, String>,
    text: String,
}

impl Fields {
    /// Every line of the form `key value`; for a key printed twice, the last. Other lines
    /// (a section a caller reads itself, a warning) are left to [`Fields::text`].
    pub fn parse(text: &str) -> Fields {
        let values = text
            .lines()
            .filter_map(|line| line.split_once(' '))
            .filter(|(key, _)| !key.is_empty() && key.bytes().all(is_key_byte))
            .map(|(key, value)| (key.to_owned(), value.trim().to_owned()))
            .collect();
        Fields {
            values,
            text: text.to_owned(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn str(&self, key: &str) -> anyhow::Result<&str> {
        self.values.get(key).map(String::as_str).with_context(|| {
            format!(
                "the workload printed no `{key}`; it printed:\n{}",
                self.text
            )
        })
    }

    pub fn number(&self, key: &str) -> anyhow::Result<f64> {
        let value = self.str(key)?;
        value
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .with_context(|| {
                format!(
                    "`{key}` is `{value}`, not a number; the workload printed:\n{}",
                    self.text
                )
            })
    }

    /// A duration printed in nanoseconds, in seconds.
    pub fn seconds(&self, key: &str) -> anyhow::Result<f64> {
        Ok(self.number(key)? / 1e9)
    }
}

fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_key_value_lines_and_skips_the_rest() {
        let fields = Fields::parse("write-ns 2987000000\nNAME ALGORITHM\nbytes 26552320\n");
        assert_eq!(fields.seconds("write-ns").unwrap(), 2.987);
        assert_eq!(fields.number("bytes").unwrap(), 26552320.0);
        assert!(fields.str("NAME").is_err());
    }

    #[test]
    fn a_missing_or_garbled_value_names_the_key_and_quotes_the_output() {
        let fields = Fields::parse("status oops\n");
        let err = fields.number("status").unwrap_err().to_string();
        assert!(
            err.contains("`status` is `oops`") && err.contains("status oops"),
            "{err}"
        );
        let err = fields.number("bytes").unwrap_err().to_string();
        assert!(err.contains("no `bytes`"), "{err}");
        assert!(Fields::parse("n NaN").number("n").is_err());
    }
}

/// Real transcripts (`raw/workloads.txt` of the recorded runs) read back.
#[cfg(test)]
mod transcripts {
    use super::Fields;

    const ZRAM: &str = include_str!("../../tests/fixtures/workloads/debian/zram.txt");
    const BASELINE: &str = include_str!("../../tests/fixtures/workloads/debian/baseline.txt");

    /// The output of the command whose line starts with `$ {command}`.
    fn output_of<'a>(transcript: &'a str, command: &str) -> &'a str {
        let start = transcript
            .find(&format!("$ {command}"))
            .unwrap_or_else(|| panic!("no `{command}` in the transcript"));
        let body = &transcript[start..];
        let body = &body[body.find('\n').unwrap() + 1..];
        &body[..body.find("[exit status").unwrap()]
    }

    #[test]
    fn zram_held_the_pressure_and_its_zramctl_section_parses() {
        let out = output_of(ZRAM, "sh /run/nixos-tuning/pressure.sh");
        let fields = Fields::parse(out);
        assert_eq!(fields.number("status").unwrap(), 0.0);
        assert_eq!(fields.number("disk-write-bytes").unwrap(), 0.0);
        let (_, table) = out.split_once("--- zramctl\n").unwrap();
        let devices = crate::probe::zramctl::parse(table).unwrap();
        assert_eq!(devices.len(), 1);
        assert!(devices[0].data.as_ref().unwrap().bytes > devices[0].compr.as_ref().unwrap().bytes);
    }

    #[test]
    fn baseline_was_killed_without_swap_and_completed_on_a_swap_file() {
        let killed = Fields::parse(output_of(BASELINE, "sh /run/nixos-tuning/pressure.sh\n"));
        assert_eq!(killed.number("status").unwrap(), 137.0);
        assert!(killed.number("swap-used-bytes").is_err());
        let on_file = Fields::parse(output_of(BASELINE, "sh /run/nixos-tuning/pressure.sh $("));
        assert_eq!(on_file.number("status").unwrap(), 0.0);
        assert!(on_file.number("disk-write-bytes").unwrap() > 100e6);
    }
}
