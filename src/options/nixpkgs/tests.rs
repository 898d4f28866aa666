//! nixpkgs read in part from a directory, and whole from a repository made here.

use super::*;
use crate::options::fixtures::{self, Repo, NIXPKGS};

const COMMIT: &str = "de5708739256238fb912c62f03988815db89ec9a";

fn partial_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fixtures::write_tree(dir.path(), NIXPKGS);
    dir
}

fn files_of(part: &Part) -> Vec<&str> {
    part.files.iter().map(|(file, _)| file.as_str()).collect()
}

#[test]
fn a_partial_tree_gives_its_module_files_at_the_commit_named() {
    let dir = partial_tree();
    let part = read(dir.path(), "nixos-25.05", Some(COMMIT)).unwrap();
    assert_eq!(
        part.source,
        Source {
            name: "nixpkgs".into(),
            reference: "github:NixOS/nixpkgs/nixos-25.05".into(),
            rev: COMMIT.into(),
        }
    );
    assert_eq!(
        files_of(&part),
        [
            "nixos/modules/config/zram.nix",
            "nixos/modules/services/networking/ssh/sshd.nix"
        ]
    );
    // The whole file, as it is on disk.
    assert_eq!(
        part.files[0].1,
        fixtures::text_of(NIXPKGS, "nixos/modules/config/zram.nix")
    );
}

#[test]
fn a_release_branch_named_release_yy_mm_is_accepted_too() {
    let dir = partial_tree();
    let part = read(dir.path(), "release-25.05", Some(COMMIT)).unwrap();
    assert_eq!(part.source.reference, "github:NixOS/nixpkgs/release-25.05");
}

#[test]
fn a_reference_that_is_no_release_branch_is_refused() {
    let dir = partial_tree();
    let err = read(dir.path(), "nixos-unstable", Some(COMMIT)).unwrap_err();
    assert!(
        matches!(&err, NixpkgsError::NotARelease { reference } if reference == "nixos-unstable"),
        "{err:?}"
    );
}

#[test]
fn a_partial_tree_without_a_commit_id_is_refused() {
    let dir = partial_tree();
    let err = read(dir.path(), "nixos-25.05", None).unwrap_err();
    assert!(
        matches!(&err, NixpkgsError::NoCommit { dir: d } if d == dir.path()),
        "{err:?}"
    );
    assert!(err.to_string().contains("with --nixpkgs-rev"), "{err}");
    for rev in ["nixos-25.05", &COMMIT[..12], &format!("{COMMIT}0")] {
        let err = read(dir.path(), "nixos-25.05", Some(rev)).unwrap_err();
        assert!(
            matches!(&err, NixpkgsError::NotACommit { rev: r } if r == rev),
            "{rev}: {err:?}"
        );
    }
}

#[test]
fn a_tree_of_another_release_is_refused() {
    let dir = partial_tree();
    fixtures::write_tree(dir.path(), &[("lib/.version", b"24.11\n")]);
    let err = read(dir.path(), "nixos-25.05", Some(COMMIT)).unwrap_err();
    match &err {
        NixpkgsError::WrongRelease { rev, found, want } => {
            assert_eq!(
                (rev.as_str(), found.as_str(), want.as_str()),
                (COMMIT, "24.11", "25.05")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "nixpkgs at {COMMIT} is release 24.11, not 25.05 (lib/.version): read a commit of \
             the 25.05 branch, or name the branch the flake follows with --nixpkgs-ref"
        )
    );
}

#[test]
fn a_tree_without_lib_version_is_refused() {
    let dir = partial_tree();
    std::fs::remove_file(dir.path().join("lib/.version")).unwrap();
    let err = read(dir.path(), "nixos-25.05", Some(COMMIT)).unwrap_err();
    assert!(matches!(err, NixpkgsError::NoVersion { .. }), "{err:?}");
}

#[test]
fn a_tree_without_module_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fixtures::write_tree(
        dir.path(),
        &[
            ("lib/.version", b"25.05"),
            ("nixos/modules/README.md", b"notes"),
            ("nixos/lib/eval-config.nix", b"{ }"),
        ],
    );
    let err = read(dir.path(), "nixos-25.05", Some(COMMIT)).unwrap_err();
    assert!(
        matches!(&err, NixpkgsError::NoModules { dir: d } if d == dir.path()),
        "{err:?}"
    );
}

#[test]
fn a_missing_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nixpkgs");
    let err = read(&path, "nixos-25.05", Some(COMMIT)).unwrap_err();
    assert!(
        matches!(&err, NixpkgsError::Missing { path: p } if *p == path),
        "{err:?}"
    );
}

#[test]
fn a_module_file_that_is_not_text_is_refused() {
    let dir = partial_tree();
    fixtures::write_tree(
        dir.path(),
        &[("nixos/modules/config/broken.nix", b"{ \xff }")],
    );
    let err = read(dir.path(), "nixos-25.05", Some(COMMIT)).unwrap_err();
    assert!(
        matches!(&err, NixpkgsError::NotText { path } if path.ends_with("nixos/modules/config/broken.nix")),
        "{err:?}"
    );
}

/// nixpkgs' repository: an older release, the branch `nixos-25.05`, then a newer release
/// on `main`.
fn repository() -> (Repo, String, String) {
    let repo = Repo::new();
    repo.write(&[
        ("lib/.version", b"24.11\n"),
        (
            "nixos/modules/config/zram.nix",
            b"{ lib, ... }: { options.zramSwap.enable = lib.mkOption { }; }\n",
        ),
    ]);
    let older = repo.commit("24.11");
    repo.write(NIXPKGS);
    let pinned = repo.commit("25.05");
    repo.branch("nixos-25.05");
    repo.write(&[("lib/.version", b"25.11\n")]);
    repo.commit("25.11, on main");
    (repo, older, pinned)
}

#[test]
fn a_repository_gives_every_module_file_at_the_branch_by_default() {
    let (repo, _, pinned) = repository();
    let scratch = tempfile::tempdir().unwrap();
    let bare = repo.bare_clone(scratch.path());
    for rev in [None, Some("nixos-25.05"), Some(&pinned[..10])] {
        let part = read(&bare, "nixos-25.05", rev).unwrap();
        assert_eq!(part.source.rev, pinned, "{rev:?}");
        assert_eq!(part.source.reference, "github:NixOS/nixpkgs/nixos-25.05");
        assert_eq!(
            files_of(&part),
            [
                "nixos/modules/config/zram.nix",
                "nixos/modules/services/networking/ssh/sshd.nix"
            ]
        );
    }
    // Read through git: less the final newline.
    let part = read(&bare, "nixos-25.05", None).unwrap();
    let text = fixtures::text_of(NIXPKGS, "nixos/modules/config/zram.nix");
    assert_eq!(part.files[0].1, text.strip_suffix('\n').unwrap());
}

#[test]
fn a_commit_of_another_release_is_refused_by_its_full_id() {
    let (repo, older, _) = repository();
    let err = read(repo.path(), "nixos-25.05", Some(&older[..10])).unwrap_err();
    match &err {
        NixpkgsError::WrongRelease { rev, found, want } => {
            assert_eq!(
                (rev, found.as_str(), want.as_str()),
                (&older, "24.11", "25.05")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_revision_of_the_repository_is_refused() {
    let (repo, _, _) = repository();
    let err = read(repo.path(), "nixos-24.05", None).unwrap_err();
    assert!(
        matches!(&err, NixpkgsError::Git(GitError::UnknownRevision { rev, .. }) if rev == "nixos-24.05"),
        "{err:?}"
    );
}
