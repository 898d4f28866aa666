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
