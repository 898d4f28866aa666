//! Progress on the terminal: a live line per step when stderr is a terminal, plain lines
//! otherwise (CI logs). Everything goes to stderr; stdout is for data.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use nixos_tuning::progress::{Outcome, Progress};

pub struct Reporter {
    live: bool,
}

impl Reporter {
    pub fn new() -> Reporter {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
        Reporter {
            live: std::io::stderr().is_terminal() && !ci,
        }
    }
}

impl Progress for Reporter {
    fn start(&self, step: &str) {
        let mut err = std::io::stderr().lock();
        if self.live {
            let _ = write!(err, "  … {step}");
            let _ = err.flush();
        } else {
            let _ = writeln!(err, "{step} ...");
        }
    }

    fn finish(&self, step: &str, elapsed: Duration, outcome: Outcome) {
        let secs = elapsed.as_secs_f64();
        let mut err = std::io::stderr().lock();
        let (mark, said) = match outcome {
            Outcome::Done => ("✓", format!("done in {secs:.1} s")),
            Outcome::Failed => ("✗", format!("failed after {secs:.1} s")),
            Outcome::Interrupted => ("✗", "interrupted".to_owned()),
        };
        if self.live {
            let _ = writeln!(err, "\r\x1b[2K  {mark} {step}: {said}");
        } else {
            let _ = writeln!(err, "{step}: {said}");
        }
    }

    fn note(&self, message: &str) {
        eprintln!("note: {message}");
    }
}

/// Whether we run in CI (`CI` set to anything but empty, `false` or `0`, as insta reads it).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}
