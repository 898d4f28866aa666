//! The index made from fixture repositories of disko and Home Manager (and a partial
//! nixpkgs tree): which files are read, what is written, and the refusals.

use super::*;
use crate::options::fixtures::{self, Repo, NIXPKGS};
use crate::options::git::GitError;

const NIXPKGS_COMMIT: &str = "de5708739256238fb912c62f03988815db89ec9a";

/// Bare clones of the fixture disko and Home Manager, with their pinned commits.
struct Sources {
    _scratch: tempfile::TempDir,
    disko: PathBuf,
    disko_rev: String,
    home_manager: PathBuf,
    home_manager_rev: String,
}

fn sources() -> Sources {
    let scratch = tempfile::tempdir().unwrap();
    let (disko, disko_rev) = fixtures::disko();
    let (hm, home_manager_rev) = fixtures::home_manager();
    std::fs::create_dir(scratch.path().join("disko")).unwrap();
    std::fs::create_dir(scratch.path().join("hm")).unwrap();
    Sources {
        disko: disko.bare_clone(&scratch.path().join("disko")),
        home_manager: hm.bare_clone(&scratch.path().join("hm")),
        _scratch: scratch,
        disko_rev,
        home_manager_rev,
    }
}

fn inputs(sources: &Sources) -> Inputs {
    Inputs {
        nixpkgs: None,
        disko: Pinned {
            path: sources.disko.clone(),
            rev: "v1.13.0".into(),
        },
        home_manager: Pinned {
            path: sources.home_manager.clone(),
            rev: "release-25.05".into(),
        },
    }
}

/// The entries of the index made from the fixture disko and Home Manager, as the index
/// writes them: what each file declares, where the scanner should find it.
const DISKO_AND_HOME_MANAGER: &str = "\
disko-toplevel\topen\tdisk\tlib/default.nix
disko-toplevel\tclosed\tmdadm\tlib/default.nix
disko-toplevel\tclosed\tmdadm.<name>.level\tlib/default.nix
disko-toplevel\topen\tnodev\tlib/default.nix
disko-type:disk\topen\tcontent\tlib/types/disk.nix
disko-type:disk\tclosed\tdevice\tlib/types/disk.nix
disko-type:disk\tclosed\ttype\tlib/types/disk.nix
disko-type:gpt\tclosed\tpartitions\tlib/types/gpt.nix
disko-type:gpt\topen\tpartitions.<name>.content\tlib/types/gpt.nix
disko-type:gpt\tclosed\tpartitions.<name>.size\tlib/types/gpt.nix
home-manager\topen\thome.sessionVariables\tmodules/home-environment.nix
home-manager\tclosed\thome.stateVersion\tmodules/home-environment.nix
home-manager\tclosed\tprograms.bash.enable\tmodules/misc/bash-compat.nix
home-manager\topen\tprograms.bash.shellAliases\tmodules/programs/bash.nix
";

/// The `nixos` entries disko's and Home Manager's NixOS modules give, `disko.devices` and
/// `home-manager.users` retyped and `home-manager.users.<name>` added by the generator.
const NIXOS_OF_DISKO_AND_HOME_MANAGER: &str = "\
nixos\tconfig:disko\tdisko.devices\tmodule.nix
nixos\tclosed\tdisko.enableConfig\tmodule.nix
nixos\tclosed\tdisko.imageBuilder.extraDependencies\tlib/make-disk-image.nix
nixos\tclosed\tdisko.imageBuilder.name\tlib/make-disk-image.nix
nixos\tclosed\thome-manager.backupFileExtension\tnixos/common.nix
nixos\tclosed\thome-manager.useGlobalPkgs\tnixos/default.nix
nixos\tclosed\thome-manager.useUserPackages\tnixos/default.nix
nixos\tclosed\thome-manager.users\tnixos/default.nix
nixos\tconfig:home-manager\thome-manager.users.<name>\t(xtask/src/options.rs)
";

#[test]
fn the_index_of_disko_and_home_manager_is_exactly_what_their_files_declare() {
    let sources = sources();
    let built = build(&inputs(&sources)).unwrap();
    let expected = format!(
        "# Options declared by the flake's pinned sources. Generated; do not edit. Made with:\n\
         # cargo xtask options --disko DISKO_GIT_DIR --home-manager HOME_MANAGER_GIT_DIR\n\
         source\tdisko\tgithub:nix-community/disko/v1.13.0\t{}\n\
         source\thome-manager\tgithub:nix-community/home-manager/release-25.05\t{}\n\
         {DISKO_AND_HOME_MANAGER}{NIXOS_OF_DISKO_AND_HOME_MANAGER}",
        sources.disko_rev, sources.home_manager_rev
    );
    assert_eq!(built.text(), expected);
    assert_eq!(built.options(), 23);
    assert!(built.index.modules.is_empty());
}

