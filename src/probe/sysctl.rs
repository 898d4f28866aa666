//! Reads `sysctl KEY...`, `sysctl -a`, `sysctl -e`, `sysctl -a --pattern` and their
//! grep-filtered forms, from procps (`key = value`) and busybox (same form); `key=value` lines
//! without spaces and `/proc/sys/vm/swappiness`-style keys are read too.
//!
//! `sysctl -a` run by a normal user, or against keys the kernel refuses, mixes diagnostics into
//! the listing (`sysctl: permission denied on key 'kernel.cad_pid'`, `sysctl: reading key
//! "net.ipv6.conf.all.stable_secret"`, busybox and old procps `error: ...`): those are kept
//! aside in `errors`, not fatal. Every line that is neither is an error, which refuses
//! `sysctl -n` output: it prints bare values that no parser can tie to keys.
//! Empty input is an error: sysctl prints at least one line for every key asked.

use serde::{Deserialize, Serialize};

use super::{lines, ParseError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sysctl {
    /// In printed order; a key can repeat (procps prints a multi-line value once per line).
    pub entries: Vec<Entry>,
    /// The diagnostics sysctl printed between the entries.
    pub errors: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Dotted (`vm.swappiness`), also when the output named it as a path.
    pub key: String,
    /// The value exactly as printed, tabs between fields kept.
    pub raw: String,
    pub value: Value,
}

/// A value typed where it is numeric. Numbers are `i128` so that both `-1` and
/// `18446744073709551615` fit; anything outside `i64::MIN..=u64::MAX` stays text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    Empty,
    Integer(i128),
    /// Several whitespace-separated integers (`net.ipv4.tcp_rmem = 4096 131072 6291456`).
    Integers(Vec<i128>),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// 1-based line of the input.
    pub line: usize,
    /// The key it names, when it names one.
    pub key: Option<String>,
    pub message: String,
}

impl Sysctl {
    /// The first entry for `key` (`vm.swappiness`).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.key == key)
    }
}

pub fn parse(input: &str) -> Result<Sysctl, ParseError> {
    let mut sysctl = Sysctl {
        entries: Vec::new(),
        errors: Vec::new(),
    };
    for (line_no, line) in lines::non_blank(input) {
        if let Some(diagnostic) = diagnostic(line_no, line) {
            sysctl.errors.push(diagnostic);
        } else {
            sysctl.entries.push(entry(line_no, line)?);
        }
    }
    if sysctl.entries.is_empty() && sysctl.errors.is_empty() {
        return Err(ParseError::whole(
            "empty input: expected `key = value` lines",
        ));
    }
    if sysctl.entries.is_empty() {
        let first = input
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("");
        let line_no = sysctl.errors.first().map_or(1, |error| error.line);
        return Err(ParseError::at(
            line_no,
            first,
            "sysctl printed only errors, no values",
        ));
    }
    Ok(sysctl)
}

fn diagnostic(line_no: usize, line: &str) -> Option<Diagnostic> {
    let message = ["sysctl: ", "error: ", "warning: "]
        .iter()
        .find_map(|prefix| line.strip_prefix(prefix))?;
    Some(Diagnostic {
        line: line_no,
        key: named_key(message),
        message: line.to_owned(),
    })
}

/// The key in `... key 'kernel.cad_pid'`, `reading key "a.b"` or `cannot stat /proc/sys/a/b: ...`.
fn named_key(message: &str) -> Option<String> {
    for quote in ['\'', '"'] {
        let mut parts = message.split(quote);
        if let (Some(_), Some(key), Some(_)) = (parts.next(), parts.next(), parts.next()) {
            return Some(dotted(key));
        }
    }
    let path = message
        .split_whitespace()
        .find(|word| word.starts_with("/proc/sys/"))?;
    Some(dotted(path.trim_end_matches(':')))
}

