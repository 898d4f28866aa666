//! Choosing the accelerator: KVM where it really works, TCG otherwise, saying why once.
//!
//! `/dev/kvm` can exist and open and still be useless: on some nested hosts a KVM guest hangs
//! before its kernel prints a line. So `auto` boots the guest's own kernel under KVM with no
//! root filesystem and waits a few seconds for it to run to its "cannot mount root" panic. The
//! verdict is remembered per host boot and QEMU binary, so only the first run pays for it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// How long a KVM guest may take to boot its kernel to the root-mount panic.
const PROBE_DEADLINE: Duration = Duration::from_secs(8);

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccelChoice {
    Auto,
    Kvm,
    Tcg,
}

impl std::str::FromStr for AccelChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<AccelChoice, String> {
        match text {
            "auto" => Ok(AccelChoice::Auto),
            "kvm" => Ok(AccelChoice::Kvm),
            "tcg" => Ok(AccelChoice::Tcg),
            other => Err(format!(
                "unknown accelerator `{other}`: use auto, kvm or tcg"
            )),
        }
    }
}

/// The accelerator a VM runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Accel {
    Kvm,
    Tcg,
}

impl Accel {
    /// QEMU's arguments for this accelerator.
    pub fn qemu_args(self) -> [&'static str; 4] {
        match self {
            Accel::Kvm => ["-accel", "kvm", "-cpu", "host"],
            // Multi-threaded TCG gives each vCPU its own host thread.
            Accel::Tcg => ["-accel", "tcg,thread=multi", "-cpu", "max"],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Accel::Kvm => "kvm",
            Accel::Tcg => "tcg",
        }
    }
}

/// The chosen accelerator and, when it is not what was hoped for, the one line saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub accel: Accel,
    pub note: Option<String>,
}

/// The verdict of a KVM probe, cached per host boot and QEMU binary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Verdict {
    boot_id: String,
    qemu: String,
    kvm_works: bool,
    reason: String,
}

/// Decides which accelerator to use. `kernel` is a bootable guest kernel used by the probe.
pub fn decide(
    choice: AccelChoice,
    qemu: &Path,
    kernel: &Path,
    cache: &Path,
) -> Result<Decision, String> {
    match choice {
        AccelChoice::Tcg => Ok(Decision {
            accel: Accel::Tcg,
            note: None,
        }),
        AccelChoice::Kvm => match open_kvm() {
            Ok(()) => Ok(Decision {
                accel: Accel::Kvm,
                note: None,
            }),
            Err(reason) => Err(format!("--accel kvm: {reason}; use --accel tcg or auto")),
        },
        AccelChoice::Auto => Ok(decide_auto(qemu, kernel, cache)),
    }
}

fn decide_auto(qemu: &Path, kernel: &Path, cache: &Path) -> Decision {
    decide_opened(open_kvm(), qemu, kernel, cache)
}

/// [`decide_auto`] once `/dev/kvm` was opened, or not.
fn decide_opened(opened: Result<(), String>, qemu: &Path, kernel: &Path, cache: &Path) -> Decision {
    if let Err(reason) = opened {
        return tcg_because(&reason);
    }
    let key = (boot_id(), qemu_identity(qemu));
    let verdict = match read_verdict(cache) {
        Some(verdict)
            if (verdict.boot_id.as_str(), verdict.qemu.as_str()) == (&*key.0, &*key.1) =>
        {
            verdict
        }
        _ => {
            let (kvm_works, reason) = match probe_kvm(qemu, kernel) {
                Ok(()) => (true, String::new()),
                Err(reason) => (false, reason),
            };
            let verdict = Verdict {
                boot_id: key.0,
                qemu: key.1,
                kvm_works,
                reason,
            };
            write_verdict(cache, &verdict);
            verdict
        }
    };
    if verdict.kvm_works {
        Decision {
            accel: Accel::Kvm,
            note: None,
        }
    } else {
        tcg_because(&format!(
            "{} (remembered in {} until the host reboots)",
            verdict.reason,
            cache.display()
        ))
    }
}

fn tcg_because(reason: &str) -> Decision {
    Decision {
        accel: Accel::Tcg,
        note: Some(format!(
            "using TCG software emulation, KVM is not usable: {reason}"
        )),
    }
}

fn open_kvm() -> Result<(), String> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .map(drop)
        .map_err(|err| format!("cannot open /dev/kvm: {err}"))
}