#[test]
fn only_the_chosen_files_at_the_pinned_revisions_are_read() {
    let sources = sources();
    let built = build(&inputs(&sources)).unwrap();
    let files: std::collections::BTreeSet<&str> = built
        .index
        .scopes
        .values()
        .flatten()
        .map(|entry| entry.file.as_str())
        .collect();
    // Not lib/interactive-vm.nix, lib/tests.nix, docs/, README files, nor what came after
    // the pinned revisions (lib/types/newer.nix, modules/programs/zsh.nix), nor the module
    // Home Manager's modules/misc/bash-compat.nix repeats (deduplicated to one entry).
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        [
            ADDED_BY_GENERATOR,
            "lib/default.nix",
            "lib/make-disk-image.nix",
            "lib/types/disk.nix",
            "lib/types/gpt.nix",
            "module.nix",
            "modules/home-environment.nix",
            "modules/misc/bash-compat.nix",
            "modules/programs/bash.nix",
            "nixos/common.nix",
            "nixos/default.nix",
        ]
    );
    assert_eq!(
        built.index.scopes.keys().collect::<Vec<_>>(),
        [
            "disko-toplevel",
            "disko-type:disk",
            "disko-type:gpt",
            "home-manager",
            "nixos"
        ]
    );
}

#[test]
fn a_nixpkgs_part_lists_its_module_files_and_their_options() {
    let sources = sources();
    let dir = tempfile::tempdir().unwrap();
    fixtures::write_tree(dir.path(), NIXPKGS);
    let mut inputs = inputs(&sources);
    inputs.nixpkgs = Some(Nixpkgs {
        path: dir.path().to_path_buf(),
        reference: "nixos-25.05".into(),
        rev: Some(NIXPKGS_COMMIT.into()),
    });
    let built = build(&inputs).unwrap();
    let zram = fixtures::text_of(NIXPKGS, "nixos/modules/config/zram.nix");
    let sshd = fixtures::text_of(NIXPKGS, "nixos/modules/services/networking/ssh/sshd.nix");
    let expected = format!(
        "# Options declared by the flake's pinned sources. Generated; do not edit. Made with:\n\
         # cargo xtask options --nixpkgs NIXPKGS_DIR --nixpkgs-rev {NIXPKGS_COMMIT} --disko DISKO_GIT_DIR --home-manager HOME_MANAGER_GIT_DIR\n\
         source\tnixpkgs\tgithub:NixOS/nixpkgs/nixos-25.05\t{NIXPKGS_COMMIT}\n\
         source\tdisko\tgithub:nix-community/disko/v1.13.0\t{}\n\
         source\thome-manager\tgithub:nix-community/home-manager/release-25.05\t{}\n\
         module\tnixpkgs\tnixos/modules/config/zram.nix\t{}\n\
         module\tnixpkgs\tnixos/modules/services/networking/ssh/sshd.nix\t{}\n\
         {DISKO_AND_HOME_MANAGER}{NIXOS_OF_DISKO_AND_HOME_MANAGER}\
         nixos\tclosed\tservices.openssh.enable\tnixos/modules/services/networking/ssh/sshd.nix\n\
         nixos\topen\tservices.openssh.settings\tnixos/modules/services/networking/ssh/sshd.nix\n\
         nixos\tclosed\tservices.openssh.settings.PermitRootLogin\tnixos/modules/services/networking/ssh/sshd.nix\n\
         nixos\tclosed\tzramSwap.enable\tnixos/modules/config/zram.nix\n\
         nixos\tclosed\tzramSwap.memoryPercent\tnixos/modules/config/zram.nix\n",
        sources.disko_rev,
        sources.home_manager_rev,
        tree::sha256_hex(&zram),
        tree::sha256_hex(&sshd),
    );
    assert_eq!(built.text(), expected);
    // What the index reads back is what was made.
    let back = Index::parse(&built.text()).unwrap();
    assert_eq!(back.sources, built.index.sources);
    assert_eq!(back.modules, built.index.modules);
    assert_eq!(back.scopes, built.index.scopes);
}

