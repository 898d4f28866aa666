//! The host programs the project runs, and the one way to run them.
//!
//! [`Tool`] lists every program with the Debian package that has it, so a missing one is an
//! error that names it and the set-up script. [`run`] runs a program with a deadline while
//! draining its output on threads: a child that fills a pipe can never block the wait, and a
//! child past its deadline is killed and reaped. [`run_with_input`] also feeds its stdin.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The script that installs every tool; each hint names it.
pub const SETUP: &str = "tools/setup-debian.sh";

/// A program the project needs and the Debian package that has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    pub program: &'static str,
    pub package: &'static str,
}

pub const QEMU: Tool = Tool {
    program: "qemu-system-x86_64",
    package: "qemu-system-x86",
};
pub const QEMU_IMG: Tool = Tool {
    program: "qemu-img",
    package: "qemu-utils",
};
pub const MMDEBSTRAP: Tool = Tool {
    program: "mmdebstrap",
    package: "mmdebstrap",
};
pub const TAR2SQFS: Tool = Tool {
    program: "tar2sqfs",
    package: "squashfs-tools-ng",
};
pub const TAR: Tool = Tool {
    program: "tar",
    package: "tar",
};
pub const NIX_INSTANTIATE: Tool = Tool {
    program: "nix-instantiate",
    package: "nix-bin",
};
pub const NIX: Tool = Tool {
    program: "nix",
    package: "nix-bin",
};
pub const SSH: Tool = Tool {
    program: "ssh",
    package: "openssh-client",
};
pub const SSH_KEYGEN: Tool = Tool {
    program: "ssh-keygen",
    package: "openssh-client",
};
pub const GIT: Tool = Tool {
    program: "git",
    package: "git",
};
pub const CHROMIUM: Tool = Tool {
    program: "chromium",
    package: "chromium",
};

/// Every host program the project runs; `tools/setup-debian.sh` installs each.
pub const ALL: [Tool; 11] = [
    QEMU,
    QEMU_IMG,
    MMDEBSTRAP,
    TAR2SQFS,
    TAR,
    NIX_INSTANTIATE,
    NIX,
    SSH,
    SSH_KEYGEN,
    GIT,
    CHROMIUM,
];

/// Programs that are not on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub tools: Vec<Tool>,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let named: Vec<String> = self
            .tools
            .iter()
            .map(|tool| format!("`{}` (Debian package `{}`)", tool.program, tool.package))
            .collect();
        let verb = if self.tools.len() == 1 { "is" } else { "are" };
        write!(
            f,
            "{} {verb} not installed: run `{SETUP}`, which installs everything the project needs",
            named.join(", ")
        )
    }
}

impl std::error::Error for Missing {}

/// Every one of `tools` is on `PATH`, or one error naming each that is not.
pub fn require(tools: &[Tool]) -> Result<(), Missing> {
    let missing: Vec<Tool> = tools
        .iter()
        .copied()
        .filter(|t| t.find().is_err())
        .collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(Missing { tools: missing }),
    }
}

impl Tool {
    /// The program's full path, or an error naming its package and the set-up script.
    pub fn find(self) -> Result<PathBuf, Missing> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|dir| dir.join(self.program))
            .find(|candidate| is_executable(candidate))
            .ok_or(Missing { tools: vec![self] })
    }

    /// A command for the program, found on `PATH`.
    pub fn command(self) -> Result<Command, Missing> {
        Ok(Command::new(self.find()?))
    }
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// What a finished program printed.
#[derive(Debug, Clone)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Its stdout when it exited 0; otherwise an error with its status and stderr.
    pub fn success(self, program: &str) -> Result<String, RunError> {
        if self.status.success() {
            return Ok(self.stdout);
        }
        Err(RunError::Failed {
            program: program.to_owned(),
            status: self.status.to_string(),
            stderr: self.stderr.trim().to_owned(),
        })
    }
}

/// Why a program gave no output.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("`{program}` did not finish within {} s and was stopped", .deadline.as_secs())]
    Timeout { program: String, deadline: Duration },
    #[error("`{program}` failed ({status}): {stderr}")]
    Failed {
        program: String,
        status: String,
        stderr: String,
    },
    #[error("{program} failed ({status}); last lines of its log {}:\n{tail}", .log.display())]
    FailedLogged {
        program: String,
        status: String,
        log: PathBuf,
        tail: String,
    },
    #[error("cannot write the log {}: {source}", .log.display())]
    Log {
        log: PathBuf,
        source: std::io::Error,
    },
}

impl RunError {
    /// What the program said about why it failed, when it said anything.
    pub fn words(&self) -> &str {
        match self {
            RunError::Failed { stderr, .. } => stderr,
            RunError::FailedLogged { tail, .. } => tail,
            _ => "",
        }
    }
}

/// Runs `command` with stdin closed, reading stdout and stderr whole while it runs; kills it
/// past `deadline`. Any exit status is a result: see [`Output::success`].
pub fn run(command: &mut Command, deadline: Duration) -> Result<Output, RunError> {
    run_fed(command, None, deadline)
}

