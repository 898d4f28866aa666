//! The transport of `check` and `advise --ssh`: the system's OpenSSH client, so the user's
//! `~/.ssh/config`, agent, `ProxyJump` and known_hosts work as they do for them. One
//! connection runs a fixed script on the server's `sh`, handed over on stdin (the remote
//! command is only `sh -s`, which every login shell runs alike): each live probe of
//! `facts::commands` under `timeout`, framed by markers that carry a random nonce, with its
//! stdout, stderr and exit status. Nothing the user typed reaches a remote shell, nothing is
//! written on the server, `BatchMode=yes` means no prompt ever, and host keys are checked as
//! the user's configuration says: nothing here weakens that.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::time::Duration;

use super::Live;
use crate::facts::commands::{self, Command, Reach};
use crate::host;

/// How long each probe may take on the server: compsize reads every extent of `/`.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(120);

/// Beyond the connection and the probes, for ssh to start and finish.
const SLACK: Duration = Duration::from_secs(30);

/// Options a check sets or keeps as they are, which `--ssh-option` may not change: no
/// prompt, host keys as configured, the check's own command without a terminal.
const KEPT: [&str; 4] = [
    "BatchMode",
    "StrictHostKeyChecking",
    "RemoteCommand",
    "RequestTTY",
];

/// How to reach a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ssh {
    /// As ssh takes it: `host`, `user@host`, `ssh://user@host:port`, a `Host` of the config.
    pub destination: String,
    /// ssh's `ConnectTimeout`, in whole seconds.
    pub connect_timeout: Duration,
    /// An ssh config file instead of the user's (`-F`).
    pub config: Option<PathBuf>,
    /// `-o` options, each passed to ssh as one argument, never through a shell.
    pub options: Vec<String>,
    /// Run the probes that need root (compsize) with `sudo -n`.
    pub sudo: bool,
}

/// Why the server's outputs could not be had; each says what happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("`{0}` is not an ssh destination: give `host`, `user@host`, `ssh://user@host:port` or a Host of your ssh config")]
    Destination(String),
    #[error("--ssh-option `{0}` is refused: check keeps BatchMode=yes, host-key checking as your ssh config has it, and its own command; set other options in your ssh config")]
    Option(String),
    #[error("cannot connect to {destination}: connection refused ({detail}). Is sshd running there, and is the port right (`ssh://user@host:port`, or `Port` in your ssh config)?")]
    Refused { destination: String, detail: String },
    #[error("no answer from {destination} within the connect timeout of {seconds} s ({detail}). Check the address, the port and any firewall; on a slow link raise --connect-timeout")]
    TimedOut {
        destination: String,
        seconds: u64,
        detail: String,
    },
    #[error("the host key of {destination} is not in known_hosts, or it changed ({detail}). check never accepts a host key by itself: connect once with `ssh {destination}` and verify the fingerprint it shows")]
    HostKey { destination: String, detail: String },
    #[error("{destination} refused the key ({detail}). Load your key into your agent (`ssh-add`) or set IdentityFile for this host in your ssh config; check never asks for a password (BatchMode=yes)")]
    Auth { destination: String, detail: String },
    #[error("cannot resolve {destination} ({detail}): check the name, or define it as a Host in your ssh config")]
    UnknownHost { destination: String, detail: String },
    #[error("{destination} is unreachable ({detail}): check the address and your network")]
    Unreachable { destination: String, detail: String },
    #[error("ssh to {destination} failed ({detail}); run `ssh {destination} true` to see why")]
    Failed { destination: String, detail: String },
    #[error("{destination} ran none of the check's probes (exit status {status}: {detail}). The check runs `sh -s` there with its probes on stdin: the account needs a shell that runs commands")]
    Nothing {
        destination: String,
        status: String,
        detail: String,
    },
    #[error("the output of {destination} was cut short in probe `{probe}` ({detail}): the connection dropped or the server's shell was stopped; run the check again")]
    CutShort {
        destination: String,
        probe: &'static str,
        detail: String,
    },
    #[error("ssh to {destination} did not finish within {seconds} s and was stopped: the connection hung, or a probe did not end within its own deadline")]
    Deadline { destination: String, seconds: u64 },
    #[error(transparent)]
    Missing(#[from] host::Missing),
    #[error(transparent)]
    Run(host::RunError),
}