/// nixpkgs from a repository: every module file, hashed as read (less the final newline),
/// and the header names no commit when none was given.
#[test]
fn a_nixpkgs_repository_is_read_whole_at_its_branch() {
    let sources = sources();
    let nixpkgs = Repo::new();
    nixpkgs.write(NIXPKGS);
    let rev = nixpkgs.commit("25.05");
    nixpkgs.branch("nixos-25.05");
    let mut inputs = inputs(&sources);
    inputs.nixpkgs = Some(Nixpkgs {
        path: nixpkgs.path().to_path_buf(),
        reference: "nixos-25.05".into(),
        rev: None,
    });
    let built = build(&inputs).unwrap();
    assert!(built.header.ends_with(
        "cargo xtask options --nixpkgs NIXPKGS_DIR --disko DISKO_GIT_DIR --home-manager HOME_MANAGER_GIT_DIR"
    ));
    assert_eq!(built.index.sources[0].rev, rev);
    let zram = fixtures::text_of(NIXPKGS, "nixos/modules/config/zram.nix");
    assert_eq!(
        built.index.modules[0],
        crate::options::index::Module {
            source: "nixpkgs".into(),
            path: "nixos/modules/config/zram.nix".into(),
            sha256: tree::sha256_hex(zram.strip_suffix('\n').unwrap()),
        }
    );
    assert_eq!(built.index.modules.len(), 2);
}

#[test]
fn the_index_is_written_where_asked_with_its_folders() {
    let sources = sources();
    let built = build(&inputs(&sources)).unwrap();
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join(crate::options::index::PATH);
    built.write(&out).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), built.text());
}

#[test]
fn a_nixpkgs_tree_of_another_release_is_refused_before_disko_is_read() {
    let sources = sources();
    let dir = tempfile::tempdir().unwrap();
    fixtures::write_tree(dir.path(), NIXPKGS);
    fixtures::write_tree(dir.path(), &[("lib/.version", b"24.11")]);
    let mut inputs = inputs(&sources);
    inputs.disko.path = dir.path().join("no-disko-here");
    inputs.nixpkgs = Some(Nixpkgs {
        path: dir.path().to_path_buf(),
        reference: "nixos-25.05".into(),
        rev: Some(NIXPKGS_COMMIT.into()),
    });
    let err = build(&inputs).unwrap_err();
    assert!(
        matches!(
            &err,
            BuildError::Nixpkgs(NixpkgsError::WrongRelease { found, .. }) if found == "24.11"
        ),
        "{err:?}"
    );
    // Its message is nixpkgs' own, with nothing added.
    assert!(err.to_string().starts_with("nixpkgs at "), "{err}");
}

#[test]
fn a_partial_nixpkgs_tree_without_a_commit_id_is_refused() {
    let sources = sources();
    let dir = tempfile::tempdir().unwrap();
    fixtures::write_tree(dir.path(), NIXPKGS);
    let mut inputs = inputs(&sources);
    inputs.nixpkgs = Some(Nixpkgs {
        path: dir.path().to_path_buf(),
        reference: "nixos-25.05".into(),
        rev: None,
    });
    let err = build(&inputs).unwrap_err();
    assert!(
        matches!(&err, BuildError::Nixpkgs(NixpkgsError::NoCommit { .. })),
        "{err:?}"
    );
}

#[test]
fn an_unknown_disko_revision_is_refused_as_disko_s() {
    let sources = sources();
    let mut inputs = inputs(&sources);
    inputs.disko.rev = "v9.9.9".into();
    let err = build(&inputs).unwrap_err();
    assert!(
        matches!(&err, BuildError::Disko(GitError::UnknownRevision { rev, .. }) if rev == "v9.9.9"),
        "{err:?}"
    );
    let chain = format!("{:#}", anyhow::Error::from(err));
    assert!(
        chain.starts_with("reading disko: `v9.9.9` is not a revision of"),
        "{chain}"
    );
}

#[test]
fn a_missing_home_manager_repository_is_refused_as_home_manager_s() {
    let sources = sources();
    let mut inputs = inputs(&sources);
    inputs.home_manager.path = sources.home_manager.with_extension("missing");
    let err = build(&inputs).unwrap_err();
    assert!(
        matches!(&err, BuildError::HomeManager(GitError::Missing { .. })),
        "{err:?}"
    );
}

