//! The rows of a check: each setting of the scenario's modules, then each effect of its
//! snapshot that no setting accounts for, read on the server, in the tested scenario and in
//! baseline, and judged. What differs between machines by nature is read as what it means:
//! mounts by mount point (never by device), zram as a share of RAM with its algorithm and
//! priority (not its device name), `max-jobs` against each machine's CPUs, Nix lists as the
//! set Nix acts on, and the corpus the VM compressed as the extents compsize finds on the
//! server's `/` (only the VM has that corpus).

use std::path::Path;

use serde_json::Value;

use super::live::{Live, LiveFacts};
use super::{Group, Reference, Row, Source, Verdict};
use crate::claims::settings;
use crate::facts::{self, commands, Facts};
use crate::optimization::Optimization;
use crate::probe::compsize::Compsize;
use crate::scenario::{Lookup, Setting};
use crate::vm::qemu::GUEST;
use crate::vmtest::effects::{self, Change};

/// The group of what no optimization of the scenario accounts for.
const OTHER: &str = "Other settings and effects";

/// How the kernel names zram devices (`zram0`).
const ZRAM_DEVICE: &str = "zram"; // tidy: not a scenario (the zram device names)

/// The Nix setting whose value is the machine's number of CPUs when it is `auto`.
const MAX_JOBS: &str = "max-jobs";

/// The facts of one side of the comparison, with the CPUs `max-jobs = auto` means there.
#[derive(Clone, Copy)]
struct Side<'a> {
    facts: &'a Facts,
    cpus: Option<u64>,
}

/// A VM's side: the snapshots come from guests of the project's fixed size.
fn vm(facts: &Facts) -> Side<'_> {
    Side {
        facts,
        cpus: Some(u64::from(GUEST.cpus)),
    }
}

/// The server: its facts and why a probe gave nothing.
struct Server<'a> {
    facts: &'a LiveFacts,
    capture: &'a Live,
}

impl Server<'_> {
    fn side(&self) -> Side<'_> {
        Side {
            facts: &self.facts.facts,
            cpus: self.facts.cpus,
        }
    }

    /// Not checked, with why, when one of `commands` gave nothing on the server.
    fn missing(&self, commands: &[commands::Command]) -> Option<(Verdict, String)> {
        let command = commands
            .iter()
            .find(|c| !self.capture.outputs.contains_key(c.name))?;
        Some((
            Verdict::NotChecked,
            format!("{}: {}", command.name, self.capture.why(command)),
        ))
    }
}

/// A value as compared and as shown: `auto` is compared, `4 (auto: 4 CPUs)` shown.
#[derive(Debug, Clone, PartialEq)]
struct Reading {
    meaning: String,
    shown: String,
}

fn plain(text: String) -> Reading {
    Reading {
        meaning: text.clone(),
        shown: text,
    }
}

/// Every row, grouped by the guide's heading in the guide's order, the rest last.
pub(super) fn groups(reference: &Reference, facts: &LiveFacts, capture: &Live) -> Vec<Group> {
    let server = Server { facts, capture };
    let mut rows: Vec<(String, Row)> = reference
        .settings
        .iter()
        .map(|(s, file)| {
            let heading = setting_heading(s, file, reference);
            (heading, setting_row(s, reference, &server))
        })
        .collect();
    rows.extend(effect_rows(reference, &server));
    let mut headings: Vec<String> = Optimization::ALL
        .iter()
        .map(|o| o.heading().to_owned())
        .collect();
    headings.dedup();
    headings.push(OTHER.to_owned());
    headings
        .into_iter()
        .filter_map(|heading| {
            let rows: Vec<Row> = rows
                .iter()
                .filter(|(h, _)| *h == heading)
                .map(|(_, row)| row.clone())
                .collect();
            (!rows.is_empty()).then(|| Group {
                optimization: heading,
                verdict: verdict_of(&rows),
                rows,
            })
        })
        .collect()
}

/// The optimization of a setting; one the guide does not claim (`noatime`) goes with the
/// others of its module (one module per optimization), or the scenario's only one.
fn setting_heading(setting: &Setting, file: &Path, reference: &Reference) -> String {
    let of = |setting: &Setting| match setting.lookup {
        Lookup::ZramSwap => Some(Optimization::Zram),
        _ => Optimization::of(setting),
    };
    let of_its_module = || {
        reference
            .settings
            .iter()
            .filter(|(_, f)| f == file)
            .find_map(|(s, _)| of(s))
    };
    of(setting)
        .or_else(of_its_module)
        .or_else(|| only_optimization(reference))
        .map_or(OTHER.to_owned(), |o| o.heading().to_owned())
}

