//! Build caches under `target/`: an entry is a directory named by a hash of everything that
//! went into it. It is built under a `.partial` name and renamed when whole, so a half-built
//! entry is never used, and a build that dies leaves only a partial directory that the next
//! build removes.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

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

/// Returns `<root>/<name>`, building it with `build` (given the partial directory) unless a
/// whole one is there already.
pub fn entry(
    root: &Path,
    name: &str,
    build: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<PathBuf> {
    let done = root.join(name);
    if done.is_dir() {
        return Ok(done);
    }
    std::fs::create_dir_all(root).with_context(|| format!("cannot create `{}`", root.display()))?;
    remove_abandoned(root, name);
    let partial = root.join(format!("{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial)
        .with_context(|| format!("cannot create `{}`", partial.display()))?;
    let guard = RemoveOnDrop(partial.clone());
    build(&partial)?;
    if std::fs::rename(&partial, &done).is_err() && !done.is_dir() {
        anyhow::bail!("cannot move `{}` into place", partial.display());
    }
    drop(guard);
    Ok(done)
}

/// Partial builds whose process is gone (killed, or the machine rebooted).
fn remove_abandoned(root: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let prefix = format!("{name}.partial-");
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
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

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cache-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
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
        let root = scratch("entry");
        let failed = entry(&root, "image-1", |dir| {
            std::fs::write(dir.join("half"), b"x")?;
            anyhow::bail!("mmdebstrap failed")
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0);
        let built = entry(&root, "image-1", |dir| {
            Ok(std::fs::write(dir.join("whole"), b"x")?)
        });
        let again = entry(&root, "image-1", |_| anyhow::bail!("must not rebuild")).unwrap();
        assert_eq!(built.unwrap(), again);
        assert!(again.join("whole").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn abandoned_partials_are_removed() {
        let root = scratch("abandoned");
        let stale = root.join("image-2.partial-999999999");
        std::fs::create_dir_all(&stale).unwrap();
        entry(&root, "image-2", |_| Ok(())).unwrap();
        assert!(!stale.exists());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
