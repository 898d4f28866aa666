//! Progress on the terminal: a live line per step when stderr is a terminal, plain lines
//! otherwise (CI logs). Everything goes to stderr; stdout is for data.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use nixos_tuning::progress::{Outcome, Progress};

pub struct Reporter {
    live: bool,
    /// Put before every line: what the step belongs to, when several run at once.
    prefix: String,
}

impl Reporter {
    pub fn new() -> Reporter {
        Reporter {
            live: std::io::stderr().is_terminal() && !in_ci(),
            prefix: String::new(),
        }
    }

    /// Plain lines, each starting with `[name] `: for one of several jobs writing at once,
    /// whose live lines would overwrite each other.
    pub fn for_job(name: &str) -> Reporter {
        Reporter {
            live: false,
            prefix: format!("[{name}] "),
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
            let _ = writeln!(err, "{}{step} ...", self.prefix);
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
            let _ = writeln!(err, "{}{step}: {said}", self.prefix);
        }
    }

    fn note(&self, message: &str) {
        eprintln!("{}note: {message}", self.prefix);
    }
}

/// Whether we run in CI (`CI` set to anything but empty, `false` or `0`, as insta reads it).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}
