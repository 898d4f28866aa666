//! The report of every scenario that has run: each claim of the guide beside its measured
//! figure and verdict, and per optimization what it changed compared with baseline and what
//! it did not. Gathered from the runs of a backend (`runs`); rendered as Markdown and as a
//! self-contained HTML page with SVG charts. Output is deterministic: same runs, same bytes.

pub mod html;
pub mod markdown;
pub mod svg;

use std::path::{Path, PathBuf};

use crate::claims::{self, settings, Assessment, Evidence, Side};
use crate::facts::Facts;
use crate::figures::Figures;
use crate::optimization::Optimization;
use crate::runs::{self, Record};
use crate::scenario::{Setting, ALL, BASELINE};
use crate::vmtest::effects;

/// Why no report could be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no scenario has run: {dir} holds no report.json or figures.json; run `cargo xtask vmtest --all --measure` first")]
    NoRuns { dir: PathBuf },
    #[error("cannot read `{path}`: {message}; run its scenario again with `cargo xtask vmtest`")]
    Unreadable { path: PathBuf, message: String },
}

/// One scenario's latest run.
#[derive(Debug, Clone)]
pub struct Run {
    pub scenario: String,
    pub facts: Option<Facts>,
    pub figures: Option<Figures>,
    /// What the scenario's modules set, and the optimizations that applies.
    pub settings: Vec<Setting>,
    pub optimizations: Vec<Optimization>,
}

impl Run {
    fn side(&self) -> Side<'_> {
        Side {
            figures: self.figures.as_ref(),
            facts: self.facts.as_ref(),
        }
    }
}

/// A scenario as the report shows it.
#[derive(Debug, Clone)]
pub struct Section {
    pub scenario: String,
    /// `kvm`, `tcg`, or empty when the run has no figures.
    pub accel: String,
    pub assessments: Vec<Assessment>,
    /// Every fact that differs from baseline; `None` when either run has no facts.
    pub changes: Option<Vec<effects::Change>>,
    /// The optimization's settings against baseline; empty without facts.
    pub settings: Vec<settings::Compared>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub backend: String,
    /// Baseline first, then the other scenarios by name.
    pub sections: Vec<Section>,
    /// Claims no run was judged on: no scenario that applies their optimization has run.
    pub not_run: Vec<&'static claims::Claim>,
}

impl Report {
    /// Reads every run under `dir` (a backend's runs): each folder with a
    /// `report.json` or a `figures.json` is a scenario's latest run.
    pub fn gather(dir: &Path, backend: &str) -> Result<Report, ReportError> {
        let runs = read_runs(dir)?;
        if runs.is_empty() {
            return Err(ReportError::NoRuns {
                dir: dir.to_path_buf(),
            });
        }
        Ok(Report::from_runs(backend, runs))
    }

