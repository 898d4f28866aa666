//! Every claim of the guide that a workload measures, with its judge. The quotes are the
//! guide's words, copied exactly from its "Benefits" lists and code comments.

use super::claim::{Claim, Evidence, Judgement, Side};
use super::derived;
use super::{Band, Verdict};
use crate::figures::id;
use crate::optimization::Optimization;
use crate::scenario::BASELINE;

pub const CLAIMS: &[Claim] = &[
    Claim {
        id: "compression.space",
        optimization: Optimization::Compression,
        quote: "20-30% space savings for source code",
        figure: id::CORPUS_SAVED_PERCENT,
        guide_range: Some((20.0, 30.0)),
        baseline_figure: None,
        also: &[id::CORPUS_BYTES, id::CORPUS_DISK_BYTES],
        asserted: true,
        judge: compression_space,
    },
    Claim {
        id: "compression.cpu",
        optimization: Optimization::Compression,
        quote: "Minimal CPU overhead with zstd:1",
        figure: id::CORPUS_WRITE_MIB_S,
        guide_range: None,
        baseline_figure: None,
        also: &[],
        asserted: false,
        judge: compression_cpu,
    },
    Claim {
        id: "compression.access",
        optimization: Optimization::Compression,
        quote: "Faster for frequently accessed files",
        figure: id::CORPUS_READ_MIB_S,
        guide_range: None,
        baseline_figure: None,
        also: &[],
        asserted: false,
        judge: compression_access,
    },
    Claim {
        id: "parallelism.builds",
        optimization: Optimization::Parallelism,
        quote: "Faster parallel builds",
        figure: id::BUILD_SPEEDUP,
        guide_range: None,
        baseline_figure: None,
        also: &[
            id::BUILD_JOBS,
            id::BUILD_SERIAL_SECONDS,
            id::BUILD_PARALLEL_SECONDS,
        ],
        asserted: false,
        judge: parallel_builds,
    },
    Claim {
        id: "zram.disk-io",
        optimization: Optimization::Zram,
        quote: "Reduces disk I/O for swap operations",
        figure: id::PRESSURE_DISK_WRITE_BYTES,
        guide_range: None,
        baseline_figure: Some((id::DISK_SWAP_DISK_WRITE_BYTES, "swap file")),
        also: &[id::PRESSURE_SWAP_USED_BYTES],
        asserted: true,
        judge: zram_disk_io,
    },
    Claim {
        id: "zram.constrained",
        optimization: Optimization::Zram,
        quote: "Useful when memory is constrained",
        figure: id::PRESSURE_COMPLETED,
        guide_range: None,
        baseline_figure: None,
        also: &[],
        asserted: true,
        judge: zram_constrained,
    },
    Claim {
        id: "zram.compressed",
        optimization: Optimization::Zram,
        quote: "Acts as compressed swap in RAM",
        figure: id::PRESSURE_ZRAM_RATIO,
        guide_range: None,
        baseline_figure: None,
        also: &[],
        asserted: false,
        judge: zram_compressed,
    },
    Claim {
        id: "binary-cache.faster",
        optimization: Optimization::BinaryCache,
        quote: "Significantly faster for common packages",
        figure: derived::SUBSTITUTERS,
        guide_range: None,
        baseline_figure: None,
        also: &[],
        asserted: false,
        judge: binary_cache,
    },
    Claim {
        id: "ssd.swappiness",
        optimization: Optimization::Swappiness,
        quote: "Reduce swap usage preference",
        figure: id::SWAPPINESS_PSWPOUT,
        guide_range: None,
        baseline_figure: None,
        also: &[id::SWAPPINESS],
        asserted: true,
        judge: swappiness,
    },
    Claim {
        id: "ssd.trim",
        optimization: Optimization::Discard,
        quote: "Better SSD longevity with async trim",
        figure: id::DISCARD_RELEASED_PERCENT,
        guide_range: None,
        baseline_figure: None,
        also: &[id::DISCARD_WRITTEN_BYTES],
        asserted: true,
        judge: discard_percent,
    },
    Claim {
        id: "ssd.write-amplification",
        optimization: Optimization::Discard,
        quote: "Reduced write amplification",
        figure: id::DISCARD_RELEASED_BYTES,
        guide_range: None,
        baseline_figure: None,
        also: &[id::DISCARD_WRITTEN_BYTES],
        asserted: true,
        judge: discard_bytes,
    },
];

