//! The private directory a VM's sockets live in: mode 0700, removed with everything in it
//! when the [`SocketDir`] is dropped. (A scenario's run directory, with its outputs, is
//! [`crate::runs::RunDir`].)

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

pub struct SocketDir {
    path: PathBuf,
}

impl SocketDir {
    /// Creates `<tmp>/nixos-tuning-<pid>-<n>`. It is under the temporary directory rather
    /// than `target/` because UNIX socket paths must stay under 108 bytes.
    pub fn create() -> std::io::Result<SocketDir> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("nixos-tuning-{}-{n}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(SocketDir { path }),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(err),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn is_private_and_removed() {
        let dir = SocketDir::create().unwrap();
        let path = dir.path().to_owned();
        std::fs::write(dir.join("sock"), b"x").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        drop(dir);
        assert!(!path.exists());
    }
}