    /// The report of `runs`, in any order.
    pub fn from_runs(backend: &str, mut runs: Vec<Run>) -> Report {
        // Baseline first, the reference; `all` last, the sum of the others.
        let rank = |name: &str| match name {
            BASELINE => 0,
            ALL => 2,
            _ => 1,
        };
        runs.sort_by(|a, b| {
            (rank(&a.scenario), &a.scenario).cmp(&(rank(&b.scenario), &b.scenario))
        });
        let baseline = runs.iter().find(|r| r.scenario == BASELINE);
        let base_side = baseline.map(Run::side).unwrap_or_default();
        let sections: Vec<Section> = runs
            .iter()
            .map(|run| {
                let this = run.side();
                let evidence = Evidence {
                    scenario: &run.scenario,
                    baseline: base_side,
                    this,
                };
                let assessments = claims::check(&evidence, &run.optimizations);
                let pair = base_side.facts.zip(this.facts);
                Section {
                    scenario: run.scenario.clone(),
                    accel: run
                        .figures
                        .as_ref()
                        .map(|f| f.accel.clone())
                        .unwrap_or_default(),
                    assessments,
                    changes: pair.map(|(b, t)| effects::diff(b, t)),
                    settings: pair
                        .map(|(b, t)| {
                            run.settings
                                .iter()
                                .map(|s| settings::compare(s, b, t))
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect();
        let judged = |id: &str| {
            sections
                .iter()
                .any(|s| s.assessments.iter().any(|a| a.id == id))
        };
        let not_run = claims::CLAIMS.iter().filter(|c| !judged(c.id)).collect();
        Report {
            backend: backend.to_owned(),
            sections,
            not_run,
        }
    }

    /// Every assessment, in section order.
    pub fn assessments(&self) -> impl Iterator<Item = &Assessment> {
        self.sections.iter().flat_map(|s| s.assessments.iter())
    }
}

/// Every scenario's latest run in `dir`, in directory order.
pub fn read_runs(dir: &Path) -> Result<Vec<Run>, ReportError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut runs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(scenario) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        // Locks and the like are hidden; a run is a folder.
        if scenario.starts_with('.') || !path.is_dir() {
            continue;
        }
        let record = read_json::<Record>(&path.join(runs::REPORT))?;
        let figures = read_json::<Figures>(&path.join(runs::FIGURES))?;
        if record.is_none() && figures.is_none() {
            continue;
        }
        let (settings, optimizations) = record
            .as_ref()
            .map(|r| (r.settings.clone(), r.optimizations.clone()))
            .unwrap_or_default();
        runs.push(Run {
            scenario: scenario.to_owned(),
            facts: record.map(|r| r.facts),
            figures,
            settings,
            optimizations,
        });
    }
    Ok(runs)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, ReportError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(ReportError::Unreadable {
                path: path.to_path_buf(),
                message: err.to_string(),
            })
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|err| ReportError::Unreadable {
            path: path.to_path_buf(),
            message: err.to_string(),
        })
}

/// A figure's value as a reader wants it: bytes in MiB, percents with a sign.
pub fn show_value(unit: crate::figures::Unit, value: f64) -> String {
    use crate::figures::Unit;
    match unit {
        Unit::Bytes => format!("{:.1} MiB", value / f64::from(1 << 20)),
        Unit::Percent => format!("{value:.1}%"),
        Unit::Seconds => format!("{value:.2} s"),
        Unit::MibPerSecond => format!("{value:.1} MiB/s"),
        Unit::Ratio => format!("{value:.2}×"),
        Unit::Count => format!("{value:.0}"),
        Unit::Flag => (if value >= 0.5 { "yes" } else { "no" }).to_owned(),
    }
}

/// The baseline column of a claim: its figure, and what it is when not the claim's own
/// figure in baseline (`355.7 MiB (swap file)`).
pub fn show_baseline(assessment: &crate::claims::Assessment) -> String {
    let value = assessment
        .baseline
        .as_ref()
        .map_or_else(|| "–".to_owned(), show_figure);
    match assessment.claim.baseline_figure {
        Some((_, name)) => format!("{value} ({name})"),
        None => value,
    }
}

/// `median (min–max, n samples)`, or the value alone for a single sample. The samples are
/// every repetition of every run pooled in the figures (see [`crate::figures::Figures::runs`]).
pub fn show_figure(figure: &crate::figures::Figure) -> String {
    let median = show_value(figure.unit, figure.median());
    let samples = figure.samples.len();
    if figure.unit == crate::figures::Unit::Flag {
        let yes = figure.samples.iter().filter(|v| **v >= 0.5).count();
        return format!("yes in {yes} of {samples}");
    }
    if samples < 2 {
        return median;
    }
    if figure.min() == figure.max() {
        return format!("{median} ({samples} samples)");
    }
    format!(
        "{median} ({}–{}, {} samples)",
        show_value(figure.unit, figure.min()),
        show_value(figure.unit, figure.max()),
        figure.samples.len()
    )
}

/// The band as a reader wants it: `> 0.0%`, `≤ 161.0 MiB`, `yes` for a flag.
pub fn show_band(band: crate::claims::Band, unit: crate::figures::Unit) -> String {
    if unit == crate::figures::Unit::Flag {
        return "yes".to_owned();
    }
    band.describe(|v| show_value(unit, v))
}

/// What a scenario without claims of its own is for.
fn note(scenario: &str) -> Option<&'static str> {
    match scenario {
        BASELINE => Some("The guide's current machine: every other scenario is compared with it."),
        ALL => Some(
            "Every optimization at once; each claim is judged on its own optimization's scenario.",
        ),
        _ => None,
    }
}