#[test]
fn a_disko_without_its_module_file_is_refused() {
    let sources = sources();
    let mut inputs = inputs(&sources);
    // A branch of Home Manager's repository is no disko: it has no module.nix.
    inputs.disko = inputs.home_manager.clone();
    let err = build(&inputs).unwrap_err();
    assert!(
        matches!(&err, BuildError::Disko(GitError::Read { file, .. }) if file == "module.nix"),
        "{err:?}"
    );
}

#[test]
fn a_home_manager_module_that_is_not_text_is_refused() {
    let sources = sources();
    let hm = Repo::new();
    hm.write(fixtures::HOME_MANAGER);
    hm.write(&[("modules/programs/broken.nix", b"{ options.a = \xff; }")]);
    hm.commit("not UTF-8");
    let mut inputs = inputs(&sources);
    inputs.home_manager = Pinned {
        path: hm.path().to_path_buf(),
        rev: "main".into(),
    };
    let err = build(&inputs).unwrap_err();
    assert!(
        matches!(
            &err,
            BuildError::HomeManager(GitError::NotText { file, .. })
                if file == "modules/programs/broken.nix"
        ),
        "{err:?}"
    );
}

/// A module file cut short would give part of its options: it is refused, naming the source,
/// the file and where it stops being whole.
#[test]
fn a_module_file_cut_short_is_refused() {
    let sources = sources();
    let hm = Repo::new();
    hm.write(fixtures::HOME_MANAGER);
    hm.write(&[(
        "modules/programs/cut.nix",
        b"{ lib, ... }: {\n  options.programs.cut.enable = lib.mkEnableOption \"cut\";\n  options.programs.cut.x = lib.mkOption { type = ",
    )]);
    hm.commit("cut short");
    let mut inputs = inputs(&sources);
    inputs.home_manager = Pinned {
        path: hm.path().to_path_buf(),
        rev: "main".into(),
    };
    let err = build(&inputs).unwrap_err();
    match &err {
        BuildError::Malformed {
            from,
            file,
            problem,
        } => {
            assert_eq!(
                (*from, file.as_str()),
                ("Home Manager", "modules/programs/cut.nix")
            );
            assert_eq!(*problem, Malformed::Unclosed { line: 3, open: "{" });
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().starts_with(
            "Home Manager's modules/programs/cut.nix is not whole Nix (line 3: `{` is not closed)"
        ),
        "{err}"
    );
}

#[test]
fn a_partial_nixpkgs_file_cut_short_is_refused() {
    let sources = sources();
    let dir = tempfile::tempdir().unwrap();
    fixtures::write_tree(dir.path(), NIXPKGS);
    let zram = fixtures::text_of(NIXPKGS, "nixos/modules/config/zram.nix");
    let cut = &zram[..zram.find("memoryPercent").unwrap()];
    fixtures::write_tree(
        dir.path(),
        &[("nixos/modules/config/zram.nix", cut.as_bytes())],
    );
    let mut inputs = inputs(&sources);
    inputs.nixpkgs = Some(Nixpkgs {
        path: dir.path().to_path_buf(),
        reference: "nixos-25.05".into(),
        rev: Some(NIXPKGS_COMMIT.into()),
    });
    let err = build(&inputs).unwrap_err();
    assert!(
        matches!(
            &err,
            BuildError::Malformed { from: "nixpkgs", file, .. } if file == "nixos/modules/config/zram.nix"
        ),
        "{err:?}"
    );
}

#[test]
fn disko_s_library_cut_short_is_refused() {
    let sources = sources();
    let disko = Repo::new();
    disko.write(fixtures::DISKO);
    let library = fixtures::text_of(fixtures::DISKO, "lib/default.nix");
    let cut = library.replace("deviceNumbering = x: x;", "deviceNumbering = x: \"x;");
    disko.write(&[("lib/default.nix", cut.as_bytes())]);
    disko.commit("an open string");
    let mut inputs = inputs(&sources);
    inputs.disko = Pinned {
        path: disko.path().to_path_buf(),
        rev: "main".into(),
    };
    let err = build(&inputs).unwrap_err();
    match &err {
        BuildError::Malformed {
            from: "disko",
            file,
            problem,
        } => {
            assert_eq!(file, "lib/default.nix");
            assert_eq!(
                *problem,
                Malformed::Open {
                    line: 20,
                    what: "string `\"`"
                }
            );
        }
        other => panic!("{other:?}"),
    }
}
