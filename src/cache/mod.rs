//! Build caches under `target/`: an entry is a directory named by a hash of everything that
//! went into it.
//!
//! - One process builds an entry at a time: the others wait, told for whom (`waiting for pid
//!   N: build the Debian image`), then use what it built. The lock is an `flock`
//!   ([`crate::lock`]), so one left by a dead builder is simply taken over.
//! - An entry is built under a `.partial` name, its [`manifest`] is written last, and it is
//!   renamed when whole, so a half-built entry is never used; a build that fails or is
//!   interrupted leaves nothing, and one that ran out of disk says so
//!   ([`diskfull::DiskFull`]).
//! - Every use checks the entry against its manifest, so one that changed since it was made
//!   (truncated, overwritten) is refused ([`Damaged`]) with its path and the command that
//!   clears it, instead of booting a broken disk.

pub mod manifest;

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

pub use manifest::Damage;

use crate::diskfull;
use crate::lock::{Lock, Wait};
use crate::progress::Progress;

/// A hash of a build's inputs, each named so reordering cannot collide.
#[derive(Default)]
pub struct Key {
    hasher: Sha256,
}

impl Key {
    pub fn new(kind: &str) -> Key {
        let mut key = Key::default();
        key.add("kind", kind.as_bytes());
        key
    }

    pub fn add(&mut self, name: &str, value: &[u8]) -> &mut Key {
        for part in [name.as_bytes(), value] {
            self.hasher.update((part.len() as u64).to_le_bytes());
            self.hasher.update(part);
        }
        self
    }

    /// The first 16 hex digits: plenty to tell builds apart, short enough for paths.
    pub fn finish(&self) -> String {
        let digest = self.hasher.clone().finalize();
        digest
            .iter()
            .take(8)
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// A cache entry that no longer holds what was built. It is refused rather than rebuilt on
/// the spot: something outside the project changed it (a full or failing disk, a tool run
/// on the wrong file), which a silent rebuild would hide, and a rebuild takes minutes.
#[derive(Debug, thiserror::Error)]
#[error(
    "{what} in the cache is damaged: {damage}\n  entry: {}\n  it is not used; remove it \
     and the next run rebuilds it: rm -rf '{}'",
    .entry.display(),
    .entry.display()
)]
pub struct Damaged {
    pub what: String,
    pub entry: PathBuf,
    pub damage: Damage,
}

