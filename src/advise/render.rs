//! The advice as text, with the figures measured in the VMs beside each optimization.

use std::fmt::Write;

use super::{Advice, Origin, Status};
use crate::report::{show_figure, Report};

/// `measured`: the report of the latest runs, or why there is none.
pub fn render(advice: &Advice, measured: Result<&Report, &str>) -> String {
    let mut text = String::new();
    let _ = match &advice.origin {
        Origin::Dir(dir) => writeln!(text, "Advice for the outputs captured in {}", dir.display()),
        Origin::Local => writeln!(text, "Advice for this machine"),
        Origin::Ssh(destination) => writeln!(text, "Advice for {destination} (over ssh)"),
    };
    let _ = writeln!(text, "(the guide's \"When to Apply Optimizations\" rules)");
    for item in &advice.items {
        let _ = writeln!(text, "\n{}: {}", item.optimization, item.recommendation);
        if !item.summary.is_empty() {
            let _ = writeln!(text, "  {}", item.summary);
        }
        for c in &item.conditions {
            let mark = match c.status {
                Status::Met => "yes",
                Status::NotMet => "no ",
                Status::Unknown => " ? ",
            };
            let _ = writeln!(text, "  [{mark}] {}: {}", c.rule, c.evidence);
        }
        if let Ok(report) = measured {
            let assessments: Vec<_> = report
                .assessments()
                .filter(|a| item.optimizations.contains(&a.claim.optimization))
                .collect();
            if assessments.is_empty() {
                let _ = writeln!(
                    text,
                    "  measured: no scenario that applies it has run \
                     (`cargo xtask vmtest --all --measure`)"
                );
            }
            for a in assessments {
                let figure = a
                    .scenario
                    .as_ref()
                    .map(|f| format!(" ({}: {})", f.label, show_figure(f)))
                    .unwrap_or_default();
                let _ = writeln!(
                    text,
                    "  measured: \"{}\": {}{figure}: {}",
                    a.claim.quote, a.verdict, a.why
                );
            }
        }
    }
    match measured {
        Ok(report) => {
            let _ = writeln!(
                text,
                "\nMeasured figures: the latest `{}` runs in the VMs.",
                report.backend
            );
        }
        Err(why) => {
            let _ = writeln!(text, "\nNo measured figures: {why}.");
        }
    }
    if !advice.unavailable.is_empty() {
        let _ = writeln!(text, "\nNot available:");
        for (name, why) in &advice.unavailable {
            let _ = writeln!(text, "  {name}: {why}");
        }
    }
    text
}