fn entry(line_no: usize, line: &str) -> Result<Entry, ParseError> {
    // procps and busybox print `key = value`; the spaced form wins so that a value holding
    // `=` stays whole, and its raw text is kept to the byte.
    let (key, raw) = match line.split_once(" = ") {
        Some(split) => split,
        None => line
            .split_once('=')
            .map(|(key, raw)| (key, raw.trim()))
            .ok_or_else(|| {
                ParseError::at(
                    line_no,
                    line,
                    "expected `key = value` (sysctl -n prints bare values, which name no key)",
                )
            })?,
    };
    let key = key.trim();
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Err(ParseError::at(line_no, line, "not a sysctl key before `=`"));
    }
    Ok(Entry {
        key: dotted(key),
        raw: raw.to_owned(),
        value: value(raw),
    })
}

/// `/proc/sys/vm/swappiness` and `vm/swappiness` name `vm.swappiness`.
fn dotted(key: &str) -> String {
    let key = key.strip_prefix("/proc/sys/").unwrap_or(key);
    if key.contains('/') {
        key.trim_matches('/').replace('/', ".")
    } else {
        key.to_owned()
    }
}

fn value(raw: &str) -> Value {
    let words: Vec<&str> = raw.split_whitespace().collect();
    let numbers: Option<Vec<i128>> = words.iter().map(|word| integer(word)).collect();
    match (words.len(), numbers) {
        (0, _) => Value::Empty,
        (1, Some(numbers)) => numbers.first().map_or(Value::Empty, |n| Value::Integer(*n)),
        (_, Some(numbers)) => Value::Integers(numbers),
        (_, None) => Value::Text(raw.to_owned()),
    }
}

fn integer(word: &str) -> Option<i128> {
    let digits = word.strip_prefix('-').unwrap_or(word);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: i128 = word.parse().ok()?;
    let fits = i128::from(i64::MIN) <= number && number <= i128::from(u64::MAX);
    fits.then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values() {
        let input = "vm.swappiness = 60\nnet.ipv4.tcp_rmem = 4096\t131072\t6291456\n\
kernel.panic_sys_info = \nkernel.core_pattern = |/usr/lib/systemd/systemd-coredump %P\n\
net.ipv4.tcp_notsent_lowat = 4294967295\nfs.shmmax = 18446744073692774399\n";
        let sysctl = parse(input).unwrap();
        assert_eq!(
            sysctl.get("vm.swappiness").unwrap().value,
            Value::Integer(60)
        );
        let rmem = sysctl.get("net.ipv4.tcp_rmem").unwrap();
        assert_eq!(rmem.raw, "4096\t131072\t6291456");
        assert_eq!(rmem.value, Value::Integers(vec![4096, 131072, 6291456]));
        assert_eq!(
            sysctl.get("kernel.panic_sys_info").unwrap().value,
            Value::Empty
        );
        assert!(matches!(
            sysctl.get("kernel.core_pattern").unwrap().value,
            Value::Text(_)
        ));
        let big = &sysctl.get("fs.shmmax").unwrap().value;
        assert_eq!(*big, Value::Integer(18_446_744_073_692_774_399));
    }

    #[test]
    fn diagnostics_are_kept_aside() {
        let input = "kernel.acct = 4\t2\t30\nsysctl: permission denied on key 'kernel.cad_pid'\n\
sysctl: cannot stat /proc/sys/vm/nope: No such file or directory\n";
        let sysctl = parse(input).unwrap();
        assert_eq!(sysctl.entries.len(), 1);
        assert_eq!(sysctl.errors[0].key.as_deref(), Some("kernel.cad_pid"));
        assert_eq!(sysctl.errors[1].key.as_deref(), Some("vm.nope"));
        assert_eq!(sysctl.errors[1].line, 3);
    }

    #[test]
    fn busybox_and_path_forms() {
        let sysctl = parse("/proc/sys/vm/swappiness=10\r\nvm.overcommit_memory=1\n").unwrap();
        assert_eq!(sysctl.entries[0].key, "vm.swappiness");
        assert_eq!(sysctl.entries[0].value, Value::Integer(10));
        assert_eq!(sysctl.entries[1].key, "vm.overcommit_memory");
    }

    #[test]
    fn bare_values_are_refused() {
        let err = parse("60\n").unwrap_err();
        assert_eq!((err.line, err.text.as_str()), (1, "60"));
        assert_eq!(parse("").unwrap_err().line, 0);
        assert_eq!(parse("x = 1\n\nbad line\n").unwrap_err().line, 3);
    }
}