/// The guide's benefits no workload measures, each with the reason.
pub const NOT_MEASURED: &[(&str, &str, &str)] = &[
    (
        "Btrfs Compression",
        "May reduce performance on already-compressed files",
        "a trade-off, not a benefit: the corpus is source code",
    ),
    (
        "Nix Build Parallelism",
        "Better CPU utilization",
        "shown only through the build speedup above",
    ),
    (
        "Binary Cache Configuration",
        "Downloads pre-built packages instead of building locally",
        "the VMs are offline: no download is made",
    ),
    (
        "Binary Cache Configuration",
        "Reduces CPU and disk usage",
        "the VMs are offline: no download is made",
    ),
    (
        "SSD-Specific Optimizations",
        "Lower latency for small files",
        "no small-file latency workload yet",
    ),
];

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / f64::from(1 << 20))
}

/// The judgement when a figure is missing, naming it and the run that lacks it.
fn missing(side: &str, figure: &str) -> Judgement {
    Judgement::new(
        Verdict::NotMeasured,
        format!("{side} has no figure `{figure}`"),
        None,
    )
}

fn need(side: &Side, name: &str, figure: &str) -> Result<f64, Judgement> {
    side.median(figure).ok_or_else(|| missing(name, figure))
}

/// Runs a judge written with `?` on missing figures.
fn judged(judge: impl FnOnce() -> Result<Judgement, Judgement>) -> Judgement {
    judge().unwrap_or_else(|missing| missing)
}

fn compression_space(e: &Evidence) -> Judgement {
    judged(|| {
        let saved = need(&e.this, e.scenario, id::CORPUS_SAVED_PERCENT)?;
        let place = if saved < 20.0 {
            "below"
        } else if saved <= 30.0 {
            "within"
        } else {
            "above"
        };
        let size = e
            .this
            .median(id::CORPUS_BYTES)
            .map(|b| format!(" of {}", mib(b)))
            .unwrap_or_default();
        let before = e
            .baseline
            .median(id::CORPUS_SAVED_PERCENT)
            .map(|b| format!("; baseline saves {b:.1}%"))
            .unwrap_or_default();
        Ok(Judgement::by_band(
            saved,
            Band::above(0.0),
            format!(
                "the source-code corpus{size} takes {saved:.1}% less disk{before}: \
                 {place} the guide's 20-30%"
            ),
        ))
    })
}

/// Ratio of the scenario's median to baseline's, with both figures.
fn versus(e: &Evidence, figure: &str) -> Result<(f64, f64), Judgement> {
    Ok((
        need(&e.this, e.scenario, figure)?,
        need(&e.baseline, BASELINE, figure)?,
    ))
}

fn compression_cpu(e: &Evidence) -> Judgement {
    // "Minimal": writing compressed keeps at least 80% of the uncompressed write speed.
    judged(|| {
        let (this, base) = versus(e, id::CORPUS_WRITE_MIB_S)?;
        Ok(Judgement::by_band(
            this,
            Band::above(0.8 * base),
            format!(
                "writing the corpus runs at {this:.1} MiB/s against baseline's {base:.1} MiB/s \
                 ({:.0}%); minimal overhead is taken as more than 80%",
                100.0 * this / base
            ),
        ))
    })
}

