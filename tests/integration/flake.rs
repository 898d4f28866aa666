//! flake.nix pins NixOS 25.05, disko and Home Manager, every input follows the one nixpkgs,
//! and `flake.lock`, when present, locks exactly those inputs at the refs the URLs name.

use crate::support::{nix_eval_expr, project_root};

/// `inputs` of flake.nix, evaluated with real Nix.
pub fn inputs() -> serde_json::Value {
    nix_eval_expr("(import ./flake.nix).inputs")
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
    let names: Vec<String> = serde_json::from_value(nix_eval_expr(
        "map (s: s.name) (import ./nix-tests/scenarios.nix)",
    ))
    .unwrap();
    assert_eq!(
        names,
        nixos_tuning::scenario::names(project_root()).unwrap()
    );
}

#[test]
fn the_flake_outputs_a_machine_and_a_vm_per_scenario() {
    // flake.nix's `outputs` with stand-ins for its inputs: `nixosSystem` returns the module
    // list it was given, so the wiring is checked without nixpkgs.
    let expr = r#"
      let
        flake = import ./flake.nix;
        lib = {
          inherit (builtins) listToAttrs;
          nameValuePair = name: value: { inherit name value; };
          nixosSystem = args: {
            config.system.build.vmWithDisko = map toString args.modules;
            inherit (args) system;
          };
        };
        self = flake.outputs {
          inherit self;
          nixpkgs = { inherit lib; legacyPackages.x86_64-linux = { }; };
          disko.nixosModules.disko = "disko";
          home-manager.nixosModules.home-manager = "home-manager";
        };
      in {
        packages = self.packages.x86_64-linux;
        checks = builtins.attrNames self.checks.x86_64-linux;
        systems = builtins.mapAttrs (_: c: c.system) self.nixosConfigurations;
      }"#;
    let value = nix_eval_expr(expr);
    let names = nixos_tuning::scenario::names(project_root()).unwrap();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(value["checks"], serde_json::json!(sorted));
    let root = project_root().display().to_string();
    let base = [
        "disko".to_owned(),
        "home-manager".to_owned(),
        format!("{root}/nix-tests/machine/configuration.nix"),
        format!("{root}/nix-tests/nixos/vm.nix"),
    ];
    for name in &names {
        assert_eq!(value["systems"][name], "x86_64-linux");
        let modules: Vec<String> = serde_json::from_value(value["packages"][name].clone()).unwrap();
        assert_eq!(modules[..4], base, "{name}");
        let added: Vec<String> = modules[4..]
            .iter()
            .map(|m| {
                m.trim_start_matches(&format!("{root}/nix-tests/optimizations/"))
                    .to_owned()
            })
            .collect();
        let expected: Vec<String> = match name.as_str() {
            "baseline" => Vec::new(),
            "all" => names[1..names.len() - 1]
                .iter()
                .map(|n| format!("{n}.nix"))
                .collect(),
            single => vec![format!("{single}.nix")],
        };
        assert_eq!(added, expected, "{name}");
    }
}
