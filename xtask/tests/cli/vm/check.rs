//! `cargo xtask check` against booted guests reached only through loopback: QEMU's user-mode
//! network is `restrict=on` with one `hostfwd` from a free port of 127.0.0.1 to the guest's
//! sshd. A key pair made for the run is authorized by a module of the guest's own scenario,
//! and the guest's host key, read through the backdoor, is the one entry of the run's own
//! known_hosts, named by the run's own ssh config: nothing global changes, and the keys go
//! with the run's temporary directory. Two boots: a guest of scenario `compression`, and one
//! with zram from a function-style module and no compression.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nixos_tuning::backend::{Backend, Choice, Guest, Kind};
use nixos_tuning::progress::Silent;
use nixos_tuning::runs::Runs;
use nixos_tuning::scenario::{self, Scenario};
use nixos_tuning::vm::accel::AccelChoice;
use nixos_tuning::vm::qemu::{Forward, UserNet};

/// The stamp the listing of changed files compares with; on /run, a tmpfs, so that making it
/// is no change of the disk.
const STAMP: &str = "/run/nixos-tuning-check.stamp";

/// Every file changed on the guest's disk and in /tmp since [`STAMP`], logs aside. `-xdev`
/// keeps each walk on one file system; the mount points of the others are walked on their
/// own (/nix, /home, /boot, /tmp) or are not files (/proc, /sys, /dev, /run).
const CHANGED: &str = "find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /run \
    -o -path /tmp -o -path /nix -o -path /home -o -path /boot -o -path /var/log \\) -prune \
    -o -newer /run/nixos-tuning-check.stamp -print; \
    find /nix /home /boot /tmp -xdev -newer /run/nixos-tuning-check.stamp -print";

fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// A booted guest with sshd on a loopback port, and the run's keys and ssh config.
struct Server {
    guest: Guest,
    dir: tempfile::TempDir,
}

