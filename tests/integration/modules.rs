//! The NixOS module evaluator of `nix-tests/lib/` (`eval.nix`), run by real `nix-instantiate`
//! on the modules of `tests/fixtures/modules/` (see its README.md): every valid case is
//! evaluated in one call and snapshotted in `snapshots/modules/` (the definitions, warnings,
//! skipped imports, and the merged config at the paths the case is about), every invalid one
//! must fail with NixOS's message naming the option and the files, and a property test checks
//! the priority and order rules against a model of nixpkgs' rules, all its cases in one call.

use std::ffi::OsStr;

use proptest::prelude::*;
use serde_json::Value;

use crate::support::{nix_eval, nix_eval_failure, project_root, snapshot_settings};

const FIXTURES: &str = "tests/fixtures/modules";
const MACHINE: &str = "nix-tests/machine/configuration.nix";
const OPTIMIZATIONS: [&str; 5] = [
    "nix-tests/optimizations/binary-cache.nix",
    "nix-tests/optimizations/compression.nix",
    "nix-tests/optimizations/parallelism.nix",
    "nix-tests/optimizations/ssd.nix",
    "nix-tests/optimizations/zram.nix",
];

/// One evaluation: its modules (relative to the project root) and the config paths its
/// snapshot shows besides those of its definitions.
struct Case {
    name: &'static str,
    modules: &'static [&'static str],
    show: &'static [&'static [&'static str]],
}

macro_rules! fixture {
    ($file:literal) => {
        concat!("tests/fixtures/modules/", $file)
    };
}

const NIX_SETTINGS: &[&str] = &["nix", "settings"];
const ZRAM: &[&str] = &["zramSwap"];
const SYSCTL: &[&str] = &["boot", "kernel", "sysctl"];

