//! The host programs the project runs, found on PATH with the package that provides them, so
//! a missing one is an error that says what to install.

use std::path::PathBuf;

/// A program the project needs and the Debian package that has it.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub program: &'static str,
    pub package: &'static str,
}

pub const QEMU: Tool = Tool {
    program: "qemu-system-x86_64",
    package: "qemu-system-x86",
};
pub const QEMU_IMG: Tool = Tool {
    program: "qemu-img",
    package: "qemu-utils",
};
pub const MMDEBSTRAP: Tool = Tool {
    program: "mmdebstrap",
    package: "mmdebstrap",
};
pub const TAR2SQFS: Tool = Tool {
    program: "tar2sqfs",
    package: "squashfs-tools-ng",
};
pub const NIX_INSTANTIATE: Tool = Tool {
    program: "nix-instantiate",
    package: "nix-bin",
};

impl Tool {
    /// The program's full path, or an error naming the package to install.
    pub fn find(self) -> anyhow::Result<PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|dir| dir.join(self.program))
            .find(|candidate| is_executable(candidate))
            .ok_or_else(|| {
                anyhow::format_err!(
                    "`{}` is not installed: install it with `apt-get install {}` (or run `.ci/setup`)",
                    self.program,
                    self.package
                )
            })
    }
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}
