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
        writeln!(f, "last lines of the serial console:")?;
        for line in &self.lines {
            writeln!(f, "  | {line}")?;
        }
        write!(f, "whole serial log: {}", self.log.display())
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
        "command `{command}` did not finish within {:.0?}\noutput so far:\n{output}",
        deadline
    )]
    CommandTimeout {
        command: String,
        deadline: Duration,
        output: String,
    },
    #[error("command `{command}` failed with exit status {status}\noutput:\n{output}")]
    CommandFailed {
        command: String,
        status: i32,
        output: String,
    },
    #[error("the backdoor shell broke the protocol: {0}")]
    Protocol(String),
    #[error("interrupted")]
    Interrupted,
}
