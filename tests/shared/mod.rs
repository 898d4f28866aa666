//! What the VM tests of the library (`tests/vm`) and of the command line
//! (`xtask/tests/cli`) both need: the QEMU processes still running, a complete earlier run
//! of a scenario and every file of a run, to check that a failed run left nothing behind
//! and changed nothing. Each test crate includes this file with `#[path]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nixos_tuning::lock::Wait;
use nixos_tuning::progress::Silent;
use nixos_tuning::runs::{self, Attempt, RunDir};

/// The QEMU processes whose command line contains `needle` (a socket directory's prefix,
/// a project's path).
pub fn qemu_with(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline);
            let qemu = cmdline.starts_with("qemu-system") || cmdline.contains("/qemu-system");
            (qemu && cmdline.contains(needle)).then_some(pid)
        })
        .collect()
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap().flatten() {
            let path = entry.path();
            match entry.file_type().unwrap().is_dir() {
                true => pending.push(path),
                false => {
                    let bytes = std::fs::read(&path).unwrap();
                    found.insert(path.strip_prefix(dir).unwrap().to_owned(), bytes);
                }
            }
        }
    }
    found
}

/// A complete earlier run of the scenario, made the way every run is (an attempt,
/// committed); its files, to compare with after a run that failed.
pub fn earlier_run(dir: &RunDir) -> BTreeMap<PathBuf, Vec<u8>> {
    let attempt = Attempt::begin(dir, "an earlier run", Wait::NoWait, &Silent).unwrap();
    let record = serde_json::json!({ "scenario": dir.scenario(), "earlier": true });
    attempt.write_json(runs::REPORT, &record).unwrap();
    attempt
        .write_raw("mount", "/dev/vda2 on / type btrfs\n")
        .unwrap();
    std::fs::write(attempt.path().join(runs::SERIAL_LOG), "an earlier boot\n").unwrap();
    attempt.commit().unwrap();
    let files = files(dir.path());
    assert_eq!(files.len(), 3, "{files:?}");
    files
}
