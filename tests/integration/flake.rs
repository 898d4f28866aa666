//! flake.nix pins NixOS 25.05, disko and Home Manager, every input follows the one nixpkgs,
//! and `flake.lock`, when present, locks exactly those inputs at the refs the URLs name.

use crate::support::project_root;

/// `inputs` of flake.nix, evaluated with real Nix.
pub fn inputs() -> serde_json::Value {
    let output = std::process::Command::new("nix-instantiate")
        .args([
            "--eval",
            "--strict",
            "--json",
            "--expr",
            "(import ./flake.nix).inputs",
        ])
        .current_dir(project_root())
        .env(
            "NIX_STATE_DIR",
            std::env::temp_dir().join("nixos-tuning-nix-state"),
        )
        .output()
        .expect("nix-instantiate runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `owner/repo/ref` of a `github:` URL.
fn github(url: &str) -> (String, String, String) {
    let parts: Vec<&str> = url.trim_start_matches("github:").split('/').collect();
    assert_eq!(parts.len(), 3, "{url} names no ref");
    (parts[0].into(), parts[1].into(), parts[2].into())
}

#[test]
fn the_inputs_are_nixos_25_05_and_follow_its_nixpkgs() {
    let inputs = inputs();
    let names: Vec<&String> = inputs.as_object().unwrap().keys().collect();
    assert_eq!(names, ["disko", "home-manager", "nixpkgs"]);
    assert_eq!(
        github(inputs["nixpkgs"]["url"].as_str().unwrap()).2,
        "nixos-25.05"
    );
    assert_eq!(
        github(inputs["home-manager"]["url"].as_str().unwrap()).2,
        "release-25.05"
    );
    for name in ["disko", "home-manager"] {
        assert_eq!(
            inputs[name]["inputs"]["nixpkgs"]["follows"], "nixpkgs",
            "{name} must build against the flake's nixpkgs"
        );
    }
}

#[test]
fn a_lock_pins_every_input_at_the_ref_of_its_url() {
    let path = project_root().join("flake.lock");
    let Ok(text) = std::fs::read_to_string(&path) else {
        // Not made here (no network to GitHub): `nix flake lock` writes it (README).
        return;
    };
    let lock: serde_json::Value = serde_json::from_str(&text).unwrap();
    let inputs = inputs();
    let root = lock["root"].as_str().unwrap();
    for (name, input) in inputs.as_object().unwrap() {
        let node_name = lock["nodes"][root]["inputs"][name]
            .as_str()
            .unwrap_or_else(|| panic!("flake.lock does not lock `{name}`"));
        let node = &lock["nodes"][node_name];
        let (owner, repo, reference) = github(input["url"].as_str().unwrap());
        assert_eq!(node["original"]["owner"], owner.as_str(), "{name}");
        assert_eq!(node["original"]["repo"], repo.as_str(), "{name}");
        assert_eq!(node["original"]["ref"], reference.as_str(), "{name}");
        assert_eq!(node["locked"]["type"], "github", "{name}");
        assert_eq!(
            node["locked"]["rev"].as_str().map(str::len),
            Some(40),
            "{name}"
        );
        assert!(
            node["locked"]["narHash"]
                .as_str()
                .is_some_and(|h| h.starts_with("sha256-")),
            "{name}"
        );
    }
}

#[test]
fn the_flake_takes_its_scenarios_from_the_shared_list() {
    let flake = std::fs::read_to_string(project_root().join("flake.nix")).unwrap();
    assert!(flake.contains("import ./nix-tests/scenarios.nix"));
    let output = std::process::Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json", "--expr"])
        .arg("map (s: s.name) (import ./nix-tests/scenarios.nix)")
        .current_dir(project_root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let names: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        names,
        nixos_tuning::scenario::names(project_root()).unwrap()
    );
}
