//! Whether an error comes from a host disk that ran full, wherever it was met: a write of
//! ours (`ENOSPC`, or `EDQUOT` for a quota), a host tool that said so on its stderr or in its
//! log (`qemu-img`, `mmdebstrap`, `tar`), or QEMU stopping the guest because the disk image
//! could not grow ([`VmError::HostDiskFull`]). A guest's own full disk is not the host's:
//! what a guest command prints is never read here.

use std::path::{Path, PathBuf};

use crate::host::RunError;
use crate::vm::VmError;

/// What the C library calls `ENOSPC`, as tools print it.
pub const NO_SPACE: &str = "No space left on device";

/// The context added to an error that a full disk caused: where, and what was stopped.
#[derive(Debug, thiserror::Error)]
#[error(
    "the disk holding {} is full ({NO_SPACE}) {while_}: free some space there and run again",
    .dir.display()
)]
pub struct DiskFull {
    pub dir: PathBuf,
    /// `while building the Debian image; the partial build was removed`.
    pub while_: String,
}

/// `err` with a [`DiskFull`] context on top when a full disk caused it, as it was otherwise.
pub fn explain(err: anyhow::Error, dir: &Path, while_: impl FnOnce() -> String) -> anyhow::Error {
    if !in_chain(&err) {
        return err;
    }
    err.context(DiskFull {
        dir: dir.to_owned(),
        while_: while_(),
    })
}

/// Whether any cause in `err`'s chain is a full host disk.
pub fn in_chain(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return is_full(io);
        }
        if let Some(run) = cause.downcast_ref::<RunError>() {
            return run.words().contains(NO_SPACE);
        }
        matches!(
            cause.downcast_ref::<VmError>(),
            Some(VmError::HostDiskFull { .. })
        )
    })
}

/// `ENOSPC` or `EDQUOT`.
pub fn is_full(err: &std::io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn a_full_disk_is_found_under_any_context() {
        let write = std::fs::write("/dev/full", b"x").unwrap_err();
        let err = anyhow::Error::from(write).context("cannot write `report.json`");
        assert!(in_chain(&err.context("scenario failed")));
    }

    #[test]
    fn a_tool_that_said_so_is_a_full_disk_and_other_failures_are_not() {
        let tool = RunError::Failed {
            program: "qemu-img".into(),
            status: "exit status: 1".into(),
            stderr: format!("qemu-img: disk.qcow2: Could not write: {NO_SPACE}"),
        };
        assert!(in_chain(&anyhow::Error::from(tool)));
        let other = Err::<(), _>(std::io::Error::from_raw_os_error(libc::EACCES))
            .context("cannot write")
            .unwrap_err();
        assert!(!in_chain(&other));
        // A guest command's output is the guest's business, not the host's disk.
        let guest = VmError::CommandFailed {
            command: "cp".into(),
            status: 1,
            output: NO_SPACE.into(),
        };
        assert!(!in_chain(&anyhow::Error::from(guest)));
    }
}
