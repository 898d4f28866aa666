//! `cargo xtask check` when the check cannot be made, with the real OpenSSH client: a closed
//! port, a server that never answers, output cut short (a fake `ssh` on PATH that runs the
//! check's script here and drops the connection), bad arguments; and what reaches ssh.
//! Each exits 2 and says what happened. The checks against a real server boot one: `vm::check`.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// The check's connect timeout in these tests, in seconds.
const CONNECT_TIMEOUT: u64 = 5;

fn check(args: &[&str]) -> Command {
    let mut command = Command::cargo_bin("xtask").unwrap();
    command
        .args(["check", "--connect-timeout", &CONNECT_TIMEOUT.to_string()])
        .args(args)
        // Never the user's own config or agent: only what the test passes.
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("GITHUB_STEP_SUMMARY");
    command
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A loopback port where nothing listens.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// An ssh config file with no identity and no known host: the connection fails before them.
fn empty_config(dir: &Path) -> String {
    let config = dir.join("ssh_config");
    std::fs::write(
        &config,
        "Host *\n  IdentityAgent none\n  UserKnownHostsFile /dev/null\n",
    )
    .unwrap();
    config.display().to_string()
}

/// A directory with an executable `ssh` script, for PATH.
fn fake_ssh(script: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ssh = dir.path().join("ssh");
    std::fs::write(&ssh, format!("#!/bin/sh\n{script}")).unwrap();
    std::fs::set_permissions(&ssh, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn a_closed_port_exits_2_within_the_connect_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let destination = format!("ssh://root@127.0.0.1:{}", closed_port());
    let started = Instant::now();
    let output = check(&[&destination, "--ssh-config", &empty_config(dir.path())])
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(CONNECT_TIMEOUT));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let stderr = stderr(&output);
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(stderr.contains("Is sshd running there"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_server_that_never_answers_exits_2_at_the_connect_timeout() {
    // It accepts the connection and says nothing: ssh waits for its banner that long.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = check(&[
        &format!("ssh://root@127.0.0.1:{port}"),
        "--ssh-config",
        &empty_config(dir.path()),
    ])
    .output()
    .unwrap();
    let elapsed = started.elapsed();
    drop(listener);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let stderr = stderr(&output);
    assert!(
        stderr.contains(&format!(
            "within the connect timeout of {CONNECT_TIMEOUT} s"
        )),
        "{stderr}"
    );
    let timeout = Duration::from_secs(CONNECT_TIMEOUT);
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert!(elapsed < timeout * 3, "{elapsed:?}");
}

#[test]
fn output_cut_short_exits_2_naming_the_probe() {
    // The script runs here, its output stops within the first probe's (`mount` prints more
    // than this on any Linux), and the connection drops, as ssh reports it.
    let bin = fake_ssh(
        "sh -s | head -c 200\necho 'Connection to server closed by remote host.' >&2\nexit 255\n",
    );
    let output = check(&["server"])
        .env("PATH", path_with(bin.path()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let stderr = stderr(&output);
    assert!(
        stderr.contains("the output of server was cut short in probe `mount`"),
        "{stderr}"
    );
    assert!(stderr.contains("closed by remote host"), "{stderr}");
}

#[test]
fn what_the_user_typed_is_an_argument_of_ssh_never_part_of_the_script() {
    // The fake ssh keeps its arguments and the script it was given, then refuses.
    let bin = fake_ssh(
        "printf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args\"\ncat > \"$(dirname \"$0\")/script\"\n\
         echo 'ssh: connect to host x port 22: Connection refused' >&2\nexit 255\n",
    );
    let destination = "root@$(reboot)";
    let output = check(&[destination, "--ssh-option", "IdentityFile=/k ey", "--sudo"])
        .env("PATH", path_with(bin.path()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let args = std::fs::read_to_string(bin.path().join("args")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(
        args,
        [
            "-T",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=5",
            "-o",
            "ClearAllForwardings=yes",
            "-o",
            "IdentityFile=/k ey",
            "--",
            destination,
            "sh",
            "-s"
        ]
    );
    let script = std::fs::read_to_string(bin.path().join("script")).unwrap();
    assert!(!script.contains("reboot"), "{script}");
    assert!(script.contains("sudo -n"), "{script}");
    for written in ["/tmp", " > ", ">>", "nix-build", "/home/corpus"] {
        assert!(!script.contains(written), "`{written}` in:\n{script}");
    }
}

#[test]
fn arguments_that_cannot_make_a_check_exit_2_before_connecting() {
    // ssh must never run: this one would leave a file.
    let bin = fake_ssh("touch \"$(dirname \"$0\")/ran\"\nexit 255\n");
    let cases: [(&[&str], &str); 3] = [
        (
            &["server", "--scenario", "no-such-scenario"],
            "no-such-scenario",
        ),
        (&["--", "-oProxyCommand=sh"], "is not an ssh destination"),
        (
            &["server", "--ssh-option", "StrictHostKeyChecking=no"],
            "is refused",
        ),
    ];
    for (args, said) in cases {
        let output = check(args)
            .env("PATH", path_with(bin.path()))
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(said),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(!bin.path().join("ran").exists(), "ssh ran");
}
