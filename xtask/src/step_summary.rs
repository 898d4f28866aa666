//! GitHub Actions' job summary: Markdown appended to the file `$GITHUB_STEP_SUMMARY` names,
//! when it names one. `report` and `check` write theirs here.

use std::io::Write;

use anyhow::Context;

/// Appends `markdown` to `$GITHUB_STEP_SUMMARY`; nothing when the variable is unset or empty.
pub fn append(markdown: &str) -> anyhow::Result<()> {
    let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&summary)
        .with_context(|| {
            format!(
                "cannot open GITHUB_STEP_SUMMARY `{}`",
                summary.to_string_lossy()
            )
        })?;
    file.write_all(markdown.as_bytes())
        .context("cannot append to GITHUB_STEP_SUMMARY")
}