fn compression_access(e: &Evidence) -> Judgement {
    judged(|| {
        let (this, base) = versus(e, id::CORPUS_READ_MIB_S)?;
        Ok(Judgement::by_band(
            this,
            Band::above(base),
            format!(
                "reading the corpus with a cold cache runs at {this:.1} MiB/s against \
                 baseline's {base:.1} MiB/s"
            ),
        ))
    })
}

/// The Nix settings `keys` as both runs report them, when both have facts.
fn nix_settings(e: &Evidence, keys: &[&str]) -> Option<(Vec<String>, bool)> {
    let (base, this) = (e.baseline.facts?, e.this.facts?);
    let mut shown = Vec::new();
    let mut same = true;
    for key in keys {
        let (b, t) = (base.nix.get(*key), this.nix.get(*key));
        same &= b == t;
        shown.push(format!("{key} = {}", t.map_or("(unset)", String::as_str)));
    }
    Some((shown, same))
}

fn parallel_builds(e: &Evidence) -> Judgement {
    judged(|| {
        let speedup = need(&e.this, e.scenario, id::BUILD_SPEEDUP)?;
        let jobs = e
            .this
            .median(id::BUILD_JOBS)
            .map(|j| format!(" with {j:.0} jobs"))
            .unwrap_or_default();
        let band = Band::above(1.0);
        if let Some((settings, true)) = nix_settings(e, &["max-jobs", "cores"]) {
            let base = e
                .baseline
                .median(id::BUILD_SPEEDUP)
                .map(|b| format!(", baseline {b:.2}×"))
                .unwrap_or_default();
            return Ok(Judgement::new(
                Verdict::NoEffect,
                format!(
                    "{} in baseline too: the guide's settings are NixOS's defaults; the \
                     parallel build is {speedup:.2}× the serial one{jobs}{base}",
                    settings.join(", ")
                ),
                Some(band),
            ));
        }
        Ok(Judgement::by_band(
            speedup,
            band,
            format!("the parallel build is {speedup:.2}× faster than the serial one{jobs}"),
        ))
    })
}

fn zram_disk_io(e: &Evidence) -> Judgement {
    judged(|| {
        let written = need(&e.this, e.scenario, id::PRESSURE_DISK_WRITE_BYTES)?;
        let swapped = need(&e.this, e.scenario, id::PRESSURE_SWAP_USED_BYTES)?;
        // What zram replaces: the same workload swapping to a file on the disk.
        let on_disk = need(&e.baseline, BASELINE, id::DISK_SWAP_DISK_WRITE_BYTES)?;
        if swapped <= 0.0 {
            return Ok(Judgement::new(
                Verdict::DoesNotHold,
                "nothing was swapped: the memory pressure did not reach zram",
                None,
            ));
        }
        Ok(Judgement::by_band(
            written,
            Band::at_most(on_disk / 2.0),
            format!(
                "{} swapped to zram while the disk took {} of writes; the same workload on \
                 a swap file wrote {} to the disk",
                mib(swapped),
                mib(written),
                mib(on_disk)
            ),
        ))
    })
}

fn completed(side: &Side) -> Option<bool> {
    side.median(id::PRESSURE_COMPLETED).map(|v| v >= 0.5)
}

fn zram_constrained(e: &Evidence) -> Judgement {
    let band = Some(Band::above(0.5));
    match (completed(&e.this), completed(&e.baseline)) {
        (None, _) => missing(e.scenario, id::PRESSURE_COMPLETED),
        (Some(false), _) => Judgement::new(
            Verdict::DoesNotHold,
            "the workload needing more memory than the VM has did not complete with zram",
            band,
        ),
        (Some(true), Some(true)) => Judgement::new(
            Verdict::NoEffect,
            "the workload completed in baseline too: it did not need swap",
            band,
        ),
        (Some(true), Some(false)) => Judgement::new(
            Verdict::Holds,
            "the workload needing more memory than the VM has completed with zram; \
             baseline, without swap, was killed",
            band,
        ),
        (Some(true), None) => missing(BASELINE, id::PRESSURE_COMPLETED),
    }
}