/// What one probe did on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ran {
    stdout: String,
    stderr: String,
    status: i32,
}

impl Ssh {
    /// Checks the destination and options before anything runs.
    pub fn new(
        destination: &str,
        connect_timeout: Duration,
        config: Option<PathBuf>,
        options: Vec<String>,
        sudo: bool,
    ) -> Result<Ssh, SshError> {
        let odd = |c: char| c.is_whitespace() || c.is_control();
        // A leading `-` would be read as an option of ssh's.
        if destination.is_empty() || destination.starts_with('-') || destination.contains(odd) {
            return Err(SshError::Destination(destination.to_owned()));
        }
        if let Some(option) = options.iter().find(|o| sets_a_kept_option(o)) {
            return Err(SshError::Option(option.clone()));
        }
        Ok(Ssh {
            destination: destination.to_owned(),
            connect_timeout,
            config,
            options,
            sudo,
        })
    }

    /// Runs every live probe on the server in one connection.
    pub fn capture(&self) -> Result<Live, SshError> {
        let probes: Vec<&Command> = commands::live()
            .filter(|c| self.sudo || c.reach != Reach::LiveRoot)
            .collect();
        let marker = format!("@@nixos-tuning {}", nonce());
        let mut command = host::SSH.command()?;
        command.args(self.args());
        let deadline = self.deadline(probes.len());
        let output = host::run_with_input(&mut command, script(&marker, &probes), deadline)
            .map_err(|err| match err {
                host::RunError::Timeout { deadline, .. } => SshError::Deadline {
                    destination: self.destination.clone(),
                    seconds: deadline.as_secs(),
                },
                other => SshError::Run(other),
            })?;
        match unframe(&output.stdout, &marker, &probes) {
            Ok(ran) => Ok(self.live(ran)),
            Err(Some(probe)) => Err(SshError::CutShort {
                destination: self.destination.clone(),
                probe,
                detail: detail(&output),
            }),
            Err(None) => Err(self.failure(&output)),
        }
    }

    fn args(&self) -> Vec<OsString> {
        let seconds = self.connect_timeout.as_secs().max(1);
        let mut args: Vec<OsString> = ["-T", "-o", "BatchMode=yes", "-o"]
            .into_iter()
            .map(OsString::from)
            .collect();
        args.push(format!("ConnectTimeout={seconds}").into());
        // The check opens no tunnel, whatever the user's config forwards.
        args.extend(["-o".into(), "ClearAllForwardings=yes".into()]);
        if let Some(config) = &self.config {
            args.extend(["-F".into(), config.clone().into_os_string()]);
        }
        for option in &self.options {
            args.extend(["-o".into(), option.into()]);
        }
        args.extend(["--", &self.destination, "sh", "-s"].map(OsString::from));
        args
    }

    fn deadline(&self, probes: usize) -> Duration {
        let probes = u32::try_from(probes).unwrap_or(u32::MAX);
        self.connect_timeout + PROBE_TIMEOUT.saturating_mul(probes) + SLACK
    }

    /// The probes' outputs, and why each of the others has none.
    fn live(&self, ran: Vec<(&Command, Ran)>) -> Live {
        let mut live = Live {
            destination: self.destination.clone(),
            outputs: BTreeMap::new(),
            not_run: BTreeMap::new(),
        };
        for (command, ran) in ran {
            match ran.status {
                0 => live.outputs.insert(command.name.to_owned(), ran.stdout),
                _ => live
                    .not_run
                    .insert(command.name.to_owned(), why(command, &ran)),
            };
        }
        let root_only = commands::live().filter(|c| c.reach == Reach::LiveRoot);
        for command in root_only.filter(|_| !self.sudo) {
            live.not_run.insert(
                command.name.to_owned(),
                "needs root: pass --sudo to run it with `sudo -n`".to_owned(),
            );
        }
        live
    }

