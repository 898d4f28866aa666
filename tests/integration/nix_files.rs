//! Every `.nix` file of the project parses with real Nix, and the data files evaluate
//! without nixpkgs, as the Debian backend needs them to.

use std::process::Command;

use crate::support::project_root;

fn nix_files() -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(project_root())
        .into_iter()
        .filter_entry(|e| e.file_name() != "target" && e.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|ext| ext == "nix"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn every_nix_file_parses() {
    let files = nix_files();
    assert!(files.len() >= 7, "found only {files:?}");
    for file in files {
        let output = Command::new("nix-instantiate")
            .arg("--parse")
            .arg(&file)
            .output()
            .expect("nix-instantiate runs (tools/setup-debian.sh installs it)");
        assert!(
            output.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_machine_and_every_optimization_evaluate_as_plain_data() {
    let root = project_root();
    let mut files = vec![root.join("nix-tests/machine/disko.nix")];
    for entry in std::fs::read_dir(root.join("nix-tests/optimizations")).unwrap() {
        files.push(entry.unwrap().path());
    }
    for file in files {
        let value = nixos_tuning::nix::eval_json(&file)
            .unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        assert!(
            value.is_object(),
            "{} is not an attribute set",
            file.display()
        );
    }
}