/// Boots `kernel` under KVM with the arguments a real run uses and no root filesystem: a
/// working KVM runs it to the root-mount panic in a second or two. Anything else (QEMU
/// exiting, silence, a stuck kernel) means KVM is not usable.
fn probe_kvm(qemu: &Path, kernel: &Path) -> Result<(), String> {
    let mut child = Command::new(qemu)
        .args(Accel::Kvm.qemu_args())
        .args(["-m", "256", "-nodefaults", "-display", "none", "-no-reboot"])
        .args(["-serial", "stdio", "-kernel"])
        .arg(kernel)
        .args(["-append", "console=ttyS0 panic=-1 loglevel=4"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot start {}: {err}", qemu.display()))?;
    let (lines, seen) = mpsc::channel();
    forward_lines(child.stdout.take(), lines.clone(), false);
    forward_lines(child.stderr.take(), lines, true);
    let until = Instant::now() + PROBE_DEADLINE;
    let (mut printed, mut qemu_said) = (false, None::<String>);
    let result = 'wait: loop {
        while let Ok((from_qemu, line)) = seen.try_recv() {
            if from_qemu {
                qemu_said.get_or_insert(line);
            } else if line.contains("Kernel panic") {
                break 'wait Ok(());
            } else {
                printed = true;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            std::thread::sleep(Duration::from_millis(100));
            while let Ok((true, line)) = seen.try_recv() {
                qemu_said.get_or_insert(line);
            }
            let why = qemu_said.take().unwrap_or_else(|| status.to_string());
            break Err(format!("QEMU with KVM exited at once: {why}"));
        }
        if Instant::now() > until {
            break Err(match (printed, qemu_said.take()) {
                (_, Some(why)) => format!("a KVM guest got stuck: {why}"),
                (true, None) => {
                    format!("a KVM guest kernel did not boot within {PROBE_DEADLINE:?}")
                }
                (false, None) => format!("a KVM guest printed nothing within {PROBE_DEADLINE:?}"),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn forward_lines(
    pipe: Option<impl std::io::Read + Send + 'static>,
    lines: mpsc::Sender<(bool, String)>,
    from_qemu: bool,
) {
    if let Some(pipe) = pipe {
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = lines.send((from_qemu, line));
            }
        });
    }
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|id| id.trim().to_owned())
        .unwrap_or_default()
}

/// The QEMU binary's path and modification time: a new QEMU deserves a new probe.
fn qemu_identity(qemu: &Path) -> String {
    let modified = std::fs::metadata(qemu)
        .and_then(|meta| meta.modified())
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_secs());
    format!("{}@{modified}", qemu.display())
}

fn read_verdict(cache: &Path) -> Option<Verdict> {
    serde_json::from_slice(&std::fs::read(cache).ok()?).ok()
}

fn write_verdict(cache: &Path, verdict: &Verdict) {
    // The cache only saves a probe: failing to write it is not worth an error.
    let Ok(json) = serde_json::to_vec_pretty(verdict) else {
        return;
    };
    if let Some(dir) = cache.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let partial = cache.with_extension("partial");
    if std::fs::write(&partial, json).is_ok() {
        let _ = std::fs::rename(&partial, cache);
    }
}

/// Where the verdict is kept: `$XDG_CACHE_HOME/nixos-tuning/accel.json` (or `~/.cache`).
pub fn default_cache() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("nixos-tuning/accel.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_choices() {
        assert_eq!("auto".parse(), Ok(AccelChoice::Auto));
        assert!("hvf"
            .parse::<AccelChoice>()
            .unwrap_err()
            .contains("auto, kvm or tcg"));
    }

    #[test]
    fn a_remembered_verdict_skips_the_probe() {
        let dir = std::env::temp_dir().join(format!("accel-test-{}", std::process::id()));
        let cache = dir.join("accel.json");
        let qemu = Path::new("/nonexistent/qemu");
        write_verdict(
            &cache,
            &Verdict {
                boot_id: boot_id(),
                qemu: qemu_identity(qemu),
                kvm_works: false,
                reason: "recorded hang".into(),
            },
        );
        // The probe would fail to start this QEMU; the cached verdict answers instead.
        let kernel = Path::new("/nonexistent/kernel");
        let decision = decide_opened(Ok(()), qemu, kernel, &cache);
        assert_eq!(decision.accel, Accel::Tcg);
        assert!(decision.note.unwrap().contains("recorded hang"));
        // A /dev/kvm that does not open decides before any verdict is read.
        let closed = decide_opened(Err("no /dev/kvm".into()), qemu, kernel, &cache);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(closed.accel, Accel::Tcg);
        assert!(closed.note.unwrap().contains("no /dev/kvm"));
    }

    #[test]
    fn without_a_remembered_verdict_the_probe_decides() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("accel.json");
        // A QEMU that cannot start fails the probe: TCG, with the reason, remembered.
        let qemu = Path::new("/nonexistent/qemu");
        let decision = decide_opened(Ok(()), qemu, Path::new("/nonexistent/kernel"), &cache);
        assert_eq!(decision.accel, Accel::Tcg);
        assert!(decision.note.unwrap().contains("cannot start"));
        assert!(!read_verdict(&cache).unwrap().kvm_works);
    }
}