fn only_optimization(reference: &Reference) -> Option<Optimization> {
    let first = *reference.optimizations.first()?;
    reference
        .optimizations
        .iter()
        .all(|o| o.heading() == first.heading())
        .then_some(first)
}

fn setting_row(setting: &Setting, reference: &Reference, server: &Server) -> Row {
    let lookup = &setting.lookup;
    let tested = read(lookup, vm(&reference.tested));
    let baseline = read(lookup, vm(&reference.baseline));
    match unreadable(lookup, reference, server) {
        Some((verdict, why)) => Row {
            what: setting.option.clone(),
            source: Source::Setting,
            verdict,
            server: None,
            tested: Some(tested.shown),
            baseline: Some(baseline.shown),
            why: Some(why),
        },
        None => {
            let live = read(lookup, server.side());
            Row {
                what: setting.option.clone(),
                source: Source::Setting,
                verdict: judge_readings(&live, &tested, &baseline),
                server: Some(live.shown),
                tested: Some(tested.shown),
                baseline: Some(baseline.shown),
                why: None,
            }
        }
    }
}

fn judge_readings(live: &Reading, tested: &Reading, baseline: &Reading) -> Verdict {
    if live.meaning == tested.meaning {
        Verdict::Applied
    } else if live.meaning == baseline.meaning {
        Verdict::NotApplied
    } else {
        Verdict::Differs
    }
}

/// Why the server's facts cannot show a setting, if they cannot.
fn unreadable(
    lookup: &Lookup,
    reference: &Reference,
    server: &Server,
) -> Option<(Verdict, String)> {
    use commands as c;
    match lookup {
        Lookup::MountOption { mountpoint, .. } => {
            mount_unreadable(mountpoint, &reference.tested, &server.facts.facts)
        }
        Lookup::Nix { .. } | Lookup::NixSet { .. } => server.missing(&[c::NIX_CONFIG]),
        Lookup::Sysctl { key } if !reference.tested.sysctl.contains_key(key) => Some((
            Verdict::NotChecked,
            format!("the probes do not read {key}, in the VM either"),
        )),
        Lookup::Sysctl { .. } => server.missing(&[c::SYSCTL]),
        Lookup::ZramSwap => server.missing(&[c::SWAPON, c::ZRAMCTL]),
    }
}

/// Mount options compare only on a mount of the same file system type: devices differ
/// between machines, mount points do not.
fn mount_unreadable(mountpoint: &str, tested: &Facts, server: &Facts) -> Option<(Verdict, String)> {
    let Some(there) = server.mounts.get(mountpoint) else {
        return Some((
            Verdict::NotApplicable,
            format!("`{mountpoint}` is not a mount of its own on the server"),
        ));
    };
    let vm = tested.mounts.get(mountpoint)?;
    (vm.fs_type != there.fs_type).then(|| {
        (
            Verdict::NotApplicable,
            format!(
                "`{mountpoint}` is {} on the server and {} in the VM: its options do not compare",
                there.fs_type, vm.fs_type
            ),
        )
    })
}

/// A setting read in one side's facts.
fn read(lookup: &Lookup, side: Side) -> Reading {
    match lookup {
        Lookup::Nix { key } if key == MAX_JOBS => max_jobs(side),
        Lookup::ZramSwap => zram_swap(side.facts),
        other => plain(settings::read(other, side.facts)),
    }
}

/// `max-jobs = auto` is the machine's CPUs: a number equal to them means `auto`.
fn max_jobs(side: Side) -> Reading {
    let value = side
        .facts
        .nix
        .get(MAX_JOBS)
        .cloned()
        .unwrap_or_else(|| "(unset)".to_owned());
    match side.cpus {
        Some(cpus) if value == cpus.to_string() => Reading {
            meaning: "auto".to_owned(),
            shown: format!("{value} (auto: {cpus} CPUs)"),
        },
        Some(cpus) => Reading {
            shown: format!("{value} ({cpus} CPUs)"),
            meaning: value,
        },
        None => plain(value),
    }
}

