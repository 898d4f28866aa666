//! The manifest of a cache entry (`manifest.json` inside it): every file's size, modification
//! time and SHA-256, written last when the entry is made.
//!
//! A use of the entry compares sizes and times only: a few `stat` calls, 0.02 ms for the
//! base disk's entry and 0.1 ms for the image's (measured on the 2-core CI host). A file
//! whose time changed is hashed again, and refused if its content changed; one whose
//! content is as recorded has its new time written back, so it is hashed once, not on every
//! run. Hashing every file on every use would add about 0.9 s per run from the page cache
//! (rootfs.tar 300 MiB: 0.44 s, base.qcow2 327 MiB: 0.31 s, rootfs.sqfs 115 MiB: 0.10 s,
//! with `sha2` optimized even in dev builds; unoptimized, 19 MiB/s: 40 s), for what a size
//! and a time already catch: a truncation, a rewrite, a copy that lost data. The base disk
//! also gets `qemu-img check` of its tables (10 ms; `backend::debian::base_disk`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest's name inside its entry.
pub const FILE: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    files: Vec<Recorded>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Recorded {
    /// Relative to the entry, with `/` between components.
    path: String,
    size: u64,
    /// Nanoseconds since the epoch.
    modified_ns: u64,
    sha256: String,
}

/// How an entry differs from its manifest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Damage {
    #[error("it has no readable manifest ({0}); it was not made whole, or by another version")]
    NoManifest(String),
    #[error("`{0}` is missing")]
    Missing(String),
    #[error("`{file}` is {}; it was {} when the entry was made", bytes(*.now), bytes(*.made))]
    Size { file: String, now: u64, made: u64 },
    #[error("`{0}` was changed after the entry was made: its SHA-256 is not the one recorded")]
    Content(String),
    #[error("`{file}` cannot be read: {reason}")]
    Unreadable { file: String, reason: String },
    /// A check of the file's own structure failed (`qemu-img check` of a qcow2).
    #[error("`{file}` fails `{check}`: {finding}")]
    Check {
        file: String,
        check: String,
        finding: String,
    },
}

/// Records every file under `entry` (but the manifest) into its manifest.
pub fn write(entry: &Path) -> anyhow::Result<()> {
    let mut files = Vec::new();
    for path in files_under(entry)? {
        let name = relative(entry, &path);
        let (size, modified_ns) =
            stat(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        let sha256 = sha256(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        files.push(Recorded {
            path: name,
            size,
            modified_ns,
            sha256,
        });
    }
    save(entry, &Manifest { files })
}

/// Whether `entry` still holds what its manifest recorded.
pub fn verify(entry: &Path) -> Result<(), Damage> {
    let text =
        std::fs::read(entry.join(FILE)).map_err(|err| Damage::NoManifest(err.to_string()))?;
    let mut manifest: Manifest =
        serde_json::from_slice(&text).map_err(|err| Damage::NoManifest(err.to_string()))?;
    let mut retimed = false;
    for file in &mut manifest.files {
        let path = entry.join(&file.path);
        let (size, modified_ns) = stat(&path).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => Damage::Missing(file.path.clone()),
            _ => unreadable(&file.path, &err),
        })?;
        if size != file.size {
            return Err(Damage::Size {
                file: file.path.clone(),
                now: size,
                made: file.size,
            });
        }
        if modified_ns != file.modified_ns {
            if sha256(&path).map_err(|err| unreadable(&file.path, &err))? != file.sha256 {
                return Err(Damage::Content(file.path.clone()));
            }
            file.modified_ns = modified_ns;
            retimed = true;
        }
    }
    if retimed {
        // Touched or copied, but whole: remember the new time so it is hashed once. A
        // failure only means hashing again next time.
        let _ = save(entry, &manifest);
    }
    Ok(())
}

fn unreadable(file: &str, err: &std::io::Error) -> Damage {
    Damage::Unreadable {
        file: file.to_owned(),
        reason: err.to_string(),
    }
}

/// Written through a temporary file of this process's own (two runs may re-time the same
/// entry at once), so a manifest is whole or absent.
fn save(entry: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let path = entry.join(FILE);
    let partial = entry.join(format!("{FILE}.partial-{}", std::process::id()));
    let result = std::fs::write(&partial, serde_json::to_vec_pretty(manifest)?)
        .and_then(|()| std::fs::rename(&partial, &path));
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result.with_context(|| format!("cannot write `{}`", path.display()))
}

/// Every regular file under `dir`, sorted, without the manifest.
fn files_under(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() && !(next == dir && entry.file_name() == FILE) {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn stat(path: &Path) -> std::io::Result<(u64, u64)> {
    let meta = std::fs::metadata(path)?;
    let modified = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    Ok((meta.len(), modified))
}

/// The file's SHA-256 in hex.
pub fn sha256(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buffer)? {
            0 => break,
            n => hasher.update(&buffer[..n]),
        }
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// `104857600 bytes (100.0 MiB)`.
fn bytes(count: u64) -> String {
    format!(
        "{count} bytes ({:.1} MiB)",
        count as f64 / (1024.0 * 1024.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("disk.qcow2"), vec![7u8; 300_000]).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/log"), b"made\n").unwrap();
        write(dir.path()).unwrap();
        dir
    }

    fn set_time(path: &Path, secs: u64) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn an_entry_as_made_verifies() {
        let dir = entry();
        verify(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(text.contains("\"sub/log\""), "{text}");
        assert!(!text.contains(FILE), "the manifest does not list itself");
    }

    #[test]
    fn a_truncated_file_is_caught_by_its_size() {
        let dir = entry();
        let disk = dir.path().join("disk.qcow2");
        std::fs::File::options()
            .write(true)
            .open(&disk)
            .unwrap()
            .set_len(100_000)
            .unwrap();
        assert_eq!(
            verify(dir.path()),
            Err(Damage::Size {
                file: "disk.qcow2".into(),
                now: 100_000,
                made: 300_000
            })
        );
    }

    #[test]
    fn a_rewritten_file_is_caught_by_its_hash_and_a_touched_one_is_hashed_once() {
        let dir = entry();
        let log = dir.path().join("sub/log");
        // Same size, new time, same content: whole; the new time is remembered.
        set_time(&log, 1_000);
        verify(dir.path()).unwrap();
        let manifest = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(manifest.contains("1000000000000"), "{manifest}");
        // Same size, other content.
        std::fs::write(&log, b"MADE\n").unwrap();
        assert_eq!(verify(dir.path()), Err(Damage::Content("sub/log".into())));
    }

    #[test]
    fn a_missing_file_or_manifest_is_damage() {
        let dir = entry();
        std::fs::remove_file(dir.path().join("sub/log")).unwrap();
        assert_eq!(verify(dir.path()), Err(Damage::Missing("sub/log".into())));
        std::fs::remove_file(dir.path().join(FILE)).unwrap();
        assert!(matches!(verify(dir.path()), Err(Damage::NoManifest(_))));
    }

    #[test]
    fn sizes_are_told_in_bytes_and_mib() {
        assert_eq!(bytes(104_857_600), "104857600 bytes (100.0 MiB)");
    }
}
