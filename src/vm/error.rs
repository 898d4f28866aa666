//! What can go wrong while running a VM, precise enough for callers to match on.

use std::path::PathBuf;
use std::time::Duration;

/// The last lines of the serial console and where the whole log is, attached to every error
/// about the guest so the user sees why without opening a file.
#[derive(Debug, Clone, Default)]
pub struct SerialTail {
    pub lines: Vec<String>,
    pub log: PathBuf,
}

impl std::fmt::Display for SerialTail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.lines.is_empty() {
            true => writeln!(f, "the guest printed nothing on the serial console")?,
            false => writeln!(f, "last lines of the serial console:")?,
        }
        for line in &self.lines {
            writeln!(f, "  | {}", printable(line))?;
        }
        write!(f, "whole serial log: {}", self.log.display())
    }
}

/// The line with its control characters written out (`\x1b`): a guest's escape sequences
/// must not clear or recolour the user's terminal when an error quotes them.
fn printable(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            c if c.is_control() && c != '\t' => format!("\\x{:02x}", u32::from(c)),
            c => c.to_string(),
        })
        .collect()
}

/// Lines of a command's output an error quotes: the end, where a failure says why. The
/// whole output stays in the error's field for callers.
const OUTPUT_LINES: usize = 30;

fn last_lines(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    match lines.len().checked_sub(OUTPUT_LINES) {
        None | Some(0) => output.to_owned(),
        Some(skipped) => format!(
            "[{skipped} earlier lines not shown]\n{}\n",
            lines[skipped..].join("\n")
        ),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VmError {
    #[error("cannot start `{program}`")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("{what}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("QEMU exited early ({status}) {while_}\n{qemu_stderr}{tail}")]
    QemuExited {
        status: String,
        while_: String,
        qemu_stderr: String,
        tail: SerialTail,
    },
    #[error("the guest kernel panicked {while_}\n{tail}")]
    GuestPanic { while_: String, tail: SerialTail },
    #[error("the guest made no progress for {:.0?} {while_}\n{tail}", idle)]
    Stalled {
        idle: Duration,
        while_: String,
        tail: SerialTail,
    },
    #[error("the backdoor shell was not ready within {:.0?}\n{tail}", deadline)]
    BootTimeout {
        deadline: Duration,
        tail: SerialTail,
    },
    #[error(
        "command `{command}` did not finish within {:.0?}\noutput so far:\n{}",
        deadline,
        last_lines(.output)
    )]
    CommandTimeout {
        command: String,
        deadline: Duration,
        output: String,
    },
    #[error(
        "command `{command}` failed with exit status {status}\noutput:\n{}",
        last_lines(.output)
    )]
    CommandFailed {
        command: String,
        status: i32,
        output: String,
    },
    /// QEMU stopped the guest because a write to its disk image failed for lack of space on
    /// the host (QEMU's default for `ENOSPC` is to pause, which would look like a hang).
    #[error(
        "the host's disk is full ({}): QEMU could not write the guest's disk image {image} \
         and stopped the guest {while_}",
        crate::diskfull::NO_SPACE
    )]
    HostDiskFull {
        /// The image's path, or QEMU's name for the drive when it did not say.
        image: String,
        while_: String,
    },
    #[error("the backdoor shell broke the protocol: {0}")]
    Protocol(String),
    #[error("interrupted")]
    Interrupted,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tail_writes_out_control_characters_and_says_when_it_is_empty() {
        let tail = SerialTail {
            lines: vec!["\x1b[2Jcleared\tscreen".into()],
            log: "/run/serial.log".into(),
        };
        assert_eq!(
            tail.to_string(),
            "last lines of the serial console:\n  | \\x1b[2Jcleared\tscreen\nwhole serial log: /run/serial.log"
        );
        let empty = SerialTail {
            lines: Vec::new(),
            log: "/run/serial.log".into(),
        };
        assert!(empty.to_string().starts_with("the guest printed nothing"));
    }

    #[test]
    fn a_failed_command_quotes_the_end_of_a_long_output() {
        let output: String = (1..=100).map(|n| format!("line {n}\n")).collect();
        let err = VmError::CommandFailed {
            command: "cp".into(),
            status: 1,
            output: output.clone(),
        };
        let message = err.to_string();
        assert!(
            message.contains("[70 earlier lines not shown]\nline 71\n"),
            "{message}"
        );
        assert!(message.ends_with("line 100\n"), "{message}");
        assert!(!message.contains("line 70\n"), "{message}");
        let short = VmError::CommandFailed {
            command: "cp".into(),
            status: 1,
            output: "one\n".into(),
        };
        assert!(short.to_string().ends_with("output:\none\n"));
    }
}