    /// What ssh's exit status and stderr say, when no probe ran.
    fn failure(&self, output: &host::Output) -> SshError {
        let destination = self.destination.clone();
        let detail = detail(output);
        if output.status.code() != Some(255) {
            return SshError::Nothing {
                destination,
                status: output.status.to_string(),
                detail,
            };
        }
        let said = output.stderr.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| said.contains(w));
        if has(&["connection refused"]) {
            SshError::Refused {
                destination,
                detail,
            }
        } else if has(&["timed out"]) {
            let seconds = self.connect_timeout.as_secs().max(1);
            SshError::TimedOut {
                destination,
                seconds,
                detail,
            }
        } else if has(&["host key verification failed", "identification has changed"]) {
            SshError::HostKey {
                destination,
                detail,
            }
        } else if has(&["permission denied"]) {
            SshError::Auth {
                destination,
                detail,
            }
        } else if has(&["could not resolve hostname", "name or service not known"]) {
            SshError::UnknownHost {
                destination,
                detail,
            }
        } else if has(&["no route to host", "network is unreachable"]) {
            SshError::Unreachable {
                destination,
                detail,
            }
        } else {
            SshError::Failed {
                destination,
                detail,
            }
        }
    }
}

/// `-o Key=value` or `-o "Key value"` setting one of [`KEPT`].
fn sets_a_kept_option(option: &str) -> bool {
    let key = option
        .split(|c: char| c == '=' || c.is_whitespace())
        .next()
        .unwrap_or_default();
    KEPT.iter().any(|kept| kept.eq_ignore_ascii_case(key))
}

/// The last lines ssh wrote, which say what went wrong.
fn detail(output: &host::Output) -> String {
    let lines: Vec<&str> = output
        .stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.len() {
        0 => format!("ssh said nothing; {}", output.status),
        n => lines[n.saturating_sub(2)..].join("; "),
    }
}

/// Why a probe that ran has no output: its status, and the last line it wrote on stderr (on
/// stdout for a command that merges them, as `nix show-config 2>&1` does).
fn why(command: &Command, ran: &Ran) -> String {
    let last = |text: &str| {
        text.lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .map(str::to_owned)
    };
    let said = last(&ran.stderr)
        .or_else(|| last(&ran.stdout))
        .unwrap_or_else(|| "it said nothing".to_owned());
    match ran.status {
        124 | 137 => format!(
            "`{}` did not finish within {} s on the server",
            command.command,
            PROBE_TIMEOUT.as_secs()
        ),
        127 => format!("a program it runs is not installed on the server ({said})"),
        _ if command.reach == Reach::LiveRoot && said.starts_with("sudo:") => format!(
            "`sudo -n` refused ({said}): allow this user `sudo` without a password for it, or \
             run without --sudo"
        ),
        status => format!(
            "`{}` failed (exit status {status}): {said}",
            command.command
        ),
    }
}

/// Random enough that no output of a probe contains it by chance.
fn nonce() -> String {
    let state = std::collections::hash_map::RandomState::new();
    let mut first = state.build_hasher();
    first.write_u32(std::process::id());
    let mut second = state.build_hasher();
    second.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:016x}{:016x}", first.finish(), second.finish())
}

/// The script the server's `sh -s` runs: read whole before it runs (one brace group), with
/// its stdin closed so no probe can read the rest of it. `timeout` stops a probe that hangs;
/// stderr is kept in a variable, never in a file; probes that need root run through
/// `sudo -n`, which fails instead of asking, unless the account is root.
fn script(marker: &str, probes: &[&Command]) -> Vec<u8> {
    let mut text = format!("{{\nM={}\n", quote(marker));
    text.push_str(&PRELUDE.replace("TIMEOUT", &PROBE_TIMEOUT.as_secs().to_string()));
    for probe in probes {
        let root = match probe.reach {
            Reach::LiveRoot => " \"$root\"",
            _ => "",
        };
        text.push_str(&format!(
            "probe {} {}{root}\n",
            quote(probe.name),
            quote(probe.command)
        ));
    }
    text.push_str("} </dev/null\n");
    text.into_bytes()
}

