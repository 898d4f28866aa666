//! Reading a repository made here with `git`, at a revision that is not its HEAD.

use super::*;
use crate::options::fixtures::{self, Repo};

#[test]
fn a_tag_a_branch_or_a_short_id_is_read_at_its_full_commit_id() {
    let (repo, pinned) = fixtures::disko();
    let scratch = tempfile::tempdir().unwrap();
    let bare = repo.bare_clone(scratch.path());
    let short = &pinned[..12];
    for rev in ["v1.13.0", short, pinned.as_str()] {
        let commit = Commit::open(&bare, rev).unwrap();
        assert_eq!(commit.id(), pinned, "{rev}");
        assert_eq!(commit.git_dir(), bare);
    }
    // The branch is at the newer commit, which the tag is not.
    let head = Commit::open(&bare, "main").unwrap();
    assert_eq!(head.id(), repo.git(&["rev-parse", "main"]));
    assert_ne!(head.id(), pinned);
}

#[test]
fn files_are_read_as_they_are_at_the_commit_not_the_head() {
    let (repo, _) = fixtures::disko();
    let scratch = tempfile::tempdir().unwrap();
    let bare = repo.bare_clone(scratch.path());
    let older = Commit::open(&bare, "main~2").unwrap();
    assert_eq!(
        older.read("module.nix").unwrap(),
        "{ lib, ... }: { options.disko.older = lib.mkOption { }; }"
    );
    let pinned = Commit::open(&bare, "v1.13.0").unwrap();
    // As `git show` prints it, less its final newline.
    let text = fixtures::text_of(fixtures::DISKO, "lib/types/disk.nix");
    assert_eq!(
        pinned.read("lib/types/disk.nix").unwrap(),
        text.strip_suffix('\n').unwrap()
    );
}

#[test]
fn only_the_nix_files_below_the_folder_are_listed() {
    let (repo, _) = fixtures::disko();
    let scratch = tempfile::tempdir().unwrap();
    let bare = repo.bare_clone(scratch.path());
    let pinned = Commit::open(&bare, "v1.13.0").unwrap();
    assert_eq!(
        pinned.nix_files("lib/types").unwrap(),
        ["lib/types/disk.nix", "lib/types/gpt.nix"]
    );
    let head = Commit::open(&bare, "main").unwrap();
    assert_eq!(
        head.nix_files("lib/types").unwrap(),
        [
            "lib/types/disk.nix",
            "lib/types/gpt.nix",
            "lib/types/newer.nix"
        ]
    );
    assert!(pinned.nix_files("nowhere").unwrap().is_empty());
}

#[test]
fn a_clone_with_a_work_tree_is_read_through_its_dot_git() {
    let (repo, pinned) = fixtures::disko();
    assert!(is_repository(repo.path()));
    let commit = Commit::open(repo.path(), "v1.13.0").unwrap();
    assert_eq!(commit.id(), pinned);
    assert_eq!(commit.git_dir(), repo.path().join(".git"));
    // The work tree is not what is read.
    std::fs::write(repo.path().join("lib/types/disk.nix"), "changed").unwrap();
    assert_ne!(commit.read("lib/types/disk.nix").unwrap(), "changed");
}

#[test]
fn a_missing_path_is_named_as_missing() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("disko.git");
    let err = Commit::open(&path, "v1.13.0").unwrap_err();
    assert!(
        matches!(&err, GitError::Missing { path: p } if *p == path),
        "{err:?}"
    );
    assert!(err.to_string().contains("git clone --bare"), "{err}");
}

#[test]
fn a_directory_that_is_no_repository_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    fixtures::write_tree(scratch.path(), &[("module.nix", b"{ }")]);
    assert!(!is_repository(scratch.path()));
    let err = Commit::open(scratch.path(), "v1.13.0").unwrap_err();
    match &err {
        GitError::NotARepository { path, stderr } => {
            assert_eq!(path, scratch.path());
            assert!(stderr.contains("not a git repository"), "{stderr}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("give a bare clone"), "{err}");
}

#[test]
fn an_unknown_revision_is_refused_naming_it_and_how_to_fetch_it() {
    let (repo, _) = fixtures::disko();
    let scratch = tempfile::tempdir().unwrap();
    let bare = repo.bare_clone(scratch.path());
    let err = Commit::open(&bare, "v9.9.9").unwrap_err();
    match &err {
        GitError::UnknownRevision { git_dir, rev, .. } => {
            assert_eq!(git_dir, &bare);
            assert_eq!(rev, "v9.9.9");
        }
        other => panic!("{other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("`v9.9.9` is not a revision of")
            && message.contains("fetch origin v9.9.9"),
        "{message}"
    );
}

#[test]
fn a_file_the_commit_does_not_have_is_refused() {
    let (repo, pinned) = fixtures::disko();
    let commit = Commit::open(repo.path(), "v1.13.0").unwrap();
    let err = commit.read("lib/types/newer.nix").unwrap_err();
    match &err {
        GitError::Read { rev, file, .. } => {
            assert_eq!(rev, &pinned);
            assert_eq!(file, "lib/types/newer.nix");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_file_that_is_not_text_is_refused() {
    let repo = Repo::new();
    repo.write(&[("modules/broken.nix", b"{ options.a = \xff\xfe; }\n")]);
    repo.commit("not UTF-8");
    let commit = Commit::open(repo.path(), "HEAD").unwrap();
    assert_eq!(commit.nix_files("modules").unwrap(), ["modules/broken.nix"]);
    let err = commit.read("modules/broken.nix").unwrap_err();
    assert!(
        matches!(&err, GitError::NotText { file, .. } if file == "modules/broken.nix"),
        "{err:?}"
    );
    assert!(err.to_string().contains("is not UTF-8 text"), "{err}");
}
