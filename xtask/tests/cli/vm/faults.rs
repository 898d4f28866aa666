//! `cargo xtask vmtest` under faults, as a user meets them: SIGTERM and Ctrl-C in the middle
//! of a run, two runs of one scenario at once (the second waits, or with `--no-wait` fails
//! with its own exit status), a cache entry another process is building, a truncated base
//! disk in the cache, and a runs directory or a cache on a file system that is full. Each
//! runs in a scratch project (`NIXOS_TUNING_PROJECT`) whose caches are the checkout's,
//! holding a complete earlier run of the scenario, and checks the exit status, the message,
//! that no QEMU is left and that the earlier run is byte for byte as it was. They boot VMs,
//! so nextest runs them in the `vm` group.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nixos_tuning::backend::{debian, Kind};
use nixos_tuning::lock::{Lock, Wait};
use nixos_tuning::progress::Silent;
use nixos_tuning::runs::{self, RunDir, Runs};

use crate::shared::{earlier_run, files};
use nixos_tuning::scenario::BASELINE;
use nixos_tuning::vm::accel::AccelChoice;

/// The installed base disk of the checkout's machine, from the real cache.
fn machine_base_disk(real: &debian::Debian) -> PathBuf {
    let machine = nixos_tuning::scenario::load_named(checkout(), BASELINE).unwrap();
    let layout = debian::realize(&machine).unwrap().disk;
    real.base_disk(&layout, &Silent).unwrap()
}

/// The checkout these tests belong to.
fn checkout() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// A scratch project: the checkout's scenarios and caches (symlinked), runs of its own.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let project = Project::bare();
        let target = project.path().join("target");
        std::fs::create_dir_all(&target).unwrap();
        let caches = checkout().join("target/nixos-tuning");
        std::os::unix::fs::symlink(caches, target.join("nixos-tuning")).unwrap();
        project
    }

    /// Scenarios only: the caller sets up `target/`.
    fn bare() -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(checkout().join("nix-tests"), dir.path().join("nix-tests"))
            .unwrap();
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn baseline(&self) -> RunDir {
        Runs::of_project(self.path()).scenario(Kind::Debian, BASELINE)
    }

    fn xtask(&self, args: &[&str]) -> Command {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("xtask"));
        command
            .args(args)
            .env("NIXOS_TUNING_PROJECT", self.path())
            .env_remove("CI")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Its own process group, so a Ctrl-C to it reaches it and its QEMU and nothing
            // else, as from a terminal.
            .process_group(0);
        command
    }
}