/// Zram swap as what it is: its share of RAM, algorithm and priority; its device's name
/// (`zram0` or another) is shown, not compared.
fn zram_swap(facts: &Facts) -> Reading {
    let devices: Vec<(String, String)> = facts
        .swap
        .iter()
        .filter(|s| s.name.contains(ZRAM_DEVICE))
        .map(|s| {
            let algorithm = facts
                .zram
                .iter()
                .find(|z| z.name == s.name)
                .and_then(|z| z.algorithm.clone())
                .unwrap_or_else(|| "?".to_owned());
            let priority = s.priority.map_or("?".to_owned(), |p| p.to_string());
            let meaning = format!(
                "{} of RAM, {algorithm}, priority {priority}",
                s.fraction_of_ram
            );
            (s.name.clone(), meaning)
        })
        .collect();
    if devices.is_empty() {
        return plain("none".to_owned());
    }
    let mut meanings: Vec<&str> = devices.iter().map(|(_, m)| m.as_str()).collect();
    meanings.sort_unstable();
    let shown: Vec<String> = devices.iter().map(|(n, m)| format!("{n}: {m}")).collect();
    Reading {
        meaning: meanings.join("; "),
        shown: shown.join("; "),
    }
}

/// The effects of the snapshot that no setting of the scenario accounts for, with their
/// group's heading.
fn effect_rows(reference: &Reference, server: &Server) -> Vec<(String, Row)> {
    effects::diff(&reference.baseline, &reference.tested)
        .iter()
        .filter(|change| {
            let mut settings = reference.settings.iter();
            !settings.any(|(s, _)| covers(&s.lookup, &change.path))
        })
        .map(|change| {
            (
                effect_heading(change, reference),
                effect_row(change, server),
            )
        })
        .collect()
}

/// Whether a setting's row already judges the fact at `path`.
fn covers(lookup: &Lookup, path: &str) -> bool {
    match lookup {
        Lookup::MountOption { mountpoint, .. } => path == format!("mounts.{mountpoint}.options"),
        Lookup::Nix { key } | Lookup::NixSet { key } => path == format!("nix.{key}"),
        Lookup::Sysctl { key } => path == format!("sysctl.{key}"),
        Lookup::ZramSwap => path.starts_with("swap[") || path.starts_with("zram["),
    }
}

/// The optimization an effect belongs to: the scenario's only one, or the one whose facts it
/// is (compsize's, or zram swap's), when the scenario applies it.
fn effect_heading(change: &Change, reference: &Reference) -> String {
    let path = change.path.as_str();
    let family = if path.starts_with("compression.") {
        Some(Optimization::Compression)
    } else if path.starts_with("swap[")
        || path.starts_with("zram[")
        || path == "memory.swap_fraction_of_ram"
        || (path == "io.devices" && adds_only_zram(change))
    {
        Some(Optimization::Zram)
    } else {
        None
    };
    only_optimization(reference)
        .or(family.filter(|o| reference.optimizations.contains(o)))
        .map_or(OTHER.to_owned(), |o| o.heading().to_owned())
}