/// Every valid fixture is in at least one case; the machine joins where the fixture is an
/// addition to it, as a scenario's module is.
const CASES: &[Case] = &[
    Case {
        name: "machine-baseline",
        modules: &[MACHINE],
        show: &[
            NIX_SETTINGS,
            ZRAM,
            SYSCTL,
            &["fileSystems"],
            &["services", "openssh", "settings"],
            &["security", "sudo", "extraRules"],
            &["users", "users", "admin"],
            &["services", "zram-generator"],
        ],
    },
    Case {
        name: "machine-all-optimizations",
        modules: &[
            MACHINE,
            OPTIMIZATIONS[0],
            OPTIMIZATIONS[1],
            OPTIMIZATIONS[2],
            OPTIMIZATIONS[3],
            OPTIMIZATIONS[4],
        ],
        show: &[
            NIX_SETTINGS,
            ZRAM,
            SYSCTL,
            &["fileSystems"],
            &["services", "zram-generator"],
        ],
    },
    Case {
        name: "priorities-default-over-option-default",
        modules: &[
            fixture!("priorities/option-default.nix"),
            fixture!("priorities/default.nix"),
        ],
        show: &[],
    },
    Case {
        name: "priorities-plain-over-default",
        modules: &[
            fixture!("priorities/option-default.nix"),
            fixture!("priorities/default.nix"),
            fixture!("priorities/plain.nix"),
        ],
        show: &[],
    },
    Case {
        name: "priorities-force-over-plain",
        modules: &[
            fixture!("priorities/force.nix"),
            fixture!("priorities/plain.nix"),
            fixture!("priorities/default.nix"),
        ],
        show: &[],
    },
    Case {
        name: "priorities-vm-override-over-force",
        modules: &[
            fixture!("priorities/plain.nix"),
            fixture!("priorities/force.nix"),
            fixture!("priorities/vm-override.nix"),
        ],
        show: &[],
    },
    Case {
        name: "mkif-on-config-with-zram",
        modules: &[fixture!("guide-zram.nix"), fixture!("mkif-config.nix")],
        show: &[ZRAM, SYSCTL, &["services", "zram-generator"]],
    },
    Case {
        name: "mkif-on-config-without-zram",
        modules: &[fixture!("mkif-config.nix")],
        show: &[ZRAM, &["tuning"]],
    },
    Case {
        name: "mkif-false",
        modules: &[MACHINE, fixture!("mkif-false.nix")],
        show: &[
            &["services", "nginx"],
            SYSCTL,
            &["environment", "systemPackages"],
        ],
    },
    Case {
        name: "mkmerge",
        modules: &[MACHINE, fixture!("mkmerge.nix")],
        show: &[&["services", "openssh", "ports"]],
    },
    Case {
        name: "order-before-after",
        modules: &[
            fixture!("order-before-after.nix"),
            fixture!("guide-binary-cache.nix"),
        ],
        show: &[],
    },
    Case {
        name: "imports-chain",
        modules: &[fixture!("imports/a.nix")],
        show: &[&["tuning"]],
    },
    Case {
        name: "boot-server",
        modules: &[MACHINE, fixture!("boot/server.nix")],
        show: &[ZRAM, &["services", "zram-generator"]],
    },
    Case {
        name: "disabled-modules",
        modules: &[fixture!("disabled-modules.nix")],
        show: &[&["tuning"], ZRAM],
    },
    Case {
        name: "file-and-key",
        modules: &[fixture!("file-and-key.nix")],
        show: &[],
    },
    Case {
        name: "own-option",
        modules: &[
            fixture!("own-option.nix"),
            fixture!("own-option-enable.nix"),
        ],
        show: &[&["services", "tuning"], ZRAM],
    },
    Case {
        name: "own-option-disabled",
        modules: &[fixture!("own-option.nix")],
        show: &[&["services", "tuning"], ZRAM],
    },
    Case {
        name: "with-lib-let",
        modules: &[fixture!("with-lib-let.nix")],
        show: &[],
    },
    Case {
        name: "with-pkgs",
        modules: &[fixture!("with-pkgs.nix")],
        show: &[],
    },
    Case {
        name: "renamed-nix-options",
        modules: &[fixture!("renamed.nix")],
        show: &[NIX_SETTINGS],
    },
    Case {
        name: "alias-module",
        modules: &[fixture!("alias-module.nix")],
        show: &[&["tuning"]],
    },
    Case {
        name: "guide-five-optimizations",
        modules: &[
            MACHINE,
            fixture!("guide-compression.nix"),
            fixture!("guide-parallelism.nix"),
            fixture!("guide-zram.nix"),
            fixture!("guide-binary-cache.nix"),
            fixture!("guide-ssd.nix"),
        ],
        show: &[NIX_SETTINGS, ZRAM, SYSCTL, &["fileSystems"]],
    },
    Case {
        name: "guide-ssd-without-zram",
        modules: &[MACHINE, fixture!("guide-ssd.nix")],
        show: &[SYSCTL],
    },
    Case {
        name: "disko-vps-sda",
        modules: &[fixture!("disko-vps-sda.nix")],
        show: &[],
    },
    Case {
        name: "disko-nvme",
        modules: &[fixture!("disko-nvme.nix")],
        show: &[],
    },
    Case {
        name: "disko-ext4",
        modules: &[fixture!("disko-ext4.nix")],
        show: &[],
    },
    Case {
        name: "disko-luks",
        modules: &[fixture!("disko-luks.nix")],
        show: &[],
    },
    Case {
        name: "swap-devices",
        modules: &[fixture!("swap-devices.nix")],
        show: &[&["swapDevices"]],
    },
    Case {
        name: "openssh-users-sudo",
        modules: &[fixture!("openssh-users-sudo.nix")],
        show: &[
            &["services", "openssh", "settings"],
            &["users", "users", "deploy"],
            &["users", "groups", "deploy"],
            &["security", "sudo", "extraRules"],
            &["networking", "firewall"],
        ],
    },
    Case {
        name: "unrealized-options",
        modules: &[MACHINE, fixture!("unrealized.nix")],
        show: &[&["networking", "firewall"]],
    },
    Case {
        name: "freeform-properties",
        modules: &[
            MACHINE,
            fixture!("freeform-properties.nix"),
            fixture!("guide-zram.nix"),
        ],
        show: &[
            &["disko", "devices", "disk", "main", "content", "partitions"],
            &["home-manager", "users", "admin"],
        ],
    },
    Case {
        name: "types",
        modules: &[fixture!("types-declare.nix"), fixture!("types-define.nix")],
        show: &[&["tuning", "types"]],
    },
    Case {
        name: "submodule-name",
        modules: &[fixture!("submodule-name.nix")],
        show: &[&["tuning", "volumes"]],
    },
    Case {
        name: "sysctl",
        modules: &[fixture!("sysctl-a.nix"), fixture!("sysctl-b.nix")],
        show: &[SYSCTL],
    },
    Case {
        name: "lib-functions",
        modules: &[fixture!("lib-functions.nix")],
        show: &[],
    },
    Case {
        name: "nixpkgs-imports",
        modules: &[fixture!("nixos-imports.nix")],
        show: &[],
    },
];