/// A running xtask and the lines of its stderr, as they come.
struct Running {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    fn start(mut command: Command) -> Running {
        let mut child = command.spawn().unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let lines = Arc::clone(&lines);
            std::thread::spawn(move || {
                for line in stderr.lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            })
        };
        Running {
            child,
            lines,
            reader: Some(reader),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits for a line that `wanted` accepts; fails the test past `limit` (a bound on a
    /// hang, not a measurement) or if the xtask ended first.
    fn wait_for(&mut self, wanted: impl Fn(&str) -> bool, limit: Duration) -> String {
        let started = Instant::now();
        loop {
            if let Some(line) = self.lines().into_iter().find(|line| wanted(line)) {
                return line;
            }
            let ended = self.child.try_wait().unwrap();
            assert!(
                ended.is_none() && started.elapsed() < limit,
                "the line never came ({ended:?}): {:#?}",
                self.lines()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, signal: i32, group: bool) {
        let pid = self.pid() as i32;
        let target = if group { -pid } else { pid };
        // SAFETY: kill(2) on a process (group) this test started.
        unsafe { libc::kill(target, signal) };
    }

    /// Its exit status and every line it wrote.
    fn wait(mut self, limit: Duration) -> (ExitStatus, Vec<String>) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < limit, "xtask did not stop");
            std::thread::sleep(Duration::from_millis(50));
        };
        self.reader.take().unwrap().join().unwrap();
        (status, self.lines())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A failed assertion must not leave the xtask (and its QEMU) running.
        if matches!(self.child.try_wait(), Ok(None)) {
            self.signal(libc::SIGKILL, true);
            let _ = self.child.wait();
        }
    }
}

/// QEMU processes whose command line names `path` (a project's runs).
fn qemu_using(path: &Path) -> Vec<u32> {
    crate::shared::qemu_with(&path.to_string_lossy())
}

/// Where the message says the stopped run's logs are.
fn kept_attempt(line: &str) -> PathBuf {
    const KEPT: &str = "the run's serial log and raw outputs are kept in ";
    let at = line
        .find(KEPT)
        .unwrap_or_else(|| panic!("no kept run in: {line}"));
    let rest = &line[at + KEPT.len()..];
    PathBuf::from(rest.split(": ").next().unwrap())
}

const BOOT_LIMIT: Duration = Duration::from_secs(300);
const STOP_LIMIT: Duration = Duration::from_secs(60);

#[test]
fn sigterm_in_the_middle_of_a_run_exits_143_and_keeps_its_logs() {
    let project = Project::new();
    let earlier = earlier_run(&project.baseline());
    let mut run = Running::start(project.xtask(&["vmtest", "--backend", "debian", BASELINE]));
    // Copying the corpus takes seconds under TCG: the signal lands in it.
    run.wait_for(|line| line == "write the corpus ...", BOOT_LIMIT);
    run.signal(libc::SIGTERM, false);
    let (status, lines) = run.wait(STOP_LIMIT);

    assert_eq!(status.code(), Some(143), "{lines:#?}");
    assert!(lines
        .iter()
        .any(|l| l == "boot: done" || l.starts_with("boot: done in")));
    assert!(
        lines.iter().any(|l| l == "write the corpus: interrupted"),
        "{lines:#?}"
    );
    assert!(!lines
        .iter()
        .any(|l| l.starts_with("write the corpus: done")));
    let last = lines.last().unwrap();
    assert!(last.starts_with("interrupted (SIGTERM): "), "{last}");
    let kept = kept_attempt(last);
    assert!(kept.join(runs::SERIAL_LOG).is_file(), "{}", kept.display());
    assert!(!kept.join("disk.qcow2").exists(), "the overlay is left");
    assert!(qemu_using(project.path()).is_empty(), "QEMU is left");
    assert!(
        files(project.baseline().path()) == earlier,
        "the earlier run changed"
    );
}

#[test]
fn a_second_run_of_a_scenario_waits_for_the_first_or_with_no_wait_exits_75() {
    let project = Project::new();
    let earlier = earlier_run(&project.baseline());
    let args = ["vmtest", "--backend", "debian", BASELINE];
    let mut first = Running::start(project.xtask(&args));
    first.wait_for(|line| line == "boot ...", BOOT_LIMIT);
    let holder = format!("pid {}: vmtest {BASELINE}", first.pid());

    // --no-wait: at once, with its own exit status and who holds the scenario.
    let (status, lines) =
        Running::start(project.xtask(&["vmtest", "--no-wait", "--backend", "debian", BASELINE]))
            .wait(STOP_LIMIT);
    assert_eq!(status.code(), Some(75), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains(&holder)), "{lines:#?}");
    assert!(
        !lines.iter().any(|l| l == "boot ..."),
        "it booted: {lines:#?}"
    );

    // Without it: waits, saying for whom, and runs once the first has ended.
    let mut second = Running::start(project.xtask(&args));
    second.wait_for(
        |line| line.starts_with(&format!("note: waiting for {holder}")),
        STOP_LIMIT,
    );
    assert!(!second.lines().iter().any(|l| l == "boot ..."));
    // Ctrl-C to the first in the middle of its boot.
    first.signal(libc::SIGINT, true);
    let (status, lines) = first.wait(STOP_LIMIT);
    assert_eq!(status.code(), Some(130), "{lines:#?}");
    assert!(lines.iter().any(|l| l == "boot: interrupted"), "{lines:#?}");
    assert!(
        !lines.iter().any(|l| l.starts_with("boot: done")),
        "{lines:#?}"
    );
    let last = lines.last().unwrap();
    assert!(last.starts_with("interrupted (SIGINT): "), "{last}");
    assert!(kept_attempt(last).join(runs::SERIAL_LOG).is_file());

    second.wait_for(|line| line == "boot ...", BOOT_LIMIT);
    second.signal(libc::SIGINT, true);
    let (status, lines) = second.wait(STOP_LIMIT);
    assert_eq!(status.code(), Some(130), "{lines:#?}");
    assert!(qemu_using(project.path()).is_empty(), "QEMU is left");
    assert!(
        files(project.baseline().path()) == earlier,
        "the earlier run changed"
    );
}