/// [`run`] with `input` on the program's stdin, then closed. It is written on a thread of its
/// own, so a program that does not read it cannot block the wait.
pub fn run_with_input(
    command: &mut Command,
    input: Vec<u8>,
    deadline: Duration,
) -> Result<Output, RunError> {
    run_fed(command, Some(input), deadline)
}

fn run_fed(
    command: &mut Command,
    input: Option<Vec<u8>>,
    deadline: Duration,
) -> Result<Output, RunError> {
    let program = command.get_program().to_string_lossy().into_owned();
    let stdin = match input {
        Some(_) => Stdio::piped(),
        None => Stdio::null(),
    };
    let mut child = command
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| RunError::Spawn {
            program: program.clone(),
            source,
        })?;
    let feeder = feed(child.stdin.take(), input);
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < deadline => {
                std::thread::sleep(Duration::from_millis(10))
            }
            // Past the deadline, or the wait itself failed: stop it, never leave it behind.
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::Timeout { program, deadline });
            }
        }
    };
    let _ = feeder.join();
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// Runs `command` to its end with its stdout and stderr in `log` (for long builds whose
/// output is worth keeping, like mmdebstrap's); on failure the error quotes the log's end.
/// Its stdin is whatever the caller set.
pub fn run_logged(
    command: &mut Command,
    log: &std::path::Path,
    what: &str,
) -> Result<(), RunError> {
    let log_error = |source| RunError::Log {
        log: log.to_owned(),
        source,
    };
    let file = std::fs::File::create(log).map_err(log_error)?;
    let status = command
        .stdout(file.try_clone().map_err(log_error)?)
        .stderr(file)
        .status()
        .map_err(|source| RunError::Spawn {
            program: what.to_owned(),
            source,
        })?;
    if status.success() {
        return Ok(());
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    Err(RunError::FailedLogged {
        program: what.to_owned(),
        status: status.to_string(),
        log: log.to_owned(),
        tail: lines[lines.len().saturating_sub(20)..].join("\n"),
    })
}

/// Writes `input` to a pipe and closes it, on a thread of its own; a program that exits
/// without reading it only ends the write.
fn feed(
    pipe: Option<std::process::ChildStdin>,
    input: Option<Vec<u8>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        if let (Some(mut pipe), Some(input)) = (pipe, input) {
            let _ = pipe.write_all(&input);
        }
    })
}

/// Reads a pipe to its end on a thread of its own.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_larger_than_a_pipe_does_not_block_the_wait() {
        // 1 MiB on each stream: a wait that does not read would block at 64 KiB.
        let output = run(
            Command::new("sh").args([
                "-c",
                "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2",
            ]),
            Duration::from_secs(20),
        )
        .unwrap();
        assert_eq!(output.stdout.len(), 1 << 20);
        assert_eq!(output.stderr.len(), 1 << 20);
    }

    #[test]
    fn input_reaches_stdin_and_a_program_that_ignores_it_still_finishes() {
        let output = run_with_input(
            Command::new("sh").args(["-c", "wc -c"]),
            vec![b'x'; 1 << 20],
            Duration::from_secs(20),
        )
        .unwrap();
        assert_eq!(output.stdout.trim(), (1 << 20).to_string());
        // 1 MiB that nobody reads: the write fails once the program is gone.
        let output = run_with_input(
            &mut Command::new("true"),
            vec![b'x'; 1 << 20],
            Duration::from_secs(20),
        )
        .unwrap();
        assert!(output.status.success());
    }

    #[test]
    fn a_program_past_its_deadline_is_stopped() {
        let deadline = Duration::from_millis(200);
        let err = run(Command::new("sleep").arg("30"), deadline).unwrap_err();
        assert!(matches!(err, RunError::Timeout { .. }), "{err}");
    }

    #[test]
    fn failures_carry_status_and_stderr() {
        let output = run(
            Command::new("sh").args(["-c", "echo broken >&2; exit 3"]),
            Duration::from_secs(5),
        )
        .unwrap();
        let err = output.success("sh").unwrap_err();
        assert_eq!(err.to_string(), "`sh` failed (exit status: 3): broken");
        let missing = run(
            &mut Command::new("nixos-tuning-no-such-program"),
            Duration::from_secs(5),
        );
        assert!(matches!(missing, Err(RunError::Spawn { .. })));
    }

    #[test]
    fn a_logged_failure_quotes_the_end_of_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("build.log");
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "seq 1 30; echo 'tar: write error: No space left on device' >&2; exit 2",
        ]);
        let err = run_logged(&mut command, &log, "the build").unwrap_err();
        let words = err.words().to_owned();
        assert!(words.starts_with("12\n"), "the last 20 lines: {words}");
        assert!(words.ends_with("No space left on device"), "{words}");
        assert!(err.to_string().contains(&log.display().to_string()));
        run_logged(Command::new("true").stdin(Stdio::null()), &log, "true").unwrap();
    }

    #[test]
    fn a_missing_tool_names_its_package_and_the_set_up() {
        let tool = Tool {
            program: "nixos-tuning-no-such-program",
            package: "nixos-tuning-package",
        };
        let message = tool.find().unwrap_err().to_string();
        assert!(message.contains("nixos-tuning-package"), "{message}");
        assert!(message.contains(SETUP), "{message}");
    }
}
