//! Bar charts in SVG, drawn by hand: a claim's figure in baseline and in the scenario, each
//! bar its median with a min–max whisker, the claim's band shaded and the guide's own range
//! outlined. Accessible (`role="img"`, `<title>`, `<desc>`) and deterministic.

use std::fmt::Write;

use super::show_value;
use crate::claims::{Assessment, Band};
use crate::figures::{Figure, Unit};

const WIDTH: f64 = 600.0;
const LEFT: f64 = 130.0;
const RIGHT: f64 = 560.0;
const ROW: f64 = 40.0;
const TOP: f64 = 12.0;

/// The chart of `assessment`, or `None` when neither run has its figure.
pub fn chart(assessment: &Assessment, id: &str) -> Option<String> {
    let mut bars: Vec<(&str, &Figure, &str)> = Vec::new();
    if let Some(f) = &assessment.baseline {
        let name = assessment
            .claim
            .baseline_figure
            .map_or(crate::scenario::BASELINE, |(_, name)| name);
        bars.push((name, f, "#8a8f98"));
    }
    if let Some(f) = &assessment.scenario {
        bars.push((&assessment.judged_on, f, "#2563eb"));
    }
    let unit = bars.first()?.1.unit;
    let label = bars.last()?.1.label.clone();
    // Bytes are drawn in MiB, so the axis steps are round MiB.
    let scale = move |v: f64| {
        if unit == Unit::Bytes {
            v / f64::from(1 << 20)
        } else {
            v
        }
    };
    let mut top = bars
        .iter()
        .map(|(_, f, _)| scale(f.max()))
        .chain(
            assessment
                .band
                .iter()
                .flat_map(|b| b.above.into_iter().chain(b.at_most))
                .map(scale),
        )
        .chain(assessment.claim.guide_range.map(|(_, hi)| hi))
        .fold(0.0_f64, f64::max);
    if unit == Unit::Flag || top <= 0.0 {
        top = top.max(1.0);
    }
    // A flag has two values: its axis is no and yes, nothing between.
    let (step, domain) = if unit == Unit::Flag {
        (1.0, 1.0)
    } else {
        let step = nice_step(top / 4.0);
        (step, (top * 1.08 / step).ceil() * step)
    };
    let x = |v: f64| LEFT + (scale(v).clamp(0.0, domain) / domain) * (RIGHT - LEFT);
    let plot_bottom = TOP + ROW * bars.len() as f64;
    let height = plot_bottom + 48.0;
    let title = format!("{}: {}", assessment.claim.quote, label);
    let desc = bars
        .iter()
        .map(|(name, f, _)| format!("{name} {}", super::show_figure(f)))
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="{id}-title {id}-desc">"#
    );
    let _ = write!(
        svg,
        r#"<title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(&title),
        escape(&desc)
    );
    if let Some(band) = assessment.band {
        band_rect(&mut svg, band, &x, plot_bottom);
    }
    if let Some((lo, hi)) = assessment.claim.guide_range {
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="none" stroke="#7c3aed" stroke-width="1.5" stroke-dasharray="5 3"><title>the guide's range</title></rect><text x="{:.1}" y="{:.1}" font-size="11" fill="#7c3aed" text-anchor="middle">guide</text>"##,
            x(lo),
            x(hi) - x(lo),
            plot_bottom - TOP,
            (x(lo) + x(hi)) / 2.0,
            TOP + 10.0
        );
    }
    for (row, (name, figure, colour)) in bars.iter().enumerate() {
        let y = TOP + ROW * row as f64 + 8.0;
        let (median, lo, hi) = (figure.median(), figure.min(), figure.max());
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="end" fill="#1f2937">{}</text>"##,
            LEFT - 8.0,
            y + 16.0,
            escape(name)
        );
        let _ = write!(
            svg,
            r#"<rect x="{LEFT}" y="{y:.1}" width="{:.1}" height="22" fill="{colour}"><title>{} median {}</title></rect>"#,
            (x(median) - LEFT).max(1.0),
            escape(name),
            escape(&show_value(figure.unit, median))
        );
        let mid = y + 11.0;
        let _ = write!(
            svg,
            r##"<path d="M{a:.1} {mid:.1}H{b:.1}M{a:.1} {t:.1}V{u:.1}M{b:.1} {t:.1}V{u:.1}" stroke="#111827" stroke-width="1.5" fill="none"><title>min {} – max {}</title></path>"##,
            escape(&show_value(figure.unit, lo)),
            escape(&show_value(figure.unit, hi)),
            a = x(lo),
            b = x(hi),
            t = mid - 6.0,
            u = mid + 6.0
        );
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#111827">{}</text>"##,
            (x(hi).max(x(median)) + 6.0).min(WIDTH - 40.0),
            y + 15.0,
            escape(&show_value(figure.unit, median))
        );
    }
    let drawn = |v: f64| LEFT + (v.clamp(0.0, domain) / domain) * (RIGHT - LEFT);
    axis(&mut svg, &drawn, domain, step, unit, plot_bottom);
    let _ = write!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#374151">{}</text></svg>"##,
        (LEFT + RIGHT) / 2.0,
        plot_bottom + 40.0,
        escape(&format!("{label} ({})", unit_name(unit)))
    );
    Some(svg)
}

fn band_rect(svg: &mut String, band: Band, x: &dyn Fn(f64) -> f64, bottom: f64) {
    let (lo, hi) = (
        band.above.unwrap_or(0.0),
        band.at_most.unwrap_or(f64::INFINITY),
    );
    let _ = write!(
        svg,
        r##"<rect x="{:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="#16a34a" fill-opacity="0.14"><title>the claim holds in this band</title></rect><text x="{:.1}" y="{:.1}" font-size="11" fill="#15803d" text-anchor="end">claim holds</text>"##,
        x(lo),
        (x(hi) - x(lo)).max(0.0),
        bottom - TOP,
        x(hi) - 4.0,
        bottom - 4.0
    );
}

fn axis(svg: &mut String, x: &dyn Fn(f64) -> f64, domain: f64, step: f64, unit: Unit, y: f64) {
    let _ = write!(
        svg,
        r##"<path d="M{LEFT} {y:.1}H{RIGHT}" stroke="#6b7280" stroke-width="1"/>"##
    );
    let ticks = (domain / step).round() as usize;
    for i in 0..=ticks {
        let value = step * i as f64;
        let tx = x(value);
        let _ = write!(
            svg,
            r##"<path d="M{tx:.1} {y:.1}v5" stroke="#6b7280"/><text x="{tx:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#4b5563">{}</text>"##,
            y + 17.0,
            escape(&tick_label(unit, value))
        );
    }
}

fn tick_label(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Flag => (if value >= 0.5 { "yes" } else { "no" }).to_owned(),
        _ => {
            let text = format!("{value:.2}");
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
    }
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Bytes => "MiB",
        Unit::Percent => "%",
        Unit::Seconds => "s",
        Unit::MibPerSecond => "MiB/s",
        Unit::Ratio => "×",
        Unit::Count => "count",
        Unit::Flag => "yes or no",
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(13.0), 20.0);
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(4.0e6), 5.0e6);
        assert_eq!(nice_step(0.0), 1.0);
    }
}