/// One Nix expression evaluating every case: `{ <name> = <eval.nix result>; ... }`.
fn cases_expression() -> String {
    let mut expr = String::from(
        "let eval = modules: import ./nix-tests/lib/eval.nix { inherit modules; }; in {\n",
    );
    for case in CASES {
        let paths: Vec<String> = case.modules.iter().map(|m| format!("./{m}")).collect();
        expr.push_str(&format!(
            "  \"{}\" = eval [ {} ];\n",
            case.name,
            paths.join(" ")
        ));
    }
    expr + "}"
}

#[test]
fn every_valid_fixture_evaluates_as_its_snapshot_says() {
    let results = nix_eval(&["--expr".as_ref(), cases_expression().as_ref()]);
    let _guard = snapshot_settings("modules").bind_to_scope();
    for case in CASES {
        insta::assert_snapshot!(case.name, render_case(case, &results[case.name]));
    }
    every_fixture_is_evaluated(&results);
}

/// Each valid fixture is a case's module or defines something in one (the imported ones).
fn every_fixture_is_evaluated(results: &Value) {
    let mut seen: Vec<String> = CASES
        .iter()
        .flat_map(|case| case.modules.iter().map(|m| (*m).to_owned()))
        .collect();
    for result in results.as_object().unwrap().values() {
        seen.extend(
            result["definitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|def| short_file(&def["file"])),
        );
    }
    for entry in walkdir::WalkDir::new(project_root().join(FIXTURES))
        .into_iter()
        .filter_map(Result::ok)
    {
        let relative = entry
            .path()
            .strip_prefix(project_root())
            .unwrap()
            .display()
            .to_string();
        let is_module = relative.ends_with(".nix") && !relative.contains("/invalid/");
        assert!(
            !is_module || seen.contains(&relative),
            "{relative} is evaluated by no case of tests/integration/modules.rs"
        );
    }
}

// --- The snapshot text ------------------------------------------------------------------

/// The definitions, warnings and skipped imports of a result, then the merged config at
/// the path of every definition shown and at the case's own paths.
fn render_case(case: &Case, result: &Value) -> String {
    let (mut text, mut paths) = definitions_section(case, result);
    text.push_str(&list_section("warnings", &result["warnings"], |w| {
        w.as_str().unwrap().to_owned()
    }));
    text.push_str(&list_section("skipped", &result["skipped"], |s| {
        format!(
            "{} (from {}): {}",
            s["import"].as_str().unwrap(),
            short_file(&s["file"]),
            s["reason"].as_str().unwrap()
        )
    }));
    paths.extend(
        case.show
            .iter()
            .map(|path| path.iter().map(|p| (*p).to_owned()).collect()),
    );
    let text = text + "\nconfig:\n" + &config_section(&result["config"], &paths);
    // Warnings and path values name files absolutely: shown relative, as any checkout has them.
    text.replace(&format!("{}/", project_root().display()), "")
}

/// One line per definition, with its file and priority. Where the machine is only the
/// base of a fixture, its own definitions are left out (machine-baseline shows them).
fn definitions_section(case: &Case, result: &Value) -> (String, Vec<Vec<String>>) {
    let mut text = format!("modules: {}\n\ndefinitions:\n", case.modules.join(" "));
    let mut paths: Vec<Vec<String>> = Vec::new();
    let mut hidden = 0;
    for def in result["definitions"].as_array().unwrap() {
        let file = short_file(&def["file"]);
        if !case.name.starts_with("machine") && file.starts_with("nix-tests/machine/") {
            hidden += 1;
            continue;
        }
        let path = strings(&def["path"]);
        let value = nix_value(&def["value"]);
        text.push_str(&format!(
            "  {} = {value}  # {file} ({})\n",
            show_option(&path),
            def["priority"]
        ));
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    if hidden > 0 {
        text.push_str(&format!(
            "  ({hidden} definitions of nix-tests/machine/ not shown: see machine-baseline)\n"
        ));
    }
    (text, paths)
}

/// The config below each path, one line per leaf, each leaf once.
fn config_section(config: &Value, paths: &[Vec<String>]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for path in paths {
        match lookup(config, path) {
            Some(value) => leaves(path, value, &mut lines),
            None => lines.push(format!("  {} is absent", show_option(path))),
        }
    }
    let mut text = String::new();
    for (n, line) in lines.iter().enumerate() {
        if !lines[..n].contains(line) {
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

/// One line per leaf below `path`, so a snapshot diff shows the one value that changed.
fn leaves(path: &[String], value: &Value, lines: &mut Vec<String>) {
    match value {
        Value::Object(map) if !map.is_empty() && !is_package(value) => {
            for (key, inner) in map {
                leaves(&[path, std::slice::from_ref(key)].concat(), inner, lines);
            }
        }
        _ => lines.push(format!("  {} = {}", show_option(path), nix_value(value))),
    }
}

fn is_package(value: &Value) -> bool {
    value.get("_type").and_then(Value::as_str) == Some("package")
}

fn list_section(title: &str, items: &Value, line: impl Fn(&Value) -> String) -> String {
    let items = items.as_array().unwrap();
    let mut text = format!(
        "\n{title}:{}\n",
        if items.is_empty() { " none" } else { "" }
    );
    for item in items {
        text.push_str(&format!("  - {}\n", line(item)));
    }
    text
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|part| part.as_str().unwrap().to_owned())
        .collect()
}

/// A file relative to the project root, so snapshots do not depend on the checkout.
fn short_file(file: &Value) -> String {
    let file = file.as_str().unwrap();
    let root = format!("{}/", project_root().display());
    file.strip_prefix(&root).unwrap_or(file).to_owned()
}

fn lookup<'a>(config: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(config, |value, part| value.get(part))
}

/// `boot.kernel.sysctl."vm.swappiness"`, as NixOS shows an option.
fn show_option(path: &[String]) -> String {
    path.iter()
        .map(|part| nix_name(part))
        .collect::<Vec<_>>()
        .join(".")
}

fn nix_name(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_'-".contains(c));
    if plain {
        name.to_owned()
    } else {
        Value::from(name).to_string()
    }
}

/// A value as Nix source on one line; packages as `pkgs.<name>`.
fn nix_value(value: &Value) -> String {
    match value {
        Value::Array(items) if items.is_empty() => "[ ]".into(),
        Value::Array(items) => format!(
            "[ {} ]",
            items.iter().map(nix_value).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(map) if is_package(value) => {
            format!("pkgs.{}", map["name"].as_str().unwrap())
        }
        Value::Object(map) if map.is_empty() => "{ }".into(),
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{} = {};", nix_name(k), nix_value(v)))
                .collect();
            format!("{{ {} }}", fields.join(" "))
        }
        other => other.to_string(),
    }
}

// --- Invalid modules --------------------------------------------------------------------

/// `eval.nix` on fixtures of `invalid/`: Nix's error text.
fn failure(files: &[&str], extra: &[&str]) -> String {
    let paths: Vec<String> = files.iter().map(|f| absolute(f)).collect();
    let modules = format!("[ {} ]", paths.join(" "));
    let mut args: Vec<&OsStr> = extra.iter().map(OsStr::new).collect();
    args.extend(["nix-tests/lib/eval.nix", "--arg", "modules"].map(OsStr::new));
    args.push(modules.as_ref());
    nix_eval_failure(&args)
}

fn absolute(file: &str) -> String {
    project_root()
        .join(FIXTURES)
        .join("invalid")
        .join(file)
        .display()
        .to_string()
}

fn assert_says(error: &str, expected: &[&str]) {
    for part in expected {
        assert!(error.contains(part), "expected {part:?} in:\n{error}");
    }
}

#[test]
fn a_wrongly_typed_value_names_the_option_its_type_and_the_file() {
    let file = absolute("zram-fifty.nix");
    assert_says(&failure(&["zram-fifty.nix"], &[]), &[
        "A definition for option `zramSwap.memoryPercent' is not of type `signed integer'. Definition values:",
        &format!("- In `{file}': \"fifty\""),
    ]);
}

#[test]
fn a_missing_import_names_the_missing_file_and_the_importer() {
    let error = failure(&["missing-import.nix"], &[]);
    assert_says(
        &error,
        &[
            &format!(
                "getting status of '{}': No such file or directory",
                absolute("no-such-module.nix")
            ),
            &format!("(imported by `{}')", absolute("missing-import.nix")),
        ],
    );
}

#[test]
fn infinite_recursion_fails_and_the_trace_names_the_option_and_the_file() {
    assert_says(
        &failure(&["infinite-recursion.nix"], &[]),
        &["infinite recursion encountered"],
    );
    assert_says(
        &failure(&["infinite-recursion.nix"], &["--show-trace"]),
        &[
            "while evaluating the option `networking.hostName'",
            &format!(
                "while evaluating definitions from `{}'",
                absolute("infinite-recursion.nix")
            ),
        ],
    );
}

#[test]
fn different_scalars_in_two_files_conflict_with_both_named() {
    assert_says(&failure(&["conflict-a.nix", "conflict-b.nix"], &[]), &[
        "The option `zramSwap.memoryPercent' has conflicting definition values:",
        &format!("- In `{}': 25", absolute("conflict-b.nix")),
        &format!("- In `{}': 50", absolute("conflict-a.nix")),
        "Use `lib.mkForce value` or `lib.mkDefault value` to change the priority on any of these definitions.",
    ]);
}

#[test]
fn a_sysctl_defined_twice_fails_even_with_equal_values() {
    assert_says(&failure(&["sysctl-twice-a.nix", "sysctl-twice-b.nix"], &[]), &[
        "The option `boot.kernel.sysctl.\"vm.swappiness\"' is defined multiple times while it's expected to be unique.",
        &format!("- In `{}': 10", absolute("sysctl-twice-a.nix")),
        &format!("- In `{}': 10", absolute("sysctl-twice-b.nix")),
    ]);
}

#[test]
fn an_unknown_lib_function_is_named_with_its_position() {
    let file = absolute("unknown-lib.nix");
    assert_says(
        &failure(&["unknown-lib.nix"], &[]),
        &["attribute 'mkEnableSwap' missing", &format!("{file}:4:21")],
    );
}

#[test]
fn a_syntax_error_gives_nix_s_file_line_and_column() {
    let file = absolute("syntax-error.nix.broken");
    assert_says(
        &failure(&["syntax-error.nix.broken"], &[]),
        &["syntax error", &format!("{file}:5:26")],
    );
}

#[test]
fn a_removed_option_fails_its_assertion_with_nixos_s_words() {
    assert_says(&failure(&["removed-option.nix"], &[]), &[
        "Failed assertions:",
        &format!("- The option definition `zramSwap.numDevices' in `{}' no longer has any effect; please remove it.", absolute("removed-option.nix")),
        "Using ZRAM devices as general purpose ephemeral block devices is no longer supported",
    ]);
}

// --- Priorities and order, against a model of nixpkgs' rules ----------------------------

/// One module's definitions of the scalar option `s` (an int) and the list option `l`
/// (a list of ints, default `[ 100 ]`): each with an mkOverride priority (None: plain),
/// the list also with an mkOrder (None: none).
#[derive(Debug, Clone)]
struct Module {
    scalar: Option<(Option<u32>, i64)>,
    list: Option<(Option<u32>, Option<u32>, Vec<i64>)>,
}

fn priority() -> impl Strategy<Value = Option<u32>> {
    prop::sample::select(vec![
        None,
        Some(10),
        Some(50),
        Some(100),
        Some(1000),
        Some(1500),
    ])
}

fn order() -> impl Strategy<Value = Option<u32>> {
    prop::sample::select(vec![None, Some(500), Some(1000), Some(1500), Some(700)])
}

fn module() -> impl Strategy<Value = Module> {
    let scalar = prop::option::of((priority(), 0..3i64));
    let list = prop::option::of((priority(), order(), prop::collection::vec(0..10i64, 0..3)));
    (scalar, list).prop_map(|(scalar, list)| Module { scalar, list })
}

fn with_priority(priority: Option<u32>, value: String) -> String {
    match priority {
        Some(p) => format!("(lib.mkOverride {p} {value})"),
        None => value,
    }
}

fn module_nix(module: &Module) -> String {
    let mut text = String::from("{ ");
    if let Some((p, v)) = module.scalar {
        text.push_str(&format!("s = {}; ", with_priority(p, v.to_string())));
    }
    if let Some((p, o, items)) = &module.list {
        let list = format!(
            "[ {} ]",
            items
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        );
        let ordered = match o {
            Some(o) => format!("(lib.mkOrder {o} {list})"),
            None => list,
        };
        text.push_str(&format!("l = {}; ", with_priority(*p, ordered)));
    }
    text + "}"
}

/// All cases in one expression: a list of `{ s; l; }`, each a tryEval of the merged value.
fn priorities_expression(cases: &[Vec<Module>]) -> String {
    let mut expr = String::from(
        "let lib = import ./nix-tests/lib/lib.nix;
  decl = { options.s = lib.mkOption { type = lib.types.int; };
           options.l = lib.mkOption { type = lib.types.listOf lib.types.int; default = [ 100 ]; }; };
  check = v: builtins.tryEval (builtins.deepSeq v v);
  run = modules: let c = (lib.evalModules { modules = [ decl ] ++ modules; }).config; in { s = check c.s; l = check c.l; };
in [\n",
    );
    for case in cases {
        let modules: Vec<String> = case.iter().map(module_nix).collect();
        expr.push_str(&format!("  (run [ {} ])\n", modules.join(" ")));
    }
    expr + "]"
}

/// nixpkgs' rules: definitions come in reverse module order (evalModules merges the
/// collected modules reversed) after the option's default (priority 1500); the lowest
/// priority number wins; equal scalars agree and different ones conflict (None: an error);
/// lists are sorted by mkOrder (1000 when none), stably, and concatenated.
fn expected_scalar(case: &[Module]) -> Option<i64> {
    let defs: Vec<(u32, i64)> = case
        .iter()
        .rev()
        .filter_map(|m| m.scalar)
        .map(|(p, v)| (p.unwrap_or(100), v))
        .collect();
    let best = defs.iter().map(|d| d.0).min()?;
    let winners: Vec<i64> = defs.iter().filter(|d| d.0 == best).map(|d| d.1).collect();
    winners
        .iter()
        .all(|v| *v == winners[0])
        .then_some(winners[0])
}

fn expected_list(case: &[Module]) -> Vec<i64> {
    let mut defs: Vec<(u32, u32, Vec<i64>)> = vec![(1500, 1000, vec![100])];
    for (p, o, items) in case.iter().rev().filter_map(|m| m.list.clone()) {
        defs.push((p.unwrap_or(100), o.unwrap_or(1000), items));
    }
    let best = defs.iter().map(|d| d.0).min().unwrap();
    let mut winners: Vec<(u32, Vec<i64>)> = defs
        .into_iter()
        .filter(|d| d.0 == best)
        .map(|d| (d.1, d.2))
        .collect();
    winners.sort_by_key(|d| d.0);
    winners.into_iter().flat_map(|d| d.1).collect()
}

fn tried(value: &Value) -> Option<&Value> {
    value["success"].as_bool().unwrap().then(|| &value["value"])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn priorities_and_order_pick_what_nixpkgs_rules_pick(
        cases in prop::collection::vec(prop::collection::vec(module(), 1..6), 300)
    ) {
        let results = nix_eval(&["--expr".as_ref(), priorities_expression(&cases).as_ref()]);
        for (case, result) in cases.iter().zip(results.as_array().unwrap()) {
            let scalar = tried(&result["s"]).map(|v| v.as_i64().unwrap());
            prop_assert_eq!(scalar, expected_scalar(case), "s of {:?}", case);
            let list: Vec<i64> = tried(&result["l"]).unwrap().as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
            prop_assert_eq!(list, expected_list(case), "l of {:?}", case);
        }
    }
}
