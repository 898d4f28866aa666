//! Faults in the middle of a run, each on a real guest, through the library's [`Runner`]
//! (the command line adds nothing here; its own faults are in `xtask/tests/cli/vm/`): QEMU
//! killed mid-probe, the guest's disk full before the corpus is written, a truncated base
//! disk. Each checks the error it gets (by variant where one exists), how the progress
//! reported each step, that no QEMU or socket is left, and that the scenario's last complete
//! run is byte for byte as it was.

use std::path::Path;
use std::time::Duration;

use nixos_tuning::backend::debian::{self, activation, base_disk};
use nixos_tuning::backend::{Backend, Bundle, Choice, Kind};
use nixos_tuning::cache::{Damage, Damaged};
use nixos_tuning::facts::commands;
use nixos_tuning::lock::Wait;
use nixos_tuning::progress::{Outcome, Silent};
use nixos_tuning::runs::{self, Runs};
use nixos_tuning::scenario::{self, Loaded};
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vm::VmError;
use nixos_tuning::vmtest::{Claims, Runner};

use crate::shared::{earlier_run, files};
use crate::support::*;

fn debian_backend() -> Backend {
    let selection = Choice::Only(Kind::Debian).resolve(project_root()).unwrap();
    Backend::prepare(selection, project_root(), AccelChoice::Auto, &Silent).unwrap()
}

fn baseline() -> Loaded {
    scenario::load_named(project_root(), scenario::BASELINE).unwrap()
}

/// A runner into the runs of a scratch project, so the project's own runs are not touched.
fn runner<'a>(backend: &'a Backend, project: &Path, progress: &'a Recorder) -> Runner<'a> {
    Runner {
        backend,
        runs: Runs::of_project(project),
        claims: Claims::Skip,
        wait: Wait::NoWait,
        progress,
        sharing: None,
    }
}

/// What every failed run must leave: no QEMU, no socket, the earlier run as it was, and its
/// own logs where the error says.
fn assert_failed_cleanly(
    err: &anyhow::Error,
    earlier: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
    dir: &runs::RunDir,
) {
    assert!(qemu_of_this_process().is_empty(), "QEMU is left: {err:#}");
    assert!(socket_dirs_of_this_process().is_empty(), "sockets are left");
    assert!(files(dir.path()) == *earlier, "the earlier run changed");
    let kept = kept_attempt(err);
    assert!(kept.join(runs::SERIAL_LOG).is_file(), "{}", kept.display());
    assert!(
        !kept.join("disk.qcow2").exists(),
        "the disk overlay is left"
    );
    let partial: Vec<_> = walkdir::WalkDir::new(&kept)
        .into_iter()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(partial.is_empty(), "half-written files: {partial:?}");
}

#[test]
fn qemu_killed_mid_probe_fails_that_probe_and_leaves_the_last_run() {
    let backend = debian_backend();
    let project = tempfile::tempdir().unwrap();
    let loaded = baseline();
    // `iostat -x 1 3` takes two seconds on any host (its interval), so half a second in it
    // is running, under TCG or KVM alike.
    let step = format!("probe {}", commands::IOSTAT.name);
    let progress = Recorder::injecting(&step, || {
        std::thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(500));
            kill_qemu();
        });
    });
    let runner = runner(&backend, project.path(), &progress);
    let dir = runner.dir(&loaded);
    let earlier = earlier_run(&dir);

    let err = runner.run(&loaded).unwrap_err();

    let vm = err.chain().find_map(|c| c.downcast_ref::<VmError>());
    match vm {
        Some(VmError::QemuExited {
            status,
            while_,
            tail,
            ..
        }) => {
            assert!(status.contains("signal: 9"), "{status}");
            assert!(while_.contains(commands::IOSTAT.command), "{while_}");
            assert!(!tail.lines.is_empty(), "the error quotes the console");
        }
        other => panic!("expected QemuExited, got {other:?}: {err:#}"),
    }
    assert_eq!(progress.outcome("boot"), Some(Outcome::Done));
    assert_eq!(progress.outcome(&step), Some(Outcome::Failed));
    let finished = progress.finished();
    let last = finished.last().unwrap();
    assert_eq!(last, &(step, Outcome::Failed), "nothing is done after it");
    assert_failed_cleanly(&err, &earlier, &dir);
}

/// The scenario's activation archive with a unit that fills the guest's disk during boot,
/// before `systemctl is-system-running --wait` returns and so before the corpus is written.
/// `fallocate` takes the space at once, without writing it, so the fill costs no time.
fn filling_the_disk(bundle: &Bundle) -> Bundle {
    let mut bundle = bundle.clone();
    let (_, archive) = bundle
        .fw_cfg
        .iter_mut()
        .find(|(name, _)| name == activation::FW_CFG_NAME)
        .expect("the scenario's files go through fw_cfg");
    let mut builder = tar::Builder::new(Vec::new());
    for entry in tar::Archive::new(archive.as_slice()).entries().unwrap() {
        let mut entry = entry.unwrap();
        let header = entry.header().clone();
        builder.append(&header, &mut entry).unwrap();
    }
    let fill = "#!/bin/sh\n\
        # /home shares its Btrfs file system with / and /nix: this fills all three.\n\
        n=0\n\
        for size in 1G 128M 16M 1M 64K 4K; do\n\
        \x20   while fallocate -l \"$size\" \"/home/fill-$n\" 2>/dev/null; do n=$((n + 1)); done\n\
        done\n\
        sync\n";
    let unit = "[Unit]\nDescription=Fill the disk (a fault test)\nAfter=local-fs.target\n\
        Before=multi-user.target\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n\
        ExecStart=/usr/local/sbin/fill-the-disk\n";
    append(&mut builder, "usr/local/sbin/fill-the-disk", fill, 0o755);
    append(
        &mut builder,
        "etc/systemd/system/fill-the-disk.service",
        unit,
        0o644,
    );
    let mut link = tar::Header::new_ustar();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    link.set_mode(0o777);
    builder
        .append_link(
            &mut link,
            "etc/systemd/system/multi-user.target.wants/fill-the-disk.service",
            "../fill-the-disk.service",
        )
        .unwrap();
    *archive = builder.into_inner().unwrap();
    bundle
}