/// What one `cargo xtask` run did.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Server {
    /// Boots the machine with `modules` and the run's key, and brings its network up.
    fn boot(name: &str, modules: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        for key in ["key", "other-key"] {
            keygen(&dir.path().join(key));
        }
        let mut modules: Vec<PathBuf> = modules.iter().map(|m| project_root().join(m)).collect();
        modules.push(authorized_key_module(dir.path()));
        let scenario = Scenario {
            name: name.to_owned(),
            modules,
        };
        let loaded = scenario::load(project_root(), &scenario).unwrap();
        let selection = Choice::Only(Kind::Debian).resolve(project_root()).unwrap();
        let backend =
            Backend::prepare(selection, project_root(), AccelChoice::Auto, &Silent).unwrap();
        let mut bundle = backend.bundle(&loaded, &Silent).unwrap();
        let port = free_port();
        bundle.qemu.network = Some(UserNet {
            forwards: vec![Forward {
                host: SocketAddrV4::new(Ipv4Addr::LOCALHOST, port),
                guest_port: 22,
            }],
        });
        let run_dir = Runs::of_project(project_root())
            .scratch("tests")
            .root()
            .join(format!("check-{name}"));
        let mut server = Server {
            guest: bundle.boot(&run_dir, &Silent).unwrap(),
            dir,
        };
        server.network_up();
        server.write_ssh_config(port);
        server
    }

    /// The guest's first ethernet device on QEMU's user network, as a DHCP client would set
    /// it; then sshd must be up.
    fn network_up(&mut self) {
        self.run(
            "modprobe virtio_net && dev=$(ls /sys/class/net | grep -v '^lo$' | head -n 1) && \
             busybox ip link set \"$dev\" up && busybox ip addr add 10.0.2.15/24 dev \"$dev\"",
        );
        self.guest
            .machine
            .execute_within(
                "until systemctl is-active -q ssh.service; do sleep 0.2; done",
                Duration::from_secs(120),
            )
            .unwrap();
    }

    /// known_hosts with the guest's host key, and the Hosts `guest` (the run's key) and
    /// `guest-other-key` (a key the guest does not know).
    fn write_ssh_config(&mut self, port: u16) {
        let host_key = self.run("cat /etc/ssh/ssh_host_ed25519_key.pub");
        let dir = self.dir.path().to_owned();
        let known_hosts = dir.join("known_hosts");
        std::fs::write(&known_hosts, format!("[127.0.0.1]:{port} {host_key}")).unwrap();
        let host = |alias: &str, key: &str| {
            format!(
                "Host {alias}\n  HostName 127.0.0.1\n  Port {port}\n  User root\n  \
                 IdentityFile {}\n  IdentitiesOnly yes\n  IdentityAgent none\n  \
                 UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n",
                dir.join(key).display(),
                known_hosts.display()
            )
        };
        let config = host("guest", "key") + &host("guest-other-key", "other-key");
        std::fs::write(self.config(), config).unwrap();
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("ssh_config")
    }

    /// A command through the backdoor: its output.
    fn run(&mut self, command: &str) -> String {
        self.guest.machine.succeed(command).unwrap()
    }

    /// `cargo xtask <args> --ssh-config <the run's>`, with no agent and no step summary
    /// unless `env` sets one.
    fn xtask(&self, args: &[&str], env: &[(&str, &Path)]) -> Ran {
        let mut command = assert_cmd::Command::cargo_bin("xtask").unwrap();
        command
            .args(args)
            .arg("--ssh-config")
            .arg(self.config())
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("GITHUB_STEP_SUMMARY");
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        Ran {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `cargo xtask check guest --scenario <scenario> <args>`, its time and table shown.
    fn check(&self, scenario: &str, args: &[&str]) -> Ran {
        let started = Instant::now();
        let mut all = vec!["check", "guest", "--scenario", scenario];
        all.extend(args);
        let ran = self.xtask(&all, &[]);
        eprintln!(
            "$ cargo xtask {} ({:.1} s, exit {:?})\n{}{}",
            all.join(" "),
            started.elapsed().as_secs_f64(),
            ran.code,
            ran.stdout,
            ran.stderr
        );
        ran
    }

    fn changed_since_stamp(&mut self) -> Vec<String> {
        let listing = self.run(CHANGED);
        listing.lines().map(str::to_owned).collect()
    }

    fn shutdown(self) {
        self.guest.shutdown().unwrap();
    }
}

fn keygen(file: &Path) {
    let status = std::process::Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "nixos-tuning-test",
            "-f",
        ])
        .arg(file)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A NixOS module that authorizes the run's public key for root.
fn authorized_key_module(dir: &Path) -> PathBuf {
    let public = std::fs::read_to_string(dir.join("key.pub")).unwrap();
    let module = dir.join("authorized-key.nix");
    // A JSON string of a public key is a Nix string: no `${`, no escapes beyond `\"`.
    let key = serde_json::Value::from(public.trim()).to_string();
    std::fs::write(
        &module,
        format!("{{ users.users.root.openssh.authorizedKeys.keys = [ {key} ]; }}\n"),
    )
    .unwrap();
    module
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The table's line of a check or an optimization.
fn line<'a>(stdout: &'a str, what: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{what}  ")))
        .unwrap_or_else(|| panic!("no line `{what}` in:\n{stdout}"))
}

