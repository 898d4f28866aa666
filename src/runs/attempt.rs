//! A run in progress: it writes into a directory of its own under `attempts/` and replaces
//! the scenario's directory only when complete, so a failed, killed or interrupted run
//! leaves the last complete one as it was, and keeps its own logs where the error points.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use serde::Serialize;

use super::RunDir;
use crate::lock::{Lock, Wait};
use crate::progress::Progress;

/// Failed attempts kept per scenario; older ones are removed when a new one starts.
const KEPT: usize = 5;

pub struct Attempt {
    dir: PathBuf,
    target: RunDir,
    // Held until the run is committed or abandoned.
    _lock: Lock,
}

impl Attempt {
    /// Takes the scenario's lock (waiting, or not, for another run of it) and makes a fresh
    /// directory for this run; `purpose` says what runs ("vmtest parallelism").
    pub fn begin(
        target: &RunDir,
        purpose: &str,
        wait: Wait,
        progress: &dyn Progress,
    ) -> anyhow::Result<Attempt> {
        let what = format!("the {} runs of `{}`", target.kind(), target.scenario());
        let lock = Lock::acquire(&target.lock_file(), &what, purpose, wait, progress)?;
        prune(target.attempts_dir());
        let dir = target.attempts_dir().join(format!(
            "{}-{}",
            timestamp(SystemTime::now()),
            std::process::id()
        ));
        std::fs::create_dir_all(dir.join(super::RAW))
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
        Ok(Attempt {
            dir,
            target: target.clone(),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn raw_dir(&self) -> PathBuf {
        self.dir.join(super::RAW)
    }

    /// The scenario's last complete run, which this attempt replaces.
    pub fn target(&self) -> &RunDir {
        &self.target
    }

    /// Writes `<name>` through a temporary file, so it is never half written.
    pub fn write_json(&self, name: &str, value: &impl Serialize) -> anyhow::Result<()> {
        write_whole(&self.dir.join(name), &serde_json::to_vec_pretty(value)?)
    }

    /// Writes a probe's raw output as `raw/<name>.txt`, whole or not at all.
    pub fn write_raw(&self, name: &str, text: &str) -> anyhow::Result<()> {
        write_whole(&self.raw_dir().join(format!("{name}.txt")), text.as_bytes())
    }

    /// Puts this run in the scenario's place, in one step where the file system allows.
    pub fn commit(self) -> anyhow::Result<RunDir> {
        let target = self.target.path();
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        let move_in = || {
            std::fs::rename(&self.dir, target).with_context(|| {
                format!(
                    "cannot move `{}` to `{}`",
                    self.dir.display(),
                    target.display()
                )
            })
        };
        if !target.exists() {
            move_in()?;
        } else if exchange(&self.dir, target).is_ok() {
            // The old run now lives where this attempt was.
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            // Without RENAME_EXCHANGE the old run leaves first; the lock keeps other runs of
            // this scenario out of the moment between.
            let old = self.dir.with_extension("old");
            std::fs::rename(target, &old)
                .with_context(|| format!("cannot move `{}` aside", target.display()))?;
            move_in()?;
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(self.target.clone())
    }
}

/// Writes `path` through `<path>.partial`, removed if the write fails (a full disk), so
/// neither a half-written file nor its partial stays.
fn write_whole(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let result = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result.with_context(|| format!("cannot write `{}`", path.display()))
}

/// `renameat2(RENAME_EXCHANGE)`: both directories swap places atomically.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths, relative to the current directory.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Keeps the newest attempts of a scenario; names sort by time.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut attempts: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    attempts.sort();
    let excess = attempts.len().saturating_sub(KEPT - 1);
    for old in &attempts[..excess] {
        let _ = std::fs::remove_dir_all(old);
    }
}

/// `2026-12-01T09-30-00Z`: UTC, sortable, and without colons (which some tools split on).
pub fn timestamp(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}-{:02}-{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Kind;
    use crate::progress::Silent;
    use crate::runs::Runs;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_dates() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00-00-00Z");
        let time = UNIX_EPOCH + Duration::from_secs(1_796_117_445);
        assert_eq!(timestamp(time), "2026-12-01T09-30-45Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(timestamp(leap), "2000-02-29T00-00-00Z");
    }

    #[test]
    fn a_committed_run_replaces_the_last_one_and_an_abandoned_one_leaves_it() {
        let project = tempfile::tempdir().unwrap();
        let runs = Runs::of_project(project.path());
        let dir = runs.scenario(Kind::Debian, "zram");
        let first = Attempt::begin(&dir, "test", Wait::NoWait, &Silent).unwrap();
        first.write_json("report.json", &1).unwrap();
        first.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("report.json")).unwrap(),
            "1"
        );

        let failed = Attempt::begin(&dir, "test", Wait::NoWait, &Silent).unwrap();
        failed.write_json("report.json", &2).unwrap();
        let kept = failed.path().to_owned();
        drop(failed);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("report.json")).unwrap(),
            "1"
        );
        assert!(
            kept.join("report.json").is_file(),
            "the failed run's files stay"
        );

        let second = Attempt::begin(&dir, "test", Wait::NoWait, &Silent).unwrap();
        second.write_json("report.json", &3).unwrap();
        second.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("report.json")).unwrap(),
            "3"
        );
        assert!(!dir.path().join("report.json.partial").exists());
    }

    #[test]
    fn a_write_that_fills_the_disk_leaves_neither_the_file_nor_its_partial() {
        let project = tempfile::tempdir().unwrap();
        let dir = Runs::of_project(project.path()).scenario(Kind::Debian, "zram");
        let attempt = Attempt::begin(&dir, "test", Wait::NoWait, &Silent).unwrap();
        // The kernel's ENOSPC: every write to /dev/full fails with it.
        let partial = attempt.raw_dir().join("mount.txt.partial");
        std::os::unix::fs::symlink("/dev/full", &partial).unwrap();
        let err = attempt.write_raw("mount", "/dev/vda2 on /\n").unwrap_err();
        assert!(crate::diskfull::in_chain(&err), "{err:#}");
        assert!(!partial.exists() && partial.symlink_metadata().is_err());
        assert!(!attempt.raw_dir().join("mount.txt").exists());
    }

    #[test]
    fn old_attempts_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        for n in 0..8 {
            std::fs::create_dir_all(dir.path().join(format!("2026-01-0{n}"))).unwrap();
        }
        prune(dir.path());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), KEPT - 1);
    }
}