#[test]
fn a_truncated_base_disk_in_the_cache_is_refused_with_its_path_and_the_fix() {
    let real = debian::prepare(checkout(), AccelChoice::Auto, &Silent).unwrap();
    let project = Project::bare();
    let cache = debian::cache_root(project.path());
    std::fs::create_dir_all(&cache).unwrap();
    let image = real.image.rootfs.parent().unwrap();
    std::os::unix::fs::symlink(image, cache.join(image.file_name().unwrap())).unwrap();
    let base_disk = machine_base_disk(&real);
    let base = base_disk.parent().unwrap();
    let entry = cache.join(base.file_name().unwrap());
    std::fs::create_dir_all(&entry).unwrap();
    for file in std::fs::read_dir(base).unwrap().flatten() {
        if file.path() != base_disk {
            std::fs::copy(file.path(), entry.join(file.file_name())).unwrap();
        }
    }
    // Its first 100 MiB, as `truncate -s 100M` would leave it.
    let disk = entry.join(base_disk.file_name().unwrap());
    let mut source = std::fs::File::open(&base_disk).unwrap();
    let mut target = std::fs::File::create(&disk).unwrap();
    std::io::copy(
        &mut std::io::Read::take(&mut source, 100 << 20),
        &mut target,
    )
    .unwrap();
    let earlier = earlier_run(&project.baseline());

    let (status, lines) =
        Running::start(project.xtask(&["vmtest", "--backend", "debian", BASELINE]))
            .wait(STOP_LIMIT);

    assert_eq!(status.code(), Some(1), "{lines:#?}");
    let text = lines.join("\n");
    assert!(
        text.contains(
            "the installed base disk in the cache is damaged: `base.qcow2` is 104857600 bytes"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!("rm -rf '{}'", entry.display())),
        "{text}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("boot")),
        "it booted: {text}"
    );
    assert!(qemu_using(project.path()).is_empty(), "QEMU is left");
    assert!(
        files(project.baseline().path()) == earlier,
        "the earlier run changed"
    );
}

/// Runs `script` with `sh` as root of a user namespace with a mount namespace of its own
/// (`unshare -rm`), so it can mount a tmpfs without privileges on the host.
fn in_namespace(script: &str, env: &[(&str, &Path)]) -> std::process::Output {
    let mut command = Command::new("unshare");
    command
        .args(["--user", "--map-root-user", "--mount", "sh", "-euc", script])
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("unshare runs (util-linux)")
}

