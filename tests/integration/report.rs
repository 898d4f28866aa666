//! The report from the recorded runs in `tests/fixtures/figures/`: its Markdown snapshotted,
//! every claim with a figure, a verdict and a chart, bad runs refused by name, and its HTML
//! opened in headless Chromium, screenshotted and checked to show every scenario.

use std::path::{Path, PathBuf};
use std::process::Command;

use nixos_tuning::claims::Verdict;
use nixos_tuning::report::{html, markdown, read_runs, svg, Report, ReportError};

use crate::support::{fixtures_dir, snapshot_settings};

fn runs_dir() -> PathBuf {
    fixtures_dir().join("figures/debian")
}

fn fixture_report() -> Report {
    Report::gather(&runs_dir(), "debian").unwrap()
}

fn scenarios() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(runs_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_markdown_report_of_the_recorded_runs() {
    let _guard = snapshot_settings("report").bind_to_scope();
    insta::assert_snapshot!("report.md", markdown::render(&fixture_report()));
}

#[test]
fn every_claim_has_a_measured_figure_a_verdict_and_a_chart() {
    let report = fixture_report();
    assert!(report.not_run.is_empty());
    let mut count = 0;
    for a in report.assessments() {
        count += 1;
        assert!(a.scenario.is_some(), "{} has no figure", a.id);
        assert_ne!(a.verdict, Verdict::NotMeasured, "{}: {}", a.id, a.why);
        let chart = svg::chart(a, a.id).unwrap_or_else(|| panic!("{} has no chart", a.id));
        assert!(chart.contains("<title"), "{} chart has no title", a.id);
    }
    assert_eq!(count, nixos_tuning::claims::CLAIMS.len());
}

#[test]
fn the_output_does_not_depend_on_the_order_runs_are_read_in() {
    let runs = read_runs(&runs_dir()).unwrap();
    let mut reversed = runs.clone();
    reversed.reverse();
    assert_ne!(
        runs.iter().map(|r| &r.scenario).collect::<Vec<_>>(),
        reversed.iter().map(|r| &r.scenario).collect::<Vec<_>>()
    );
    let (forward, backward) = (
        Report::from_runs("debian", runs),
        Report::from_runs("debian", reversed),
    );
    assert_eq!(html::render(&forward), html::render(&backward));
    assert_eq!(markdown::render(&forward), markdown::render(&backward));
}

#[test]
fn the_html_is_self_contained() {
    let page = html::render(&fixture_report());
    for forbidden in ["<script", "<link", "src=", "href=\"http", "url(", "@import"] {
        assert!(!page.contains(forbidden), "the page contains `{forbidden}`");
    }
    for scenario in scenarios() {
        assert!(
            page.contains(&format!("id=\"scenario-{scenario}\"")),
            "{scenario} missing"
        );
    }
}

#[test]
fn no_runs_says_what_to_run() {
    let empty = tempfile::tempdir().unwrap();
    let err = Report::gather(empty.path(), "debian").unwrap_err();
    assert!(matches!(err, ReportError::NoRuns { .. }));
    assert!(
        err.to_string()
            .contains("run `cargo xtask vmtest --all --measure` first"),
        "{err}"
    );
    let missing = Report::gather(&empty.path().join("nothing"), "debian").unwrap_err();
    assert!(matches!(missing, ReportError::NoRuns { .. }));
}

#[test]
fn a_broken_run_is_named_and_scratch_folders_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    copy_runs(dir.path());
    // `cargo xtask vm shell` leaves a folder with only a serial log.
    std::fs::create_dir(dir.path().join("shell")).unwrap();
    std::fs::write(dir.path().join("shell/serial.log"), "boot").unwrap();
    let report = Report::gather(dir.path(), "debian").unwrap();
    assert!(report.sections.iter().all(|s| s.scenario != "shell"));
    std::fs::write(dir.path().join("zram/figures.json"), "{ not json").unwrap();
    let err = Report::gather(dir.path(), "debian")
        .unwrap_err()
        .to_string();
    assert!(err.contains("zram/figures.json"), "{err}");
}

#[test]
fn the_html_report_renders_in_chromium_with_every_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, html::render(&fixture_report())).unwrap();
    let url = format!("file://{}", page.display());
    let png = dir.path().join("report.png");
    // A profile of its own: another Chromium (another checkout's test) must not hold ours.
    let profile = format!("--user-data-dir={}", dir.path().join("profile").display());
    chromium(&[&profile, &format!("--screenshot={}", png.display()), &url]);
    let dom = chromium(&[&profile, "--dump-dom", &url]);
    for scenario in scenarios() {
        assert!(
            dom.contains(&format!("id=\"scenario-{scenario}\"")),
            "the rendered page does not show {scenario}"
        );
    }
    assert!(dom.contains("<svg"), "the rendered page has no chart");
    let colours = distinct_colours(&png);
    // A blank or failed page has a handful of colours; the report's text, badges and
    // charts with anti-aliasing have thousands.
    assert!(
        colours > 200,
        "the screenshot has only {colours} colours: blank?"
    );
}

/// Runs headless Chromium with `args`; its stdout. Fails (never skips) when it is missing:
/// CI installs it with the rest.
fn chromium(args: &[&str]) -> String {
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1280,2000",
        ])
        .args(args)
        .output()
        .unwrap_or_else(|err| {
            panic!("cannot run chromium ({err}): install it with tools/setup-debian.sh")
        });
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn distinct_colours(png: &Path) -> usize {
    let file = std::fs::File::open(png)
        .unwrap_or_else(|err| panic!("no screenshot at {}: {err}", png.display()));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    assert!(
        info.width >= 1200 && info.height >= 1000,
        "{}×{}",
        info.width,
        info.height
    );
    let channels = info.color_type.samples();
    let pixels = &buffer[..info.buffer_size()];
    let colours: std::collections::HashSet<&[u8]> = pixels.chunks(channels).collect();
    colours.len()
}

fn copy_runs(to: &Path) {
    for scenario in scenarios() {
        let from = runs_dir().join(&scenario);
        std::fs::create_dir_all(to.join(&scenario)).unwrap();
        for file in ["report.json", "figures.json"] {
            std::fs::copy(from.join(file), to.join(&scenario).join(file)).unwrap();
        }
    }
}