/// Returns `<root>/<name>`, checked against its manifest, building it with `build` (given
/// the partial directory) unless it was built already. `what` names it in messages ("the
/// Debian image").
pub fn entry(
    root: &Path,
    name: &str,
    what: &str,
    progress: &dyn Progress,
    build: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<PathBuf> {
    let done = root.join(name);
    if done.is_dir() {
        return checked(done, what);
    }
    std::fs::create_dir_all(root).with_context(|| format!("cannot create `{}`", root.display()))?;
    let lock_file = root.join(format!(".{name}.lock"));
    let _lock = Lock::acquire(
        &lock_file,
        &format!("the cache entry `{name}`"),
        &format!("build {what}"),
        Wait::Wait,
        progress,
    )?;
    // Another process may have built it while this one waited.
    if done.is_dir() {
        return checked(done, what);
    }
    remove_partials(root, name);
    let partial = root.join(format!("{name}.partial"));
    std::fs::create_dir_all(&partial)
        .with_context(|| format!("cannot create `{}`", partial.display()))?;
    // Declared after the lock, so it is dropped (and the partial removed) while still held.
    let _guard = RemoveOnDrop(partial.clone());
    build(&partial)
        .and_then(|()| manifest::write(&partial))
        .map_err(|err| {
            diskfull::explain(err, root, || {
                format!("while building {what}; the partial build was removed")
            })
        })?;
    std::fs::rename(&partial, &done)
        .with_context(|| format!("cannot move `{}` into place", partial.display()))?;
    Ok(done)
}

fn checked(entry: PathBuf, what: &str) -> anyhow::Result<PathBuf> {
    match manifest::verify(&entry) {
        Ok(()) => Ok(entry),
        Err(damage) => Err(Damaged {
            what: what.to_owned(),
            entry,
            damage,
        }
        .into()),
    }
}

/// Partial builds of `name`: the lock is held, so whoever made them is gone (killed, or the
/// machine rebooted). Older versions named them `<name>.partial-<pid>`.
fn remove_partials(root: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let prefix = format!("{name}.partial");
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::{Outcome, Silent};
    use std::sync::Mutex;
    use std::time::Duration;

    /// The notes a build was given.
    #[derive(Default)]
    struct Notes(Mutex<Vec<String>>);

    impl Progress for Notes {
        fn start(&self, _step: &str) {}
        fn finish(&self, _step: &str, _elapsed: Duration, _outcome: Outcome) {}
        fn note(&self, message: &str) {
            self.0.lock().unwrap().push(message.to_owned());
        }
    }

    impl Notes {
        fn all(&self) -> Vec<String> {
            self.0.lock().unwrap().clone()
        }
    }

    /// The entries under `root` (the lock files beside them are not entries).
    fn entries(root: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| !name.ends_with(".lock"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn keys_change_with_any_input() {
        let key = |packages: &str| {
            Key::new("image")
                .add("packages", packages.as_bytes())
                .finish()
        };
        assert_eq!(key("a b"), key("a b"));
        assert_ne!(key("a b"), key("a b c"));
        assert_eq!(key("x").len(), 16);
    }

    #[test]
    fn a_failed_build_leaves_nothing_and_a_good_one_is_reused() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        let failed = entry(root, "image-1", "the image", &Silent, |dir| {
            std::fs::write(dir.join("half"), b"x")?;
            anyhow::bail!("mmdebstrap failed")
        });
        assert!(failed.is_err());
        assert!(entries(root).is_empty(), "{:?}", entries(root));
        let built = entry(root, "image-1", "the image", &Silent, |dir| {
            Ok(std::fs::write(dir.join("whole"), b"x")?)
        });
        let again = entry(root, "image-1", "the image", &Silent, |_| {
            anyhow::bail!("must not rebuild")
        })
        .unwrap();
        assert_eq!(built.unwrap(), again);
        assert!(again.join("whole").exists());
        assert!(again.join(manifest::FILE).exists());
    }

    #[test]
    fn a_damaged_entry_is_refused_with_its_path_and_how_to_clear_it() {
        let root = tempfile::tempdir().unwrap();
        let made = entry(root.path(), "base-1", "the base disk", &Silent, |dir| {
            Ok(std::fs::write(dir.join("base.qcow2"), vec![1u8; 4096])?)
        })
        .unwrap();
        std::fs::write(made.join("base.qcow2"), b"short").unwrap();
        let err = entry(root.path(), "base-1", "the base disk", &Silent, |_| {
            anyhow::bail!("must not rebuild")
        })
        .unwrap_err();
        let damaged = err.downcast_ref::<Damaged>().expect("a Damaged error");
        assert!(matches!(damaged.damage, Damage::Size { made: 4096, .. }));
        let message = err.to_string();
        assert!(message.contains("base.qcow2"), "{message}");
        assert!(
            message.contains(&format!("rm -rf '{}'", made.display())),
            "{message}"
        );
    }

    #[test]
    fn a_second_builder_waits_for_the_first_and_uses_what_it_built() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        let (started, building) = std::sync::mpsc::channel();
        let (finish, finished) = std::sync::mpsc::channel::<()>();
        let notes = Notes::default();
        std::thread::scope(|scope| {
            let first = scope.spawn(move || {
                entry(root, "image-3", "the test image", &Silent, |dir| {
                    started.send(()).unwrap();
                    finished.recv().unwrap();
                    Ok(std::fs::write(dir.join("whole"), b"x")?)
                })
            });
            building.recv().unwrap();
            let second = scope.spawn(|| {
                entry(root, "image-3", "the test image", &notes, |_| {
                    anyhow::bail!("the second builder must not build")
                })
            });
            while notes.all().is_empty() {
                std::thread::sleep(Duration::from_millis(20));
            }
            finish.send(()).unwrap();
            let first = first.join().unwrap().unwrap();
            assert_eq!(second.join().unwrap().unwrap(), first);
        });
        let notes = notes.all();
        let expected = format!(
            "waiting for pid {}: build the test image",
            std::process::id()
        );
        assert!(notes[0].starts_with(&expected), "{notes:?}");
    }

    #[test]
    fn a_lock_and_partial_left_by_a_killed_builder_are_taken_over() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        let partial = root.join("image-4.partial");
        std::fs::create_dir_all(partial.join("half")).unwrap();
        // A builder that dies with the lock held, like a `kill -9` in the middle of a build.
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "exec 9>>'{}'; flock 9; echo 'pid 1: build the image' >&9; kill -9 $$",
                root.join(".image-4.lock").display()
            ))
            .status()
            .unwrap();
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(9)
        );
        let notes = Notes::default();
        let built = entry(root, "image-4", "the image", &notes, |dir| {
            Ok(std::fs::write(dir.join("whole"), b"x")?)
        })
        .unwrap();
        assert!(notes.all().is_empty(), "nobody holds it: {:?}", notes.all());
        assert!(built.join("whole").exists());
        assert_eq!(entries(root), ["image-4"]);
    }

    #[test]
    fn a_build_that_fills_the_disk_says_so_and_leaves_nothing() {
        let root = tempfile::tempdir().unwrap();
        let err = entry(root.path(), "image-5", "the image", &Silent, |dir| {
            std::fs::write(dir.join("half"), b"x")?;
            // The kernel's own ENOSPC: /dev/full fails every write with it.
            std::fs::write("/dev/full", b"rootfs")
                .with_context(|| format!("cannot write `{}`", dir.join("rootfs.tar").display()))
        })
        .unwrap_err();
        let full = err
            .downcast_ref::<diskfull::DiskFull>()
            .expect("a DiskFull error");
        assert_eq!(full.dir, root.path());
        let message = format!("{err:#}");
        assert!(message.contains("No space left on device"), "{message}");
        assert!(
            entries(root.path()).is_empty(),
            "{:?}",
            entries(root.path())
        );
    }
}