#[test]
fn a_runs_directory_on_a_full_file_system_fails_saying_so_and_leaves_no_partial_file() {
    let project = Project::new();
    // The earlier run is made outside and copied into the small file system.
    let seed = Project::bare();
    let earlier = earlier_run(&seed.baseline());
    let out = tempfile::tempdir().unwrap();
    let runs = Runs::of_project(project.path()).root().to_owned();
    std::fs::create_dir_all(&runs).unwrap();
    // 4 MiB: room for the earlier run, the serial log and the overlay's first clusters,
    // not for what the guest writes while it boots.
    let script = r#"
        mount -t tmpfs -o size=4m tmpfs "$RUNS"
        cp -a "$SEED/target/vmtest/." "$RUNS/"
        status=0
        "$XTASK" vmtest --backend debian baseline 2>"$OUT/stderr" || status=$?
        echo "$status" >"$OUT/status"
        mkdir "$OUT/runs" && cp -a "$RUNS/." "$OUT/runs/"
    "#;
    let xtask = assert_cmd::cargo::cargo_bin("xtask");
    let output = in_namespace(
        script,
        &[
            ("RUNS", &runs),
            ("SEED", seed.path()),
            ("OUT", out.path()),
            ("XTASK", &xtask),
            ("NIXOS_TUNING_PROJECT", project.path()),
        ],
    );
    assert!(output.status.success(), "{output:?}");

    let stderr = std::fs::read_to_string(out.path().join("stderr")).unwrap();
    let status = std::fs::read_to_string(out.path().join("status")).unwrap();
    assert_eq!(status.trim(), "1", "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(stderr.contains("is full"), "{stderr}");
    // The guest's writes filled it: QEMU paused the guest, and the driver said why at once
    // instead of waiting for a deadline.
    assert!(
        stderr.contains("QEMU could not write the guest's disk image"),
        "{stderr}"
    );
    assert!(qemu_using(project.path()).is_empty(), "QEMU is left");
    let kept = files(&out.path().join("runs"));
    let left: Vec<&PathBuf> = kept
        .keys()
        .filter(|path| {
            let name = path.to_string_lossy();
            name.ends_with(".partial") || name.ends_with("disk.qcow2")
        })
        .collect();
    assert!(left.is_empty(), "partial files are left: {left:?}");
    let baseline = Path::new("debian").join(BASELINE);
    let after: BTreeMap<PathBuf, Vec<u8>> = kept
        .into_iter()
        .filter_map(|(path, bytes)| Some((path.strip_prefix(&baseline).ok()?.to_owned(), bytes)))
        .collect();
    assert!(after == earlier, "the earlier run changed");
}

#[test]
fn a_cache_build_that_fills_the_disk_says_so_and_leaves_no_partial_entry() {
    let real = debian::prepare(checkout(), AccelChoice::Auto, &Silent).unwrap();
    let project = Project::bare();
    let caches = project.path().join("target/nixos-tuning");
    std::fs::create_dir_all(&caches).unwrap();
    let image = real.image.rootfs.parent().unwrap().to_owned();
    let out = tempfile::tempdir().unwrap();
    // 32 MiB: the image is the checkout's (mounted in), the base disk must be built, and
    // its install runs out of room while the installer writes the system.
    let script = r#"
        mount -t tmpfs -o size=32m tmpfs "$CACHES"
        mkdir -p "$CACHES/debian/$(basename "$IMAGE")"
        mount --bind "$IMAGE" "$CACHES/debian/$(basename "$IMAGE")"
        status=0
        "$XTASK" vmtest --backend debian baseline 2>"$OUT/stderr" || status=$?
        echo "$status" >"$OUT/status"
        ls -A "$CACHES/debian" >"$OUT/entries"
    "#;
    let xtask = assert_cmd::cargo::cargo_bin("xtask");
    let output = in_namespace(
        script,
        &[
            ("CACHES", &caches),
            ("IMAGE", &image),
            ("OUT", out.path()),
            ("XTASK", &xtask),
            ("NIXOS_TUNING_PROJECT", project.path()),
        ],
    );
    assert!(output.status.success(), "{output:?}");

    let stderr = std::fs::read_to_string(out.path().join("stderr")).unwrap();
    let status = std::fs::read_to_string(out.path().join("status")).unwrap();
    assert_eq!(status.trim(), "1", "{stderr}");
    let debian = caches.join("debian");
    assert!(
        stderr.contains(&format!(
            "the disk holding {} is full (No space left on device) while building the \
             installed base disk; the partial build was removed",
            debian.display()
        )),
        "{stderr}"
    );
    assert!(qemu_using(&debian).is_empty(), "QEMU is left");
    let entries = std::fs::read_to_string(out.path().join("entries")).unwrap();
    let base: Vec<&str> = entries
        .lines()
        .filter(|name| name.starts_with("base-") && !name.ends_with(".lock"))
        .collect();
    assert!(base.is_empty(), "a base disk entry is left: {entries}");
}

#[test]
fn a_run_that_needs_a_cache_entry_being_built_waits_for_its_builder_then_uses_it() {
    let real = debian::prepare(checkout(), AccelChoice::Auto, &Silent).unwrap();
    let project = Project::bare();
    let cache = debian::cache_root(project.path());
    std::fs::create_dir_all(&cache).unwrap();
    let base_disk = machine_base_disk(&real);
    let base = base_disk.parent().unwrap();
    std::os::unix::fs::symlink(base, cache.join(base.file_name().unwrap())).unwrap();
    let image = real.image.rootfs.parent().unwrap();
    let name = image.file_name().unwrap().to_string_lossy().into_owned();
    // This test is the builder of the image: it holds the entry's lock, as a build does.
    let builder = Lock::acquire(
        &cache.join(format!(".{name}.lock")),
        &format!("the cache entry `{name}`"),
        "build the Debian image",
        Wait::NoWait,
        &Silent,
    )
    .unwrap();

    let mut run = Running::start(project.xtask(&["vmtest", "--backend", "debian", BASELINE]));
    let waiting = format!(
        "note: waiting for pid {}: build the Debian image",
        std::process::id()
    );
    run.wait_for(|line| line.starts_with(&waiting), STOP_LIMIT);
    assert!(!run.lines().iter().any(|l| l.starts_with("boot")));
    // The build ends: the entry is in place, then the lock goes.
    std::os::unix::fs::symlink(image, cache.join(&name)).unwrap();
    drop(builder);
    run.wait_for(|line| line == "boot ...", BOOT_LIMIT);
    run.signal(libc::SIGINT, true);
    let (status, lines) = run.wait(STOP_LIMIT);

    assert_eq!(status.code(), Some(130), "{lines:#?}");
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("build the Debian 13 image")),
        "it built the image itself: {lines:#?}"
    );
    assert!(qemu_using(project.path()).is_empty(), "QEMU is left");
}
