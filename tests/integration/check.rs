//! `check` without a server: the reference read back from the committed snapshots, and the
//! comparison on outputs recorded on real machines (`tests/fixtures/advise/`: a root on ext4
//! without Nix, a tuned Btrfs server with zram on other devices than the VM's).

use std::collections::BTreeMap;

use nixos_tuning::check::{self, Group, Live, Reference, Verdict};
use nixos_tuning::facts::commands;
use nixos_tuning::scenario;

use crate::support::{fixtures_dir, project_root, snapshot_settings};

/// Each recorded capture (advise's file names) as the live probe whose output it is.
const RECORDED: [(&str, &str); 8] = [
    ("free", "free-bytes"),
    ("mount", "mount"),
    ("df", "df"),
    ("swapon", "swapon"),
    ("zramctl", "zramctl"),
    ("nix-config", "nix-config"),
    ("compsize", "compsize"),
    ("nproc", "nproc"),
];

/// A server's outputs from a folder of recorded captures; the other probes did not run.
fn recorded(case: &str) -> Live {
    let dir = fixtures_dir().join("advise").join(case);
    let mut live = Live {
        destination: case.to_owned(),
        outputs: BTreeMap::new(),
        not_run: BTreeMap::new(),
    };
    for (file, probe) in RECORDED {
        if let Ok(text) = std::fs::read_to_string(dir.join(format!("{file}.txt"))) {
            live.outputs.insert(probe.to_owned(), text);
        }
    }
    for command in commands::live() {
        if !live.outputs.contains_key(command.name) {
            live.not_run
                .insert(command.name.to_owned(), "not recorded".to_owned());
        }
    }
    live
}

fn reference(name: &str) -> Reference {
    let loaded = scenario::load_named(project_root(), name).unwrap();
    Reference::load(project_root(), &loaded).unwrap()
}

fn group<'a>(report: &'a check::Report, heading: &str) -> &'a Group {
    report
        .groups
        .iter()
        .find(|g| g.optimization == heading)
        .unwrap_or_else(|| panic!("no group {heading}: {report:#?}"))
}

#[test]
fn every_snapshot_reads_back_as_the_facts_it_was_written_from() {
    // What the check compares with is what insta wrote: serialized again, byte for byte the
    // committed snapshot; and each scenario's effects snapshot is its two snapshots' difference
    // (`Reference::load` refuses snapshots that disagree).
    for name in scenario::names(project_root()).unwrap() {
        let reference = reference(&name);
        let _guard = snapshot_settings(reference.backend.name()).bind_to_scope();
        insta::assert_yaml_snapshot!(name.as_str(), reference.tested);
    }
}

#[test]
fn a_root_that_is_not_btrfs_makes_compression_not_applicable() {
    let report = check::compare(&reference("compression"), &recorded("ext4-no-nix")).unwrap();
    let compression = group(&report, "Btrfs Compression");
    assert_eq!(
        compression.verdict,
        Verdict::NotApplicable,
        "{compression:#?}"
    );
    for row in &compression.rows {
        assert_eq!(row.verdict, Verdict::NotApplicable, "{row:#?}");
    }
    let root = compression
        .rows
        .iter()
        .find(|r| r.what == "compress=zstd:1 on /")
        .unwrap();
    assert_eq!(
        root.why.as_deref(),
        Some("`/` is ext4 on the server and btrfs in the VM: its options do not compare")
    );
    // Nothing the server could have was found missing: the check does not fail on it.
    assert!(report.holds);
}

#[test]
fn devices_that_differ_from_the_vms_do_not_count() {
    // /dev/loop7 holds the subvolumes here, /dev/vda2 in the VM; compsize sees zstd on `/`.
    let live = recorded("tuned-btrfs-zram");
    let report = check::compare(&reference("compression"), &live).unwrap();
    assert!(report.holds, "{}", check::render::table(&report));
    let rows: Vec<(&str, Verdict)> = report
        .rows()
        .map(|r| (r.what.as_str(), r.verdict))
        .collect();
    assert!(rows.iter().all(|(_, v)| *v == Verdict::Applied), "{rows:?}");
}

#[test]
fn max_jobs_is_read_against_the_servers_cpus() {
    let parallelism = reference("parallelism");
    let max_jobs = |live: &Live| {
        let report = check::compare(&parallelism, live).unwrap();
        let row = report
            .rows()
            .find(|r| r.what.starts_with("nix.settings.max-jobs"))
            .cloned()
            .unwrap();
        (row.verdict, row.server.unwrap(), row.tested.unwrap())
    };
    // 1 job on 4 CPUs is not what `auto` is.
    let mut live = recorded("small-vps");
    assert_eq!(
        max_jobs(&live),
        (
            Verdict::Differs,
            "1 (4 CPUs)".to_owned(),
            "2 (auto: 2 CPUs)".to_owned()
        )
    );
    // On a server of one CPU (nproc.txt is typed by hand), 1 job is `auto`, as 2 in the VM.
    live.outputs.insert("nproc".to_owned(), "1\n".to_owned());
    assert_eq!(max_jobs(&live).0, Verdict::Applied);
}

#[test]
fn a_zram_of_another_size_and_algorithm_differs_and_says_both() {
    let report = check::compare(&reference("zram"), &recorded("tuned-btrfs-zram")).unwrap();
    assert!(!report.holds);
    let zram = group(&report, "Zram Swap");
    assert_eq!(zram.verdict, Verdict::Differs);
    let setting = &zram.rows[0];
    assert_eq!(
        setting.tested.as_deref(),
        Some("/dev/zram0: 0.5 of RAM, zstd, priority 5")
    );
    let server = setting.server.as_deref().unwrap();
    assert!(
        server == "/dev/zram0: 0.67 of RAM, lz4, priority 5",
        "{server}"
    );
    // iostat was not recorded: what rests on it is not checked, and says so.
    let io = zram.rows.iter().find(|r| r.what == "io.devices").unwrap();
    assert_eq!(io.verdict, Verdict::NotChecked);
    assert_eq!(io.why.as_deref(), Some("iostat: not recorded"));
}

#[test]
fn the_table_and_the_markdown_say_the_same() {
    let report = check::compare(&reference("compression"), &recorded("ext4-no-nix")).unwrap();
    let table = check::render::table(&report);
    let markdown = check::render::markdown(&report);
    for text in [&table, &markdown] {
        assert!(text.contains("Btrfs Compression"), "{text}");
        assert!(text.contains("not applicable"), "{text}");
        assert!(
            text.contains("Every effect of the scenario holds"),
            "{text}"
        );
    }
    assert!(
        markdown.contains("| `compress=zstd:1 on /` | not applicable |"),
        "{markdown}"
    );
}
