//! The scenario's configuration files, handed to the guest at boot through QEMU's fw_cfg as a
//! tar archive. The guest's `activate` (its PID 1 before systemd, like NixOS's stage-2 init
//! running the activation script) unpacks it onto `/` and then starts systemd, so every
//! optimization is in effect from boot and one installed base disk serves every scenario.

use std::collections::BTreeMap;

use anyhow::Context;

/// The fw_cfg name the guest reads (`/sys/firmware/qemu_fw_cfg/by_name/<NAME>/raw`).
pub const FW_CFG_NAME: &str = "opt/nixos-tuning/etc.tar";

/// The init the kernel starts: unpacks the archive, then execs systemd.
pub const INIT: &str = "/usr/lib/nixos-tuning/activate";

/// `files` (absolute guest path → content) as a tar archive.
pub fn archive(files: &BTreeMap<String, String>) -> anyhow::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let relative = path
            .strip_prefix('/')
            .with_context(|| format!("guest path `{path}` is not absolute"))?;
        let mut header = tar::Header::new_ustar();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, relative, content.as_bytes())
            .with_context(|| format!("cannot add `{path}` to the archive"))?;
    }
    Ok(builder.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_files_under_their_guest_paths() {
        let files = BTreeMap::from([
            (
                "/etc/nix/nix.conf".to_owned(),
                "max-jobs = auto\n".to_owned(),
            ),
            ("/etc/fstab".to_owned(), "# fstab\n".to_owned()),
        ]);
        let bytes = archive(&files).unwrap();
        let mut read = tar::Archive::new(bytes.as_slice());
        let names: Vec<String> = read
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["etc/fstab", "etc/nix/nix.conf"]);
    }

    #[test]
    fn refuses_relative_guest_paths() {
        let files = BTreeMap::from([("etc/fstab".to_owned(), String::new())]);
        let err = archive(&files).unwrap_err();
        assert!(err.to_string().contains("is not absolute"));
    }
}
