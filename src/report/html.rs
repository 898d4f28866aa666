//! The report as one self-contained HTML page: inline CSS and inline SVG charts, no script,
//! no external URL, readable at 1280 px.

use std::fmt::Write;

use super::svg::{chart, escape};
use super::{show_band, show_baseline, show_figure, Report, Section};
use crate::claims::{Assessment, NOT_MEASURED};
use crate::vmtest::effects;

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0; color: #111827; background: #f9fafb; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h2 { font-size: 22px; margin: 36px 0 12px; border-bottom: 2px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 8px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
th, td { border: 1px solid #e5e7eb; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; }
.verdict { display: inline-block; padding: 2px 8px; border-radius: 10px; font-weight: 600; font-size: 13px; white-space: nowrap; }
.holds { background: #dcfce7; color: #166534; }
.does-not-hold { background: #fee2e2; color: #991b1b; }
.no-effect { background: #fef3c7; color: #92400e; }
.not-measured { background: #e5e7eb; color: #374151; }
.claim { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 12px 16px; margin: 12px 0; display: grid; grid-template-columns: 1fr 600px; gap: 16px; align-items: start; }
.claim blockquote { margin: 0 0 6px; font-size: 17px; font-style: italic; }
.caveat { color: #92400e; font-size: 13px; }
.method { color: #6b7280; font-size: 12px; }
pre { background: #111827; color: #e5e7eb; padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: 13px; }
.muted { color: #6b7280; }
";

pub fn render(report: &Report) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>The guide's claims, measured</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    );
    let _ = writeln!(html, "<h1>The guide's claims, measured</h1>");
    let runs: Vec<String> = report
        .sections
        .iter()
        .map(|s| match s.accel.as_str() {
            "" => format!("<code>{}</code>", escape(&s.scenario)),
            accel => format!("<code>{}</code> ({})", escape(&s.scenario), escape(accel)),
        })
        .collect();
    let _ = writeln!(
        html,
        "<p class=\"muted\">Backend <code>{}</code>. Scenarios run: {}.</p>",
        escape(&report.backend),
        runs.join(", ")
    );
    verdict_table(&mut html, report);
    for section in &report.sections {
        render_section(&mut html, section);
    }
    let _ = writeln!(html, "<h2 id=\"not-measured\">Not measured</h2>\n<ul>");
    for (optimization, quote, reason) in NOT_MEASURED {
        let _ = writeln!(
            html,
            "<li>{}: “{}”: {}</li>",
            escape(optimization),
            escape(quote),
            escape(reason)
        );
    }
    let _ = writeln!(html, "</ul>\n</main>\n</body>\n</html>");
    html
}

fn badge(verdict: crate::claims::Verdict) -> String {
    format!(
        "<span class=\"verdict {}\">{}</span>",
        verdict.slug(),
        escape(&verdict.to_string())
    )
}

fn verdict_table(html: &mut String, report: &Report) {
    let _ = writeln!(
        html,
        "<h2 id=\"verdicts\">Verdicts</h2>\n<table>\n<tr><th>optimization</th><th>the guide says</th>\
         <th>measured</th><th>baseline</th><th>band</th><th>verdict</th></tr>"
    );
    let cell = |f: Option<&crate::figures::Figure>| f.map_or_else(|| "–".to_owned(), show_figure);
    for a in report.assessments() {
        let band = match (a.band, a.scenario.as_ref()) {
            (Some(band), Some(f)) => show_band(band, f.unit),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td><a href=\"#{}\">“{}”</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(a.claim.optimization.heading()),
            escape(a.id),
            escape(a.claim.quote),
            escape(&cell(a.scenario.as_ref())),
            escape(&show_baseline(a)),
            escape(&band),
            badge(a.verdict)
        );
    }
    for claim in &report.not_run {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>“{}”</td><td colspan=\"3\">no scenario that applies it has run</td><td>{}</td></tr>",
            escape(claim.optimization.heading()),
            escape(claim.quote),
            badge(crate::claims::Verdict::NotMeasured)
        );
    }
    let _ = writeln!(html, "</table>");
}

fn render_section(html: &mut String, section: &Section) {
    let name = escape(&section.scenario);
    let _ = writeln!(html, "<section id=\"scenario-{name}\">\n<h2>{name}</h2>");
    if let Some(note) = super::note(&section.scenario) {
        let _ = writeln!(html, "<p>{}</p>", escape(note));
    }
    for a in &section.assessments {
        claim_card(html, a);
    }
    if section.scenario != crate::scenario::BASELINE {
        let _ = writeln!(html, "<h3>What it changed compared with baseline</h3>");
        match &section.changes {
            Some(changes) => {
                let _ = writeln!(html, "<pre>{}</pre>", escape(&effects::render(changes)));
            }
            None => {
                let _ = writeln!(
                    html,
                    "<p class=\"muted\">Unknown: it or baseline has no report.json.</p>"
                );
            }
        }
        if !section.settings.is_empty() {
            let _ = writeln!(html, "<h3>What it did not change</h3>");
            let unchanged: Vec<_> = section.settings.iter().filter(|s| !s.changed()).collect();
            if unchanged.is_empty() {
                let _ = writeln!(html, "<p>Every setting it sets took effect.</p>");
            } else {
                let _ = writeln!(html, "<ul>");
                for s in unchanged {
                    let _ = writeln!(
                        html,
                        "<li><code>{}</code>: unchanged, already <code>{}</code> in baseline</li>",
                        escape(&s.option),
                        escape(&s.baseline)
                    );
                }
                let _ = writeln!(html, "</ul>");
            }
        }
    }
    let _ = writeln!(html, "</section>");
}

fn claim_card(html: &mut String, a: &Assessment) {
    let _ = writeln!(
        html,
        "<div class=\"claim\" id=\"{}\">\n<div>\n<blockquote>“{}”</blockquote>\n<p>{} {}.</p>",
        escape(a.id),
        escape(a.claim.quote),
        badge(a.verdict),
        code_spans(&escape(&a.why))
    );
    if let Some(caveat) = &a.caveat {
        let _ = writeln!(html, "<p class=\"caveat\">{}.</p>", escape(caveat));
    }
    if let Some(f) = a.scenario.as_ref().or(a.baseline.as_ref()) {
        let ids: Vec<&str> = std::iter::once(a.claim.figure)
            .chain(a.claim.also.iter().copied())
            .collect();
        let _ = writeln!(
            html,
            "<p class=\"method\">{} (figures: <code>{}</code>)</p>",
            escape(&f.method),
            escape(&ids.join(", "))
        );
    }
    let _ = writeln!(html, "</div>");
    match chart(a, &a.id.replace('.', "-")) {
        Some(svg) => {
            let _ = writeln!(html, "{svg}");
        }
        None => {
            let _ = writeln!(html, "<p class=\"muted\">No figure to chart.</p>");
        }
    }
    let _ = writeln!(html, "</div>");
}

/// `text` with each `…` pair as <code>…</code>: the judges write settings that way.
fn code_spans(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}