fn zram_compressed(e: &Evidence) -> Judgement {
    judged(|| {
        let ratio = need(&e.this, e.scenario, id::PRESSURE_ZRAM_RATIO)?;
        Ok(Judgement::by_band(
            ratio,
            Band::above(1.0),
            format!(
                "zram held the swapped pages in {:.0}% of their size",
                100.0 / ratio
            ),
        ))
    })
}

fn binary_cache(e: &Evidence) -> Judgement {
    let (Some(base), Some(this)) = (e.baseline.facts, e.this.facts) else {
        return Judgement::new(
            Verdict::NotMeasured,
            "the substituters are read from both runs' facts, and one has none",
            None,
        );
    };
    let (before, after) = (derived::caches(base), derived::caches(this));
    if before == after {
        return Judgement::new(
            Verdict::NoEffect,
            format!(
                "Nix uses the same binary caches as baseline ({}): the guide's list is \
                 NixOS's default; downloads themselves are not exercised, the VMs are offline",
                after.join(", ")
            ),
            None,
        );
    }
    Judgement::new(
        Verdict::NotMeasured,
        format!(
            "Nix uses {} instead of baseline's {}; whether that is faster needs downloads, \
             which the offline VMs do not make",
            after.join(", "),
            before.join(", ")
        ),
        None,
    )
}

fn swappiness(e: &Evidence) -> Judgement {
    judged(|| {
        let (this, base) = versus(e, id::SWAPPINESS_PSWPOUT)?;
        let values = (
            e.this.median(id::SWAPPINESS),
            e.baseline.median(id::SWAPPINESS),
        );
        if let (Some(a), Some(b)) = values {
            if a == b {
                return Ok(Judgement::new(
                    Verdict::NoEffect,
                    format!("vm.swappiness is {a:.0} in baseline too"),
                    None,
                ));
            }
        }
        if base <= 0.0 {
            return Ok(Judgement::new(
                Verdict::NotMeasured,
                "baseline swapped nothing out under the pressure: there was no swapping to reduce",
                None,
            ));
        }
        let at = |v: Option<f64>| v.map_or(String::new(), |v| format!(" at swappiness {v:.0}"));
        Ok(Judgement::by_band(
            this,
            Band::at_most(base),
            format!(
                "{this:.0} pages swapped out{} against {base:.0}{} under the same pressure",
                at(values.0),
                at(values.1)
            ),
        ))
    })
}

fn has_root_option(side: &Side, option: &str) -> Option<bool> {
    let root = side.facts?.mounts.get("/")?;
    Some(root.options.iter().any(|o| o == option))
}

fn discard_percent(e: &Evidence) -> Judgement {
    discard(e, id::DISCARD_RELEASED_PERCENT, |v| format!("{v:.0}%"))
}

fn discard_bytes(e: &Evidence) -> Judgement {
    discard(e, id::DISCARD_RELEASED_BYTES, mib)
}

/// What the host got back of the data the guest wrote and deleted, against baseline.
fn discard(e: &Evidence, figure: &str, show: fn(f64) -> String) -> Judgement {
    judged(|| {
        let (this, base) = versus(e, figure)?;
        let both = (
            has_root_option(&e.baseline, "discard=async"),
            has_root_option(&e.this, "discard=async"),
        );
        if both == (Some(true), Some(true)) {
            return Ok(Judgement::new(
                Verdict::NoEffect,
                format!(
                    "`/` has discard=async in baseline already (Btrfs turns it on for a disk \
                     that supports discard); the host got back {} of the deleted data, \
                     baseline {}",
                    show(this),
                    show(base)
                ),
                None,
            ));
        }
        Ok(Judgement::by_band(
            this,
            Band::above(base),
            format!(
                "the host got back {} of the deleted data, baseline {}",
                show(this),
                show(base)
            ),
        ))
    })
}