#[test]
fn a_compressed_server_holds_what_compression_verified_and_is_left_as_it_was() {
    let mut server = Server::boot("compression", &["nix-tests/optimizations/compression.nix"]);
    // Data written after the change, as on any server in use (the VM's corpus stands for it
    // in the snapshots); then the stamp, after which the check must write nothing.
    server.run("cp /etc/ssh/moduli /root/written-after-boot && sync");
    server.run(&format!("touch {STAMP}"));

    let plain = server.check("compression", &[]);
    assert_eq!(plain.code, Some(0), "{}", plain.stderr);
    assert!(line(&plain.stdout, "Btrfs Compression").contains("applied"));
    for mount in ["/", "/nix", "/home"] {
        let row = line(&plain.stdout, &format!("compress=zstd:1 on {mount}"));
        assert!(row.contains(" applied "), "{row}");
    }
    // Without --sudo, compsize is not run: what rests on it says why.
    assert!(line(&plain.stdout, "compression.corpus_types").contains("not checked"));
    assert!(plain.stdout.contains("compsize: needs root: pass --sudo"));

    let summary = server.dir.path().join("summary.md");
    let all = [
        "check",
        "guest",
        "--scenario",
        "compression",
        "--sudo",
        "--json",
    ];
    let json = server.xtask(&all, &[("GITHUB_STEP_SUMMARY", &summary)]);
    assert_eq!(json.code, Some(0), "{}", json.stderr);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["holds"], true);
    let rows: Vec<&serde_json::Value> = report["groups"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(rows.len(), 5, "{rows:#?}");
    for row in rows {
        assert_eq!(row["verdict"], "applied", "{row:#}");
    }
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(markdown.contains("## Check of guest against scenario `compression`"));
    assert!(markdown.contains("| `compress=zstd:1 on /` | applied | on | on | off | - |"));

    let advice = server.xtask(&["advise", "--ssh", "guest", "--sudo"], &[]);
    assert_eq!(advice.code, Some(0), "{}", advice.stderr);
    assert!(advice.stdout.starts_with("Advice for guest (over ssh)"));
    assert!(advice.stdout.contains("Btrfs Compression: already applied"));

    let refused = server.xtask(&["check", "guest-other-key"], &[]);
    assert_eq!(refused.code, Some(2), "{}", refused.stdout);
    assert!(
        refused.stderr.contains("refused the key"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("Permission denied (publickey"),
        "{}",
        refused.stderr
    );
    assert!(refused.stdout.is_empty());

    let changed = server.changed_since_stamp();
    assert!(changed.is_empty(), "the checks changed: {changed:#?}");
    server.shutdown();
}

#[test]
fn a_server_with_zram_and_no_compression_is_told_what_it_lacks() {
    let mut server = Server::boot("zram-server", &["tests/fixtures/modules/boot/server.nix"]);

    let compression = server.check("compression", &[]);
    assert_eq!(compression.code, Some(1), "{}", compression.stderr);
    assert!(line(&compression.stdout, "Btrfs Compression").contains("not applied"));
    for mount in ["/", "/nix", "/home"] {
        let row = line(&compression.stdout, &format!("compress=zstd:1 on {mount}"));
        assert!(row.contains("not applied  off"), "{row}");
    }
    assert!(
        compression.stdout.contains(
            "3 of the scenario's effects do not hold on the server: compress=zstd:1 on /home, \
             compress=zstd:1 on /nix, compress=zstd:1 on /."
        ),
        "{}",
        compression.stdout
    );

    let zram = server.check("zram", &[]);
    assert_eq!(zram.code, Some(0), "{}", zram.stderr);
    assert!(line(&zram.stdout, "Zram Swap").ends_with("applied"));
    assert!(zram
        .stdout
        .contains("Every effect of the scenario holds on the server."));

    // systemd's zram unit resets the device itself once its swap is gone: until that is
    // done, the reset by hand finds it busy.
    server.run(
        "swapoff /dev/zram0 && \
         timeout 60 sh -c 'until zramctl --reset /dev/zram0; do sleep 0.5; done'",
    );
    let stopped = server.check("zram", &[]);
    assert_eq!(stopped.code, Some(1), "{}", stopped.stderr);
    assert!(line(&stopped.stdout, "Zram Swap").ends_with("not applied"));
    let setting = line(
        &stopped.stdout,
        "zramSwap.enable = true; memoryPercent = 50",
    );
    assert!(setting.contains("not applied  none"), "{setting}");
    server.shutdown();
}
