//! The outputs `advise` reads: which commands, how to capture them on a server, and how to
//! get them from a folder of captures, by running the commands here with a timeout, or from
//! the outputs of the live probes run on a server over ssh (`check`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::AdviseError;
use crate::facts::commands;
use crate::host;
use crate::probe::Probe;

/// One command whose output the rules read.
#[derive(Debug, Clone, Copy)]
pub struct Capture {
    /// Its parser; `None` for `nproc`, whose output is a number.
    pub probe: Option<Probe>,
    /// What runs: program and arguments.
    pub argv: &'static [&'static str],
    /// It needs root on a server (`compsize` reads every extent).
    pub sudo: bool,
    /// The rules cannot say anything without it.
    pub required: bool,
}

impl Capture {
    /// The file name without `.txt`: the probe's name, or the program's.
    pub fn name(&self) -> &'static str {
        self.probe.map_or(self.argv[0], Probe::name)
    }

    /// What to run on the server (`<command> > <name>.txt`).
    pub fn command(&self) -> String {
        let sudo = if self.sudo { "sudo " } else { "" };
        format!("{sudo}{}", self.argv.join(" "))
    }
}

const fn capture(probe: Probe, argv: &'static [&'static str], required: bool) -> Capture {
    Capture {
        probe: Some(probe),
        argv,
        sudo: false,
        required,
    }
}

pub const CAPTURES: &[Capture] = &[
    capture(Probe::Free, &["free", "-b"], true),
    capture(Probe::Mount, &["mount"], true),
    capture(Probe::Df, &["df", "-h"], false),
    capture(Probe::Swapon, &["swapon", "--show", "--bytes"], false),
    capture(Probe::Zramctl, &["zramctl"], false),
    capture(
        Probe::NixConfig,
        &[
            "nix",
            "--extra-experimental-features",
            "nix-command",
            "show-config",
        ],
        false,
    ),
    Capture {
        sudo: true,
        ..capture(Probe::Compsize, &["compsize", "-x", "/"], false)
    },
    Capture {
        probe: None,
        argv: &["nproc"],
        sudo: false,
        required: false,
    },
];

/// Where the outputs came from, for the advice's first line.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    Dir(PathBuf),
    Local,
    /// A server reached over ssh, as the user named it.
    Ssh(String),
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
            let file = dir.join(format!("{}.txt", capture.name()));
            match std::fs::read(&file) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    captures.outputs.insert(capture.name(), (text, file));
                }
                Err(_) if capture.required => {
                    return Err(AdviseError::Missing {
                        file,
                        command: capture.command(),
                        name: capture.name(),
                    })
                }
                Err(_) => {
                    captures.unavailable.insert(
                        capture.name(),
                        format!(
                            "not captured (`{} > {}.txt`)",
                            capture.command(),
                            capture.name()
                        ),
                    );
                }
            }
        }
        Ok(captures)
    }

    /// Runs every capture's command here, each within `timeout`.
    pub fn local(timeout: Duration) -> Result<Captures, AdviseError> {
        Captures::local_on(timeout, None)
    }

    /// [`Captures::local`] with the programs looked up on `path` instead of `PATH`.
    pub fn local_on(
        timeout: Duration,
        path: Option<&std::ffi::OsStr>,
    ) -> Result<Captures, AdviseError> {
        let mut captures = Captures {
            origin: Origin::Local,
            outputs: BTreeMap::new(),
            unavailable: BTreeMap::new(),
        };
        for capture in CAPTURES {
            match run(capture.argv, timeout, path) {
                Ok(text) => {
                    let source = PathBuf::from(format!("`{}`", capture.argv.join(" ")));
                    captures.outputs.insert(capture.name(), (text, source));
                }
                Err(why) if capture.required => {
                    return Err(AdviseError::CommandFailed {
                        command: capture.argv.join(" "),
                        why,
                    })
                }
                Err(why) => {
                    captures.unavailable.insert(capture.name(), why);
                }
            }
        }
        Ok(captures)
    }

    /// From the outputs of the live probes (`facts::commands::live`, by command name): each
    /// capture is the probe that runs its command. `not_run` says why a probe has none.
    pub fn from_outputs(
        origin: Origin,
        outputs: &BTreeMap<String, String>,
        not_run: &BTreeMap<String, String>,
    ) -> Result<Captures, AdviseError> {
        let mut captures = Captures {
            origin,
            outputs: BTreeMap::new(),
            unavailable: BTreeMap::new(),
        };
        for capture in CAPTURES {
            let argv = capture.argv.join(" ");
            let probe = commands::live().find(|c| c.command.starts_with(&argv));
            let output = probe.and_then(|p| outputs.get(p.name).map(|text| (p, text)));
            match output {
                Some((probe, text)) => {
                    let source = PathBuf::from(format!("`{}`", probe.command));
                    captures
                        .outputs
                        .insert(capture.name(), (text.clone(), source));
                }
                None => {
                    let why = probe
                        .and_then(|p| not_run.get(p.name).cloned())
                        .unwrap_or_else(|| "not run".to_owned());
                    if capture.required {
                        return Err(AdviseError::CommandFailed { command: argv, why });
                    }
                    captures.unavailable.insert(capture.name(), why);
                }
            }
        }
        Ok(captures)
    }
}

/// Runs `argv` here within `timeout`: its stdout, or why not.
fn run(argv: &[&str], timeout: Duration, path: Option<&std::ffi::OsStr>) -> Result<String, String> {
    let (program, args) = argv.split_first().ok_or("no command")?;
    let mut command = Command::new(program);
    command.args(args);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let output = host::run(&mut command, timeout).map_err(|err| match err {
        host::RunError::Timeout { .. } => {
            format!(
                "`{}` did not finish within {} s",
                argv.join(" "),
                timeout.as_secs()
            )
        }
        other => other.to_string(),
    })?;
    if !output.status.success() {
        let first = output.stderr.lines().next().unwrap_or("").trim();
        return Err(format!(
            "`{}` failed ({}): {first}",
            argv.join(" "),
            output.status
        ));
    }
    Ok(output.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn every_capture_is_a_live_probe() {
        for capture in CAPTURES {
            let argv = capture.argv.join(" ");
            let probe = commands::live().find(|c| c.command.starts_with(&argv));
            assert!(probe.is_some(), "no live probe runs `{argv}`");
        }
    }

    #[test]
    fn a_command_that_hangs_is_stopped_at_its_timeout() {
        let started = Instant::now();
        let err = run(&["sleep", "30"], Duration::from_millis(300), None).unwrap_err();
        assert!(err.contains("did not finish"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_missing_or_failing_command_says_why() {
        let err = run(
            &["nixos-tuning-no-such-command"],
            Duration::from_secs(5),
            None,
        )
        .unwrap_err();
        assert!(err.contains("cannot run"), "{err}");
        let err = run(
            &["sh", "-c", "echo broken >&2; exit 3"],
            Duration::from_secs(5),
            None,
        )
        .unwrap_err();
        assert!(err.contains("broken"), "{err}");
        assert_eq!(
            run(&["echo", "4"], Duration::from_secs(5), None).unwrap(),
            "4\n"
        );
    }
}
