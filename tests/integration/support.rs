//! Shared test helpers: where fixtures and snapshots live.

use std::path::{Path, PathBuf};

pub fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    project_root().join("tests/fixtures")
}

/// insta settings that put snapshots under the top-level `snapshots/<area>/`.
pub fn snapshot_settings(area: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(project_root().join("snapshots").join(area));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// `nix-instantiate --eval --strict --json` with `args`, run from the project root.
fn nix_instantiate(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json"])
        .args(args)
        .current_dir(project_root())
        // Debian's Nix keeps its state under /nix/var unless told: keep tests out of it.
        .env(
            "NIX_STATE_DIR",
            std::env::temp_dir().join("nixos-tuning-nix-state"),
        )
        .output()
        .expect("nix-instantiate runs (tools/setup-debian.sh installs it)")
}

/// [`nix_instantiate`]'s value, or a failed test quoting Nix's error.
pub fn nix_eval(args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let output = nix_instantiate(args);
    assert!(
        output.status.success(),
        "nix-instantiate {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("nix-instantiate --json prints JSON")
}

/// [`nix_eval`] of one expression.
pub fn nix_eval_expr(expr: &str) -> serde_json::Value {
    nix_eval(&["--expr".as_ref(), expr.as_ref()])
}

/// [`nix_instantiate`] with `args` that must fail: Nix's error text (stderr), or a failed
/// test quoting the value it printed instead.
pub fn nix_eval_failure(args: &[&std::ffi::OsStr]) -> String {
    let output = nix_instantiate(args);
    assert!(
        !output.status.success(),
        "nix-instantiate {args:?} succeeded: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}
