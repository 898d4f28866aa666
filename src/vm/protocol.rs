//! The backdoor framing of NixOS's test driver: one command line in, the output as one base64
//! line and then the exit status out.
//!
//! The host sends `timeout N bash -c '<set -euo pipefail; cmd>' | base64 -w 0; printf '\n%s\n'
//! "${PIPESTATUS[0]}"` as one line and reads two back: the output, which it decodes, and the
//! exit status. NixOS's driver gets the same two lines in two exchanges: it ends the output
//! line with `(base64 -w 0; echo)`, reads it, then sends `echo ${PIPESTATUS[0]}`. One line
//! saves a round trip between host and guest and the subshell's fork, each milliseconds
//! under TCG. `printf`'s arguments are expanded before it runs, so `PIPESTATUS` is still the
//! pipeline's; the shell reads the whole line before it runs any of it, so a command that
//! reads its standard input finds nothing of the framing there. Exit status 124 is
//! `timeout`'s: the command ran past its deadline inside the guest. A guest that has a
//! deadline watcher of its own runs the command without `timeout` and `bash -c`, the two
//! costliest execs of the line ([`Framing::Watched`]); the two lines back are the same.

use base64::Engine;

/// The line the backdoor prints when it is ready; nothing comes after it until a command.
pub const READY_MARKER: &str = "Spawning backdoor root shell...";

/// Exit status GNU `timeout(1)` returns when it had to stop the command.
pub const TIMEOUT_STATUS: i32 = 124;

/// How a command line runs its command and keeps its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Exactly NixOS's test driver: `timeout N bash -c '<script>' | base64 -w 0`.
    Nixos,
    /// The Debian guest's: the command runs in a subshell of the backdoor shell, which
    /// writes its pid and deadline to [`DEADLINE_FILE`] for the guest's `deadline-watch`,
    /// and the output goes through busybox's static `base64`. Under TCG each exec costs
    /// ~10 ms and each fork ~5-10 ms: this is one exec and two forks per command where
    /// NixOS's is three and three. The steps are a shell function sent once
    /// ([`Framing::prelude`]), so each command line is short: the shell reads a line from
    /// the console one byte per system call.
    Watched,
}

/// Where a [`Framing::Watched`] command writes "<pid> <deadline in epoch seconds>".
pub const DEADLINE_FILE: &str = "/run/nixos-tuning/deadline";

/// What `deadline-watch` makes a command exit with: SIGTERM's 128 + 15.
pub const WATCHED_TIMEOUT_STATUS: i32 = 143;

/// The function of the [`Framing::Watched`] prelude: `framed <seconds> <command>`.
const FRAMED: &str = "framed";

impl Framing {
    /// What the host sends once, when the shell is ready and before any command.
    pub fn prelude(&self) -> Option<String> {
        match self {
            Framing::Nixos => None,
            // `eval` parses the command only when the subshell runs it, so a syntax error
            // in it is its own exit status 2, not a broken frame. The shell empties the
            // deadline file after the status is printed, before it reads the next line.
            Framing::Watched => Some(format!(
                "{FRAMED}() {{ ( echo \"$BASHPID $((EPOCHSECONDS + $1))\" > {DEADLINE_FILE}; \
                 set -euo pipefail; eval \"$2\" ) | busybox base64 -w 0; {STATUS}; \
                 : > {DEADLINE_FILE}; }}\n"
            )),
        }
    }

    /// The line that runs `command` within `timeout_secs` and prints its output as one
    /// base64 line, then its exit status on a line of its own.
    pub fn command_line(&self, command: &str, timeout_secs: u64) -> String {
        match self {
            Framing::Nixos => {
                let script = format!("set -euo pipefail; {command}");
                format!(
                    "timeout {timeout_secs} bash -c {} | base64 -w 0; {STATUS}\n",
                    shell_quote(&script)
                )
            }
            Framing::Watched => {
                format!("{FRAMED} {timeout_secs} {}\n", shell_quote(command))
            }
        }
    }

    /// What the command exits with when its deadline stopped it.
    pub fn timeout_status(&self) -> i32 {
        match self {
            Framing::Nixos => TIMEOUT_STATUS,
            Framing::Watched => WATCHED_TIMEOUT_STATUS,
        }
    }
}

/// What ends the output line and prints the exit status of the pipeline's first command.
const STATUS: &str = r#"printf '\n%s\n' "${PIPESTATUS[0]}""#;

/// Decodes the base64 output line.
pub fn decode_output(line: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .map_err(|err| format!("output line is not base64 ({err}): {}", preview(line)))
}

/// Reads the status line.
pub fn parse_status(line: &str) -> Result<i32, String> {
    line.trim()
        .parse()
        .map_err(|_| format!("expected an exit status, got {}", preview(line)))
}