/// Whether a list's new items are all zram devices (`io.devices` gains `zram0`).
fn adds_only_zram(change: &Change) -> bool {
    let items = |value: &Option<Value>| {
        value
            .as_ref()
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (tested, baseline) = (items(&change.scenario), items(&change.baseline));
    let mut added = tested.iter().filter(|i| !baseline.contains(i)).peekable();
    let zram = |item: &Value| item.as_str().is_some_and(|d| d.starts_with(ZRAM_DEVICE));
    added.peek().is_some() && added.all(zram)
}

/// What the VM measures on the corpus it writes after boot, and what shows the same on a
/// server, whose data is older than any change: the extent types compsize finds on its `/`,
/// and whether any of them is compressed.
const ON_THE_ROOT: [(&str, RootRead); 2] = [
    ("compression.corpus_types", extent_types),
    ("compression.corpus_compressed", any_compressed),
];

/// How a fact of the corpus is read in `compsize -x /`.
type RootRead = fn(&Compsize) -> Value;

fn extent_types(compsize: &Compsize) -> Value {
    Value::from(facts::extent_types(compsize))
}

fn any_compressed(compsize: &Compsize) -> Value {
    let stored_as_is = ["none", "prealloc"];
    Value::from(
        compsize
            .types
            .keys()
            .any(|t| !stored_as_is.contains(&t.as_str())),
    )
}

fn on_the_root(path: &str) -> Option<RootRead> {
    ON_THE_ROOT
        .iter()
        .find(|(root_path, _)| *root_path == path)
        .map(|(_, read)| *read)
}

fn effect_row(change: &Change, server: &Server) -> Row {
    let shown = |value: Option<&Value>| Some(show(value));
    let note = on_the_root(&change.path).map(|_| {
        "the VM: compsize of a corpus written after boot; the server: compsize -x /".to_owned()
    });
    let (verdict, live, why) = match server_value(&change.path, server) {
        Ok(live) => {
            let verdict = judge(
                live.as_ref(),
                change.scenario.as_ref(),
                change.baseline.as_ref(),
            );
            (verdict, shown(live.as_ref()), note)
        }
        Err((verdict, why)) => (verdict, None, Some(why)),
    };
    Row {
        what: change.path.clone(),
        source: Source::Effect,
        verdict,
        server: live,
        tested: shown(change.scenario.as_ref()),
        baseline: shown(change.baseline.as_ref()),
        why,
    }
}

/// The server's value at an effect's path, or why there is none to compare.
fn server_value(path: &str, server: &Server) -> Result<Option<Value>, (Verdict, String)> {
    if let Some(read) = on_the_root(path) {
        return root_value(read, server);
    }
    let field = path.split(['.', '[']).next().unwrap_or_default();
    if let Some(missing) = server.missing(facts::commands_of(field)) {
        return Err(missing);
    }
    Ok(effects::value_at(&server.facts.facts, path))
}

/// The corpus's facts, read on the server's `/`: only on Btrfs, and only as root.
fn root_value(read: RootRead, server: &Server) -> Result<Option<Value>, (Verdict, String)> {
    let root = server
        .facts
        .facts
        .mounts
        .get("/")
        .map(|m| m.fs_type.as_str());
    if root != Some("btrfs") {
        return Err((
            Verdict::NotApplicable,
            format!(
                "`/` is {} on the server: Btrfs compression does not apply",
                root.unwrap_or("not mounted from a device")
            ),
        ));
    }
    let Some(compsize) = &server.facts.root else {
        return Err(server
            .missing(&[commands::COMPSIZE])
            .unwrap_or((Verdict::NotChecked, "compsize gave nothing".to_owned())));
    };
    Ok(Some(read(compsize)))
}

/// An effect judged: lists by what the scenario added and removed, values by equality.
fn judge(live: Option<&Value>, tested: Option<&Value>, baseline: Option<&Value>) -> Verdict {
    let list = |value: Option<&Value>| match value {
        None => Some(Vec::new()),
        Some(Value::Array(items)) => Some(items.clone()),
        Some(_) => None,
    };
    let is_list = |value: Option<&Value>| matches!(value, Some(Value::Array(_)));
    if is_list(tested) || is_list(baseline) {
        if let (Some(l), Some(t), Some(b)) = (list(live), list(tested), list(baseline)) {
            return judge_lists(&l, &t, &b);
        }
    }
    equal_to(&live, &tested, &baseline)
}

fn equal_to<T: PartialEq + ?Sized>(live: &T, tested: &T, baseline: &T) -> Verdict {
    if live == tested {
        Verdict::Applied
    } else if live == baseline {
        Verdict::NotApplied
    } else {
        Verdict::Differs
    }
}

/// Holds when the server has every item the scenario added and none it removed; a change of
/// order alone compares the whole list.
fn judge_lists(live: &[Value], tested: &[Value], baseline: &[Value]) -> Verdict {
    let added: Vec<&Value> = tested.iter().filter(|i| !baseline.contains(i)).collect();
    let removed: Vec<&Value> = baseline.iter().filter(|i| !tested.contains(i)).collect();
    if added.is_empty() && removed.is_empty() {
        return equal_to(live, tested, baseline);
    }
    let has = |item: &&Value| live.contains(item);
    if added.iter().all(has) && !removed.iter().any(has) {
        Verdict::Applied
    } else if !added.iter().any(has) && removed.iter().all(has) {
        Verdict::NotApplied
    } else {
        Verdict::Differs
    }
}

/// A fact's value in words: lists space-separated, as the effects snapshot shows them.
fn show(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(items)) if items.is_empty() => "(none)".to_owned(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| show(Some(item)))
            .collect::<Vec<_>>()
            .join(" "),
        Some(other) => other.to_string(),
    }
}

