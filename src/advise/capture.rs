//! The outputs `advise` reads: which commands, how to capture them on a server, and how to
//! get them from a folder of captures or by running the commands here with a timeout.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::AdviseError;

/// One command whose output the rules read.
#[derive(Debug, Clone, Copy)]
pub struct Capture {
    /// The file name without `.txt`: the probe's name where there is one.
    pub name: &'static str,
    /// What to run on the server (`<command> > <name>.txt`).
    pub command: &'static str,
    /// What runs locally: program and arguments.
    pub local: &'static [&'static str],
    /// The rules cannot say anything without it.
    pub required: bool,
}

pub const CAPTURES: &[Capture] = &[
    Capture {
        name: "free",
        command: "free -b",
        local: &["free", "-b"],
        required: true,
    },
    Capture {
        name: "mount",
        command: "mount",
        local: &["mount"],
        required: true,
    },
    Capture {
        name: "df",
        command: "df -h",
        local: &["df", "-h"],
        required: false,
    },
    Capture {
        name: "swapon",
        command: "swapon --show --bytes",
        local: &["swapon", "--show", "--bytes"],
        required: false,
    },
    Capture {
        name: "zramctl",
        command: "zramctl",
        local: &["zramctl"],
        required: false,
    },
    Capture {
        name: "nix-config",
        command: "nix --extra-experimental-features nix-command show-config",
        local: &[
            "nix",
            "--extra-experimental-features",
            "nix-command",
            "show-config",
        ],
        required: false,
    },
    Capture {
        name: "compsize",
        command: "sudo compsize -x /",
        local: &["compsize", "-x", "/"],
        required: false,
    },
    Capture {
        name: "nproc",
        command: "nproc",
        local: &["nproc"],
        required: false,
    },
];

/// Where the outputs came from, for the advice's first line.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Dir(PathBuf),
    Local,
}

/// The outputs by capture name, and the captures that could not be had, with why.
#[derive(Debug, Clone)]
pub struct Captures {
    pub origin: Origin,
    pub outputs: BTreeMap<&'static str, (String, PathBuf)>,
    pub unavailable: BTreeMap<&'static str, String>,
}

impl Captures {
    /// Reads `<dir>/<name>.txt` for every capture; a required one must be there.
    pub fn from_dir(dir: &Path) -> Result<Captures, AdviseError> {
        if !dir.is_dir() {
            return Err(AdviseError::NoDir {
                dir: dir.to_path_buf(),
            });
        }
        let mut captures = Captures {
            origin: Origin::Dir(dir.to_path_buf()),
            outputs: BTreeMap::new(),
            unavailable: BTreeMap::new(),
        };
        for capture in CAPTURES {
            let file = dir.join(format!("{}.txt", capture.name));
            match std::fs::read(&file) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    captures.outputs.insert(capture.name, (text, file));
                }
                Err(_) if capture.required => {
                    return Err(AdviseError::Missing {
                        file,
                        command: capture.command,
                        name: capture.name,
                    })
                }
                Err(_) => {
                    captures.unavailable.insert(
                        capture.name,
                        format!(
                            "not captured (`{} > {}.txt`)",
                            capture.command, capture.name
                        ),
                    );
                }
            }
        }
        Ok(captures)
    }

    /// Runs every capture's command here, each within `timeout`.
    pub fn local(timeout: Duration) -> Result<Captures, AdviseError> {
        let mut captures = Captures {
            origin: Origin::Local,
            outputs: BTreeMap::new(),
            unavailable: BTreeMap::new(),
        };
        for capture in CAPTURES {
            match run(capture.local, timeout) {
                Ok(text) => {
                    let source = PathBuf::from(format!("`{}`", capture.local.join(" ")));
                    captures.outputs.insert(capture.name, (text, source));
                }
                Err(why) if capture.required => {
                    return Err(AdviseError::CommandFailed {
                        command: capture.local.join(" "),
                        why,
                    })
                }
                Err(why) => {
                    captures.unavailable.insert(capture.name, why);
                }
            }
        }
        Ok(captures)
    }
}

/// Runs `argv` with stdin closed; its stdout, or why not.
fn run(argv: &[&str], timeout: Duration) -> Result<String, String> {
    let (program, args) = argv.split_first().ok_or("no command")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot run `{program}`: {err}"))?;
    // Read on threads so a chatty command cannot block on a full pipe while we wait.
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let out = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stdout.read_to_end(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`{}` did not finish within {} s",
                    argv.join(" "),
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(err) => return Err(format!("cannot wait for `{program}`: {err}")),
        }
    };
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    if !status.success() {
        let first = stderr.lines().next().unwrap_or("").trim();
        return Err(format!("`{}` failed ({status}): {first}", argv.join(" ")));
    }
    Ok(stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_that_hangs_is_stopped_at_its_timeout() {
        let started = Instant::now();
        let err = run(&["sleep", "30"], Duration::from_millis(300)).unwrap_err();
        assert!(err.contains("did not finish"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_missing_or_failing_command_says_why() {
        let err = run(&["nixos-tuning-no-such-command"], Duration::from_secs(5)).unwrap_err();
        assert!(err.contains("cannot run"), "{err}");
        let err = run(
            &["sh", "-c", "echo broken >&2; exit 3"],
            Duration::from_secs(5),
        )
        .unwrap_err();
        assert!(err.contains("broken"), "{err}");
        assert_eq!(run(&["echo", "4"], Duration::from_secs(5)).unwrap(), "4\n");
    }
}