/// Quotes `text` as one word for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn preview(line: &str) -> String {
    let cut: String = line.chars().take(80).collect();
    format!("{cut:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a real Debian 13 guest's backdoor sent back (recorded from the installer VM):
    /// `echo hi; echo err >&2; exit 3` with its status, then `echo begun; sleep 60` under
    /// `timeout 2` with its status. stderr went to the serial console, not here.
    const TRANSCRIPT: &[u8] = include_bytes!("transcripts/exchanges.bin");
    /// Everything the backdoor sent before the first command.
    const GREETING: &[u8] = include_bytes!("transcripts/greeting.bin");

    #[test]
    fn frames_like_the_nixos_driver_in_one_line() {
        assert_eq!(
            Framing::Nixos.command_line("echo 'a b'", 900),
            "timeout 900 bash -c 'set -euo pipefail; echo '\\''a b'\\''' | base64 -w 0; \
             printf '\\n%s\\n' \"${PIPESTATUS[0]}\"\n"
        );
    }

    /// Runs Debian's prelude and command lines in the host's bash, the way the backdoor reads them: one
    /// script from its standard input, `busybox base64` being the host's `base64` and the
    /// deadline file (in the commands too) in a temporary directory. Returns what came back and the deadline
    /// file's content as the third command saw it.
    fn run_watched(commands: &[&str]) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        let busybox = dir.path().join("busybox");
        std::fs::write(&busybox, "#!/bin/sh\nexec \"$@\"\n").unwrap();
        std::fs::set_permissions(
            &busybox,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let deadline = dir.path().join("deadline");
        let lines = Framing::Watched.prelude().into_iter().chain(
            commands
                .iter()
                .map(|command| Framing::Watched.command_line(command, 300)),
        );
        let script: String = lines
            .map(|line| line.replace(DEADLINE_FILE, deadline.to_str().unwrap()))
            .collect();
        let path = format!(
            "{}:{}",
            dir.path().display(),
            std::env::var("PATH").unwrap()
        );
        let output = std::process::Command::new("bash")
            .arg("--norc")
            .env("PATH", path)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut bash| {
                use std::io::Write;
                bash.stdin.take().unwrap().write_all(script.as_bytes())?;
                bash.wait_with_output()
            })
            .unwrap();
        let left = std::fs::read_to_string(&deadline).unwrap();
        (String::from_utf8(output.stdout).unwrap(), left)
    }

    #[test]
    fn a_watched_line_frames_status_and_output_and_leaves_its_deadline_for_the_watcher() {
        let read_deadline = format!(
            "cat; read -r pid deadline < {DEADLINE_FILE}; echo \"$pid $deadline $BASHPID $EPOCHSECONDS\""
        );
        let (back, left) = run_watched(&[
            "echo 'a b'; exit 3",
            // A syntax error is the command's own failure; the frame holds.
            "echo (",
            &read_deadline,
        ]);
        let mut lines = back.lines();
        let mut next = || {
            let output = decode_output(lines.next().unwrap()).unwrap();
            let status = parse_status(lines.next().unwrap()).unwrap();
            (String::from_utf8(output).unwrap(), status)
        };
        assert_eq!(next(), ("a b\n".to_owned(), 3));
        assert_eq!(next(), (String::new(), 2));
        let (seen, status) = next();
        assert_eq!(status, 0);
        // `cat` found nothing of the framing on its stdin; the subshell's own pid and a
        // deadline 300 s ahead were in the file while it ran.
        let fields: Vec<i64> = seen
            .split_whitespace()
            .map(|f| f.parse().unwrap())
            .collect();
        let [pid, deadline, bashpid, now] = fields[..] else {
            panic!("{seen:?}")
        };
        assert_eq!(pid, bashpid);
        assert!((299..=300).contains(&(deadline - now)), "{seen:?}");
        assert_eq!(left, "", "the shell empties the file after each line");
    }

    #[test]
    fn replays_a_recorded_exchange() {
        let text = std::str::from_utf8(TRANSCRIPT).unwrap();
        let mut lines = text.lines();
        assert_eq!(decode_output(lines.next().unwrap()).unwrap(), b"hi\n");
        assert_eq!(parse_status(lines.next().unwrap()).unwrap(), 3);
        // The guest's `timeout` stopped the second command: its output so far, then 124.
        assert_eq!(decode_output(lines.next().unwrap()).unwrap(), b"begun\n");
        assert_eq!(parse_status(lines.next().unwrap()).unwrap(), TIMEOUT_STATUS);
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn the_greeting_ends_with_the_ready_marker() {
        let text = std::str::from_utf8(GREETING).unwrap();
        assert_eq!(text.lines().last(), Some(READY_MARKER));
    }

    #[test]
    fn empty_output_is_an_empty_line() {
        assert_eq!(decode_output("").unwrap(), b"");
    }

    #[test]
    fn refuses_garbage() {
        assert!(decode_output("not base64!").is_err());
        assert!(parse_status("Spawning").is_err());
    }
}