fn append(builder: &mut tar::Builder<Vec<u8>>, path: &str, content: &str, mode: u32) {
    let mut header = tar::Header::new_ustar();
    header.set_size(content.len() as u64);
    header.set_mode(mode);
    header.set_entry_type(tar::EntryType::Regular);
    builder
        .append_data(&mut header, path, content.as_bytes())
        .unwrap();
}

#[test]
fn a_full_guest_disk_fails_the_corpus_step_with_the_guests_words() {
    let backend = debian_backend();
    let project = tempfile::tempdir().unwrap();
    let loaded = baseline();
    let progress = Recorder::default();
    let runner = runner(&backend, project.path(), &progress);
    let dir = runner.dir(&loaded);
    let earlier = earlier_run(&dir);
    let bundle = filling_the_disk(&backend.bundle(&loaded, &Silent).unwrap());

    let err = runner.run_bundle(&loaded, &bundle).unwrap_err();

    let message = format!("{err:#}");
    assert!(
        message.contains("step `write the corpus` failed"),
        "{message}"
    );
    assert!(message.contains("No space left on device"), "{message}");
    match err.chain().find_map(|c| c.downcast_ref::<VmError>()) {
        Some(VmError::CommandFailed { status, .. }) => assert_ne!(*status, 0),
        other => panic!("expected CommandFailed, got {other:?}"),
    }
    // The guest's disk, not the host's.
    assert!(!message.contains("the disk holding"), "{message}");
    assert_eq!(progress.outcome("wait for systemd"), Some(Outcome::Done));
    assert_eq!(progress.outcome("write the corpus"), Some(Outcome::Failed));
    assert_failed_cleanly(&err, &earlier, &dir);
}

/// The base disk's cache entry copied into `root` with `base.qcow2` cut at 100 MiB.
fn truncated_copy(base: &Path, root: &Path) -> std::path::PathBuf {
    let entry = root.join(base.parent().unwrap().file_name().unwrap());
    std::fs::create_dir_all(&entry).unwrap();
    for file in std::fs::read_dir(base.parent().unwrap()).unwrap() {
        let file = file.unwrap().path();
        if file != base {
            std::fs::copy(&file, entry.join(file.file_name().unwrap())).unwrap();
        }
    }
    let mut source = std::fs::File::open(base).unwrap();
    let copy = entry.join(base.file_name().unwrap());
    let mut target = std::fs::File::create(&copy).unwrap();
    std::io::copy(
        &mut std::io::Read::take(&mut source, 100 << 20),
        &mut target,
    )
    .unwrap();
    copy
}

#[test]
fn a_truncated_base_disk_is_refused_and_booting_it_quotes_the_initrds_last_words() {
    let debian = debian::prepare(project_root(), AccelChoice::Auto, &Silent).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let layout = debian::realize(&baseline()).unwrap().disk;
    let base = debian.base_disk(&layout, &Silent).unwrap();
    let truncated = truncated_copy(&base, cache.path());
    let progress = Recorder::default();

    let err = base_disk::ensure(
        cache.path(),
        &debian.image,
        &layout.structure(),
        debian.accel,
        &progress,
    )
    .unwrap_err();

    let damaged = err.downcast_ref::<Damaged>().expect("a Damaged error");
    let made = std::fs::metadata(&base).unwrap().len();
    assert_eq!(
        damaged.damage,
        Damage::Size {
            file: "base.qcow2".into(),
            now: 100 << 20,
            made
        }
    );
    let entry = truncated.parent().unwrap();
    let message = err.to_string();
    assert!(
        message.contains(&format!("rm -rf '{}'", entry.display())),
        "{message}"
    );
    assert!(
        progress.finished().is_empty(),
        "nothing was built or booted"
    );

    // Booted anyway, as before the check: the initrd cannot mount `/`, reboots, and QEMU
    // exits; the error must quote what it said last, not an empty tail.
    let mut bundle = debian.bundle(&baseline(), &Silent).unwrap();
    bundle.base_disk = Some(truncated.clone());
    let run = tempfile::tempdir().unwrap();
    let err = bundle
        .boot(run.path(), &Silent)
        .err()
        .expect("a truncated disk does not boot");
    let tail = match err.downcast_ref::<VmError>() {
        Some(VmError::QemuExited { tail, .. }) => tail.clone(),
        other => panic!("expected QemuExited, got {other:?}"),
    };
    assert!(
        tail.lines
            .iter()
            .any(|line| line.contains("Failed to mount /dev/vda2 as root file system")),
        "{tail}"
    );
    let log = std::fs::read_to_string(run.path().join(runs::SERIAL_LOG)).unwrap();
    assert_eq!(tail.lines.last().map(String::as_str), log.lines().last());
    assert!(qemu_of_this_process().is_empty());
}