/// The script's set-up and its `probe NAME COMMAND [ROOT]`, which frames one probe. The
/// locale is the VM's (`C.UTF-8`; where it is missing, programs fall back to `C`, whose ASCII
/// forms the parsers read too), whatever the account's own. `probe` frames:
/// `$M begin NAME`, its stdout, `$M stderr NAME`, its stderr, `$M end NAME STATUS`. Its
/// stdout goes out through fd 3 while `$( )` keeps its stderr.
const PRELUDE: &str = r#"export LC_ALL=C.UTF-8
PATH="$PATH:/run/current-system/sw/bin:/usr/sbin:/sbin"
if [ "$(id -u)" = 0 ]; then root=; else root='sudo -n'; fi
probe() {
  printf '%s begin %s\n' "$M" "$1"
  { e=$( { timeout -k 5 TIMEOUT $3 sh -c "$2"; } 2>&1 >&3 3>&- ); s=$?; } 3>&1
  printf '\n%s stderr %s\n%s\n%s end %s %s\n' "$M" "$1" "$e" "$M" "$1" "$s"
}
"#;

/// `text` as one word of POSIX sh.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Each probe's stdout, stderr and status from the framed output, in order. `Err(None)`: no
/// probe began; `Err(Some(probe))`: the output stops in or before that probe.
fn unframe<'a>(
    text: &str,
    marker: &str,
    probes: &[&'a Command],
) -> Result<Vec<(&'a Command, Ran)>, Option<&'static str>> {
    let mut rest = text;
    let mut ran = Vec::new();
    for (index, probe) in probes.iter().enumerate() {
        let cut = Some(probe.name);
        let begin = format!("{marker} begin {}\n", probe.name);
        let Some(at) = rest.find(&begin) else {
            return Err(if index == 0 { None } else { cut });
        };
        rest = &rest[at + begin.len()..];
        let stderr_line = format!("\n{marker} stderr {}\n", probe.name);
        let (stdout, after) = rest.split_once(&stderr_line).ok_or(cut)?;
        let end = format!("{marker} end {} ", probe.name);
        let (stderr, after) = after.split_once(&end).ok_or(cut)?;
        let (status, after) = after.split_once('\n').ok_or(cut)?;
        let status = status.parse().map_err(|_| cut)?;
        let stderr = stderr.strip_suffix('\n').unwrap_or(stderr);
        ran.push((
            *probe,
            Ran {
                stdout: stdout.to_owned(),
                stderr: stderr.to_owned(),
                status,
            },
        ));
        rest = after;
    }
    Ok(ran)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command as Process;

    fn probes() -> Vec<&'static Command> {
        vec![&commands::MOUNT, &commands::COMPSIZE_AS_WRITTEN]
    }

    /// Commands named `name` that run `command` in place of the probes'.
    fn fakes(fake: &[(&'static str, &'static str)]) -> Vec<Command> {
        fake.iter()
            .map(|(name, command)| Command {
                name,
                command,
                ..commands::MOUNT
            })
            .collect()
    }

    /// The script run by the local `sh`, with the probes' commands replaced by these.
    fn run_locally(marker: &str, fake: &[(&'static str, &'static str)]) -> String {
        let fakes = fakes(fake);
        let refs: Vec<&Command> = fakes.iter().collect();
        let output = host::run_with_input(
            Process::new("sh").arg("-s"),
            script(marker, &refs),
            Duration::from_secs(20),
        )
        .unwrap();
        output.stdout
    }

    #[test]
    fn the_framing_keeps_each_output_whole_even_without_a_last_newline() {
        let marker = "@@test 1";
        let fake = [
            ("one", "printf 'a\\n\\nb'"),
            ("two", "echo out; echo err >&2; exit 3"),
            ("three", "cat"),
        ];
        let text = run_locally(marker, &fake);
        let fakes = fakes(&fake);
        let refs: Vec<&Command> = fakes.iter().collect();
        let ran = unframe(&text, marker, &refs).unwrap();
        let got: Vec<(&str, &str, i32)> = ran
            .iter()
            .map(|(_, r)| (r.stdout.as_str(), r.stderr.as_str(), r.status))
            .collect();
        // `cat` reads the closed stdin, not the rest of the script.
        assert_eq!(got, [("a\n\nb", "", 0), ("out\n", "err", 3), ("", "", 0)]);
    }

    #[test]
    fn output_cut_short_names_the_probe_it_stops_in() {
        let marker = "@@test 2";
        let text = format!("{marker} begin mount\n/dev/vda2 on / type btrfs (rw)\n");
        assert_eq!(
            unframe(&text, marker, &probes()).unwrap_err(),
            Some("mount")
        );
        let whole_first =
            format!("{marker} begin mount\nx\n{marker} stderr mount\n\n{marker} end mount 0\n");
        assert_eq!(
            unframe(&whole_first, marker, &probes()).unwrap_err(),
            Some("compsize-as-written")
        );
        assert_eq!(unframe("motd\n", marker, &probes()).unwrap_err(), None);
    }

    #[test]
    fn commands_are_quoted_for_sh_whatever_they_hold() {
        assert_eq!(quote("sed 's/a/b/'"), r"'sed '\''s/a/b/'\'''");
        let text = run_locally("@@test 3", &[("q", "printf '%s' \"it's\"")]);
        assert!(text.contains("\nit's\n@@test 3 stderr q"), "{text}");
    }

    #[test]
    fn why_a_probe_gave_nothing_is_said_in_its_own_words() {
        let ran = |status, stdout: &str, stderr: &str| Ran {
            stdout: stdout.to_owned(),
            stderr: stderr.to_owned(),
            status,
        };
        let merged = ran(127, "sh: 1: nix: not found\n", "");
        assert_eq!(
            why(&commands::NIX_CONFIG, &merged),
            "a program it runs is not installed on the server (sh: 1: nix: not found)"
        );
        let sudo = ran(
            1,
            "",
            "sudo: unable to resolve host vps\nsudo: a password is required",
        );
        let said = why(&commands::COMPSIZE, &sudo);
        assert!(
            said.starts_with("`sudo -n` refused (sudo: a password is required)"),
            "{said}"
        );
        let slow = why(&commands::IOSTAT, &ran(124, "", ""));
        assert_eq!(
            slow,
            "`iostat -x 1 3` did not finish within 120 s on the server"
        );
    }

    #[test]
    fn a_destination_or_option_that_would_change_the_check_is_refused() {
        let ssh = |destination: &str, options: &[&str]| {
            Ssh::new(
                destination,
                Duration::from_secs(5),
                None,
                options.iter().map(|o| (*o).to_owned()).collect(),
                false,
            )
        };
        for bad in ["-oProxyCommand=sh", "", "host; rm -rf /", "a\nb"] {
            assert!(
                matches!(ssh(bad, &[]), Err(SshError::Destination(_))),
                "{bad}"
            );
        }
        for bad in [
            "StrictHostKeyChecking=no",
            "batchmode no",
            "RemoteCommand=id",
        ] {
            assert!(
                matches!(ssh("h", &[bad]), Err(SshError::Option(_))),
                "{bad}"
            );
        }
        let ok = ssh("ssh://root@127.0.0.1:2222", &["IdentityFile=/k"]).unwrap();
        let args: Vec<String> = ok
            .args()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args.join(" "),
            "-T -o BatchMode=yes -o ConnectTimeout=5 -o ClearAllForwardings=yes \
             -o IdentityFile=/k -- ssh://root@127.0.0.1:2222 sh -s"
        );
    }
}
