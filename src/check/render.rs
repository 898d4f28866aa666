//! A check as people read it: an aligned table for a terminal, and Markdown for a CI job's
//! summary (`GITHUB_STEP_SUMMARY`). Both end with what failed, what was not run and why, and
//! the guide's "When to Apply" rules on the same facts. JSON is the [`Report`] serialized.

use std::fmt::Write;

use super::{Report, Row};
use crate::scenario::BASELINE;

const HEADER: [&str; 5] = [
    "optimization / check",
    "verdict",
    "server",
    "tested",
    BASELINE,
];

/// Longer values are cut in the table (the JSON and the Markdown keep them whole).
const CELL: usize = 48;

/// The check as a table, one section per optimization; why a row was not read, or how its
/// values compare, is a numbered note below it, each text once.
pub fn table(report: &Report) -> String {
    let notes = notes(report);
    let mut lines: Vec<[String; 5]> = vec![HEADER.map(str::to_owned)];
    for group in &report.groups {
        let mut line = [group.optimization.clone(), group.verdict.to_string()].to_vec();
        line.resize(HEADER.len(), String::new());
        lines.push(line.try_into().unwrap_or_default());
        lines.extend(group.rows.iter().map(|row| cells(row, &notes)));
    }
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = title(report);
    text.push('\n');
    for line in &lines {
        let padded: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(text, "{}", padded.join("  ").trim_end());
    }
    if !notes.is_empty() {
        text.push('\n');
    }
    for (number, note) in notes.iter().enumerate() {
        let _ = writeln!(text, "[{}] {note}", number + 1);
    }
    text.push_str(&ending(report, "  "));
    text
}

/// Every row's `why`, once each, in order.
fn notes(report: &Report) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for why in report.rows().filter_map(|r| r.why.as_ref()) {
        if !notes.contains(why) {
            notes.push(why.clone());
        }
    }
    notes
}

/// A row's cells; one that was not read has its note in the server's cell.
fn cells(row: &Row, notes: &[String]) -> [String; 5] {
    let note = row
        .why
        .as_ref()
        .and_then(|why| notes.iter().position(|n| n == why))
        .map(|index| format!("[{}]", index + 1));
    let value = |value: &Option<String>| value.as_deref().map_or("-".to_owned(), cut);
    let server = match (&row.server, note) {
        (Some(server), Some(note)) => format!("{} {note}", cut(server)),
        (Some(server), None) => cut(server),
        (None, Some(note)) => note,
        (None, None) => "-".to_owned(),
    };
    [
        format!("  {}", row.what),
        row.verdict.to_string(),
        server,
        value(&row.tested),
        value(&row.baseline),
    ]
}

fn cut(value: &str) -> String {
    match value.chars().count() > CELL {
        true => value.chars().take(CELL - 1).chain(['…']).collect(),
        false => value.to_owned(),
    }
}

fn title(report: &Report) -> String {
    format!(
        "Check of {} against scenario `{}` (the VM's facts: {})\n",
        report.destination,
        report.scenario,
        report.reference.join(", ")
    )
}

/// The verdict in one sentence, what was not run, and the guide's rules.
fn ending(report: &Report, indent: &str) -> String {
    let mut text = String::new();
    let failing: Vec<&str> = report
        .rows()
        .filter(|r| r.verdict.fails())
        .map(|r| r.what.as_str())
        .collect();
    let unread = report.rows().filter(|r| !r.verdict.checked()).count();
    let _ = match (failing.is_empty(), report.groups.is_empty()) {
        (true, true) => writeln!(text, "\nThe scenario sets nothing to check."),
        (true, false) => writeln!(
            text,
            "\nEvery effect of the scenario holds on the server{}.",
            match unread {
                0 => String::new(),
                n => format!(" ({n} could not be read there: see the notes)"),
            }
        ),
        (false, _) => writeln!(
            text,
            "\n{} of the scenario's effects do not hold on the server: {}.",
            failing.len(),
            failing.join(", ")
        ),
    };
    if !report.not_run.is_empty() {
        let _ = writeln!(text, "\nProbes without output on the server:");
        for (name, why) in &report.not_run {
            let _ = writeln!(text, "{indent}{name}: {why}");
        }
    }
    if !report.advice.is_empty() {
        let _ = writeln!(
            text,
            "\nThe guide's \"When to Apply\" rules on the same facts:"
        );
        for advice in &report.advice {
            let summary = match advice.summary.is_empty() {
                true => String::new(),
                false => format!(": {}", advice.summary),
            };
            let _ = writeln!(
                text,
                "{indent}{}: {}{summary}",
                advice.optimization, advice.recommendation
            );
        }
    }
    text
}

/// The check as Markdown: a table per optimization.
pub fn markdown(report: &Report) -> String {
    let mut text = format!("## {}", title(report).replace('\n', ""));
    text.push('\n');
    for group in &report.groups {
        let _ = writeln!(text, "\n### {}: {}\n", group.optimization, group.verdict);
        let _ = writeln!(
            text,
            "| check | verdict | server | tested | baseline | why |"
        );
        let _ = writeln!(text, "|---|---|---|---|---|---|");
        for row in &group.rows {
            let cell = |value: &Option<String>| escape(value.as_deref().unwrap_or("-"));
            let _ = writeln!(
                text,
                "| `{}` | {} | {} | {} | {} | {} |",
                row.what,
                row.verdict,
                cell(&row.server),
                cell(&row.tested),
                cell(&row.baseline),
                cell(&row.why)
            );
        }
    }
    text.push_str(&ending(report, "- "));
    text
}

fn escape(cell: &str) -> String {
    cell.replace('|', "\\|")
}
