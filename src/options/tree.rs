//! A source tree on disk that is not a git repository: nixpkgs read in part, the files laid
//! out under their nixpkgs paths (`DIR/nixos/modules/...`, `DIR/lib/.version`).

use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The `.nix` files below `root/under`, as paths relative to `root` with `/`, sorted.
pub fn nix_files(root: &Path, under: &str) -> io::Result<Vec<String>> {
    let mut found = Vec::new();
    let start = root.join(under);
    if start.is_dir() {
        walk(&start, under.trim_end_matches('/'), &mut found)?;
    }
    found.sort();
    Ok(found)
}

fn walk(dir: &Path, relative: &str, found: &mut Vec<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{relative}/{name}");
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), &path, found)?;
        } else if name.ends_with(".nix") {
            found.push(path);
        }
    }
    Ok(())
}

/// The SHA-256 of `text`, in hex: what the index records for each module file read.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The release a nixpkgs branch name means: `nixos-25.05` and `release-25.05` → `25.05`.
pub fn release_of(reference: &str) -> Option<&str> {
    let release = reference
        .strip_prefix("nixos-")
        .or_else(|| reference.strip_prefix("release-"))?;
    let (year, month) = release.split_once('.')?;
    (year.len() == 2
        && month.len() == 2
        && year
            .chars()
            .chain(month.chars())
            .all(|c| c.is_ascii_digit()))
    .then_some(release)
}

/// A full commit id: 40 hexadecimal digits.
pub fn is_commit(rev: &str) -> bool {
    rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nix_files_of_a_partial_tree_are_listed_by_their_source_paths() {
        let dir = tempfile::tempdir().unwrap();
        for file in [
            "nixos/modules/config/zram.nix",
            "nixos/modules/services/networking/ssh/sshd.nix",
            "nixos/modules/services/networking/ssh/README.md",
            "lib/.version",
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{ }").unwrap();
        }
        assert_eq!(
            nix_files(dir.path(), "nixos/modules").unwrap(),
            [
                "nixos/modules/config/zram.nix",
                "nixos/modules/services/networking/ssh/sshd.nix"
            ]
        );
        assert!(nix_files(dir.path(), "nowhere").unwrap().is_empty());
    }

    #[test]
    fn releases_commits_and_hashes() {
        assert_eq!(release_of("nixos-25.05"), Some("25.05"));
        assert_eq!(release_of("release-25.05"), Some("25.05"));
        assert_eq!(release_of("nixos-unstable"), None);
        assert!(is_commit("de5708739256238fb912c62f03988815db89ec9a"));
        assert!(!is_commit("nixos-25.05"));
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