/// An optimization's verdict: its settings' when they were checked, else all of its rows'.
fn verdict_of(rows: &[Row]) -> Verdict {
    let settings: Vec<Verdict> = rows
        .iter()
        .filter(|r| r.source == Source::Setting)
        .map(|r| r.verdict)
        .collect();
    if settings.iter().any(|v| v.checked()) {
        return overall(&settings);
    }
    overall(&rows.iter().map(|r| r.verdict).collect::<Vec<_>>())
}

fn overall(verdicts: &[Verdict]) -> Verdict {
    let checked: Vec<Verdict> = verdicts.iter().copied().filter(|v| v.checked()).collect();
    let all = |verdict: Verdict, of: &[Verdict]| !of.is_empty() && of.iter().all(|v| *v == verdict);
    if checked.is_empty() {
        return match all(Verdict::NotApplicable, verdicts) {
            true => Verdict::NotApplicable,
            false => Verdict::NotChecked,
        };
    }
    if all(Verdict::Applied, &checked) {
        Verdict::Applied
    } else if all(Verdict::NotApplied, &checked) {
        Verdict::NotApplied
    } else {
        Verdict::Differs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_list_effect_holds_by_what_was_added_and_removed() {
        let baseline = [json!("vda")];
        let tested = [json!("vda"), json!("zram0")];
        // Another disk name does not matter; the added zram0 does.
        assert_eq!(
            judge_lists(&[json!("sda"), json!("zram0")], &tested, &baseline),
            Verdict::Applied
        );
        assert_eq!(
            judge_lists(&[json!("sda")], &tested, &baseline),
            Verdict::NotApplied
        );
        let swapped = [json!("zram0"), json!("vda")];
        assert_eq!(judge_lists(&swapped, &swapped, &tested), Verdict::Applied);
        assert_eq!(judge_lists(&tested, &swapped, &tested), Verdict::NotApplied);
    }

    #[test]
    fn values_are_judged_by_equality_and_absence_counts() {
        let (half, none) = (json!(0.5), json!(0.0));
        assert_eq!(
            judge(Some(&half), Some(&half), Some(&none)),
            Verdict::Applied
        );
        assert_eq!(
            judge(Some(&none), Some(&half), Some(&none)),
            Verdict::NotApplied
        );
        assert_eq!(
            judge(Some(&json!(0.75)), Some(&half), Some(&none)),
            Verdict::Differs
        );
        assert_eq!(judge(None, Some(&half), None), Verdict::NotApplied);
    }

    #[test]
    fn max_jobs_is_compared_against_each_machines_cpus() {
        let mut facts = Facts::default();
        facts.nix.insert(MAX_JOBS.to_owned(), "8".to_owned());
        let server = read(
            &Lookup::Nix {
                key: MAX_JOBS.to_owned(),
            },
            Side {
                facts: &facts,
                cpus: Some(8),
            },
        );
        assert_eq!(server.meaning, "auto");
        assert_eq!(server.shown, "8 (auto: 8 CPUs)");
        let vm_side = read(
            &Lookup::Nix {
                key: MAX_JOBS.to_owned(),
            },
            vm(&facts),
        );
        assert_eq!(vm_side.meaning, "8");
    }

    #[test]
    fn an_optimization_is_judged_by_its_settings_first() {
        let row = |source, verdict| Row {
            what: String::new(),
            source,
            verdict,
            server: None,
            tested: None,
            baseline: None,
            why: None,
        };
        let rows = [
            row(Source::Setting, Verdict::NotApplied),
            row(Source::Effect, Verdict::Applied),
        ];
        assert_eq!(verdict_of(&rows), Verdict::NotApplied);
        let unread = [
            row(Source::Setting, Verdict::NotApplicable),
            row(Source::Effect, Verdict::NotApplicable),
        ];
        assert_eq!(verdict_of(&unread), Verdict::NotApplicable);
        let mixed = [
            row(Source::Setting, Verdict::Applied),
            row(Source::Setting, Verdict::NotApplied),
            row(Source::Setting, Verdict::NotChecked),
        ];
        assert_eq!(verdict_of(&mixed), Verdict::Differs);
    }
}
