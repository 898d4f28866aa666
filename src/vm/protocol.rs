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
//! `timeout`'s: the command ran past its deadline inside the guest. A backend may name faster
//! programs for the same framing ([`Framing`]).

use base64::Engine;

/// The line the backdoor prints when it is ready; nothing comes after it until a command.
pub const READY_MARKER: &str = "Spawning backdoor root shell...";

/// Exit status GNU `timeout(1)` returns when it had to stop the command.
pub const TIMEOUT_STATUS: i32 = 124;

/// The guest programs a command line uses: the framing stays NixOS's, the programs may be
/// faster equivalents where the guest has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    pub timeout: &'static str,
    pub shell: &'static str,
    pub base64: &'static str,
    /// What `timeout` exits with when it stopped the command.
    pub timeout_status: i32,
}

impl Framing {
    /// Exactly NixOS's test driver.
    pub const NIXOS: Framing = Framing {
        timeout: "timeout",
        shell: "bash",
        base64: "base64",
        timeout_status: TIMEOUT_STATUS,
    };

    /// The line that runs `command` under `timeout` and prints its output as one base64 line,
    /// then its exit status on a line of its own.
    pub fn command_line(&self, command: &str, timeout_secs: u64) -> String {
        let script = format!("set -euo pipefail; {command}");
        format!(
            "{} {timeout_secs} {} -c {} | {} -w 0; {STATUS}\n",
            self.timeout,
            self.shell,
            shell_quote(&script),
            self.base64
        )
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
            Framing::NIXOS.command_line("echo 'a b'", 900),
            "timeout 900 bash -c 'set -euo pipefail; echo '\\''a b'\\''' | base64 -w 0; \
             printf '\\n%s\\n' \"${PIPESTATUS[0]}\"\n"
        );
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
