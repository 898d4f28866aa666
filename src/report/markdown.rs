//! The report as Markdown: for a terminal, a pull request or `$GITHUB_STEP_SUMMARY`.

use std::fmt::Write;

use super::{show_band, show_baseline, show_figure, Report, Section};
use crate::claims::{Assessment, NOT_MEASURED};
use crate::vmtest::effects;

pub fn render(report: &Report) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# The guide's claims, measured\n");
    let runs: Vec<String> = report
        .sections
        .iter()
        .map(|s| match s.accel.as_str() {
            "" => format!("`{}`", s.scenario),
            accel => format!("`{}` ({accel})", s.scenario),
        })
        .collect();
    let _ = writeln!(
        md,
        "Backend `{}`. Scenarios run: {}.\n",
        report.backend,
        runs.join(", ")
    );
    let _ = writeln!(md, "## Verdicts\n");
    let _ = writeln!(
        md,
        "| optimization | the guide says | measured | baseline | band | verdict |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for a in report.assessments() {
        let _ = writeln!(
            md,
            "| {} | \"{}\" | {} | {} | {} | **{}** |",
            a.claim.optimization.heading(),
            a.claim.quote,
            figure_cell(a.scenario.as_ref()),
            show_baseline(a),
            band_cell(a),
            a.verdict
        );
    }
    for claim in &report.not_run {
        let _ = writeln!(
            md,
            "| {} | \"{}\" | no scenario that applies it has run | | | **not measured** |",
            claim.optimization.heading(),
            claim.quote
        );
    }
    for section in &report.sections {
        md.push('\n');
        render_section(&mut md, section);
    }
    let _ = writeln!(md, "\n## Not measured\n");
    for (optimization, quote, reason) in NOT_MEASURED {
        let _ = writeln!(md, "- {optimization}: \"{quote}\": {reason}");
    }
    md
}

fn figure_cell(figure: Option<&crate::figures::Figure>) -> String {
    figure.map_or_else(|| "–".to_owned(), show_figure)
}

fn band_cell(a: &Assessment) -> String {
    match (a.band, a.scenario.as_ref()) {
        (Some(band), Some(figure)) => show_band(band, figure.unit),
        _ => "–".to_owned(),
    }
}

fn render_section(md: &mut String, section: &Section) {
    let _ = writeln!(md, "## {}\n", section.scenario);
    if let Some(note) = super::note(&section.scenario) {
        let _ = writeln!(md, "{note}\n");
    }
    for a in &section.assessments {
        let _ = write!(md, "- \"{}\": **{}**: {}.", a.claim.quote, a.verdict, a.why);
        if let Some(caveat) = &a.caveat {
            let _ = write!(md, " _{caveat}._");
        }
        md.push('\n');
    }
    if !section.assessments.is_empty() {
        md.push('\n');
    }
    if section.scenario == crate::scenario::BASELINE {
        return;
    }
    match &section.changes {
        Some(changes) => {
            let _ = writeln!(md, "What it changed compared with baseline:\n");
            let _ = writeln!(md, "```text\n{}```\n", effects::render(changes));
        }
        None => {
            let _ = writeln!(
                md,
                "What it changed compared with baseline: unknown, it or baseline has no \
                 report.json.\n"
            );
        }
    }
    let unchanged: Vec<_> = section.settings.iter().filter(|s| !s.changed()).collect();
    if !section.settings.is_empty() {
        if unchanged.is_empty() {
            let _ = writeln!(
                md,
                "What it did not change: every setting it sets took effect."
            );
        } else {
            let _ = writeln!(md, "What it did not change:\n");
            for s in unchanged {
                let _ = writeln!(
                    md,
                    "- `{}`: unchanged, already `{}` in baseline",
                    s.option, s.baseline
                );
            }
        }
    }
}
