//! Is there a Nix here that can build the flake? The checks run cheapest first and stop at the
//! first that fails, so a machine without Nix learns it in milliseconds: the binary, its
//! version (flakes exist from 2.4), flakes really enabled, a builder for x86_64-linux with
//! KVM (or remote builders), and the flake's inputs reachable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::host;

/// Both features every `nix` call of the backend turns on for itself, so a user's nix.conf
/// needs no change.
pub const FEATURES: &str = "nix-command flakes";

/// The system the VMs are built for.
pub const SYSTEM: &str = "x86_64-linux";

const HOW_TO_GET: &str = "install Nix >= 2.4 with flakes (the Determinate Systems installer, \
                          or the official one from https://nixos.org/download), or run with \
                          --backend debian";

/// Fetching the inputs (nixpkgs is a ~40 MiB tarball) may take this long before we give up.
const FETCH_DEADLINE: Duration = Duration::from_secs(300);

/// A Nix that can build the flake.
#[derive(Debug, Clone)]
pub struct Nix {
    pub program: PathBuf,
    pub version: String,
    /// Remote builders configured (`builders` in nix.conf, `/etc/nix/machines`).
    pub remote_builders: bool,
    /// Local builds can use `/dev/kvm`.
    pub kvm: bool,
}

impl Nix {
    /// One line: the version and where builds go.
    pub fn summary(&self) -> String {
        let builders = match (self.kvm, self.remote_builders) {
            (true, true) => "KVM here and remote builders",
            (true, false) => "KVM here",
            (false, _) => "remote builders, no KVM here",
        };
        format!("nix {} with flakes, {builders}", self.version)
    }

    /// `nix` with the experimental features the backend needs.
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(["--extra-experimental-features", FEATURES]);
        command
    }
}

/// Why the nixos backend cannot run here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("nix not found on PATH: {HOW_TO_GET}")]
    NotFound,
    #[error("nix {version} has no flakes (they need 2.4 or newer): {HOW_TO_GET}")]
    TooOld { version: String },
    #[error("nix {version} cannot enable flakes ({message}): {HOW_TO_GET}")]
    NoFlakes { version: String, message: String },
    #[error(
        "nix builds for {system} and has no remote builders: the VMs are {SYSTEM}; add an \
         {SYSTEM} builder to /etc/nix/machines (or pass --builders through NIX_CONFIG)"
    )]
    WrongSystem { system: String },
    #[error(
        "/dev/kvm is not usable by Nix (no `kvm` in its system-features) and there are no \
         remote builders: disko builds the VM's disk image in a VM that needs KVM; enable KVM \
         (load kvm-intel or kvm-amd, make /dev/kvm readable by the build users) or add a \
         builder with the kvm feature to /etc/nix/machines"
    )]
    NoKvm,
    #[error(
        "nix {version} cannot fetch the flake's inputs (nixpkgs, disko, home-manager from \
         github.com): {message}; give this machine access to github.com (or a flake registry \
         mirror), or run with --backend debian"
    )]
    InputsUnavailable { version: String, message: String },
    #[error("cannot run nix: {0}")]
    Broken(String),
}

impl Unusable {
    /// What is missing, without the advice: for the one line `auto` prints.
    pub fn missing(&self) -> String {
        match self {
            Unusable::NotFound => "nix not found on PATH".into(),
            Unusable::TooOld { version } => format!("nix {version} has no flakes"),
            Unusable::NoFlakes { version, .. } => format!("nix {version} cannot enable flakes"),
            Unusable::WrongSystem { system } => {
                format!("nix builds for {system}, not {SYSTEM}, and has no remote builders")
            }
            Unusable::NoKvm => "Nix has neither /dev/kvm nor remote builders".into(),
            Unusable::InputsUnavailable { version, .. } => {
                format!("nix {version} cannot fetch the flake's inputs")
            }
            Unusable::Broken(message) => format!("cannot run nix: {message}"),
        }
    }
}

/// Runs the checks against the flake at `project_root`.
pub fn detect(project_root: &Path) -> Result<Nix, Unusable> {
    let program = host::NIX.find().map_err(|_| Unusable::NotFound)?;
    let version = version(&program)?;
    if !has_flakes(&version) {
        return Err(Unusable::TooOld { version });
    }
    let mut nix = Nix {
        program,
        version,
        remote_builders: false,
        kvm: false,
    };
    let flakes = run(nix
        .command()
        .args(["eval", "--expr", "builtins ? getFlake"]))
    .map_err(|message| Unusable::NoFlakes {
        version: nix.version.clone(),
        message,
    })?;
    // `getFlake` exists only when the flakes feature is really on.
    if flakes.trim() != "true" {
        return Err(Unusable::NoFlakes {
            version: nix.version.clone(),
            message: "builtins.getFlake is missing with flakes turned on".into(),
        });
    }
    let settings = settings(&nix)?;
    nix.remote_builders = has_remote_builders(&settings.builders);
    nix.kvm = settings.system == SYSTEM && settings.features.iter().any(|f| f == "kvm");
    if settings.system != SYSTEM && !nix.remote_builders {
        return Err(Unusable::WrongSystem {
            system: settings.system,
        });
    }
    if !nix.kvm && !nix.remote_builders {
        return Err(Unusable::NoKvm);
    }
    inputs_reachable(&nix, project_root)?;
    Ok(nix)
}

/// `2.8.0` from `nix (Nix) 2.8.0`, also from `nix (Determinate Nix 3.6.2) 2.29.0`.
pub fn parse_version(output: &str) -> Option<String> {
    let last = output.split_whitespace().last()?;
    let mut parts = last.split('.');
    parts.next()?.parse::<u32>().ok()?;
    parts.next()?.parse::<u32>().ok()?;
    Some(last.to_owned())
}

/// Flakes arrived, experimental, in Nix 2.4.
pub fn has_flakes(version: &str) -> bool {
    let mut parts = version.split('.').map(|part| {
        part.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse::<u32>()
            .unwrap_or(0)
    });
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) >= (2, 4)
}

/// `builders` as nix.conf has it: `@FILE` names a machines file, anything else lists builders
/// inline; an empty file or list means local builds only.
pub fn has_remote_builders(builders: &str) -> bool {
    let builders = builders.trim();
    let listed = match builders.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file).unwrap_or_default(),
        None => builders.replace(';', "\n"),
    };
    listed
        .lines()
        .map(str::trim)
        .any(|line| !line.is_empty() && !line.starts_with('#'))
}

fn version(program: &Path) -> Result<String, Unusable> {
    let output = run(Command::new(program).arg("--version")).map_err(Unusable::Broken)?;
    parse_version(&output)
        .ok_or_else(|| Unusable::Broken(format!("unexpected `nix --version`: {}", output.trim())))
}

struct Settings {
    system: String,
    features: Vec<String>,
    builders: String,
}

fn settings(nix: &Nix) -> Result<Settings, Unusable> {
    // `show-config` became `config show` in 2.20 and stays as a deprecated alias.
    let json = run(nix.command().args(["show-config", "--json"])).map_err(Unusable::Broken)?;
    let value: serde_json::Value = serde_json::from_str(&json)
        .map_err(|err| Unusable::Broken(format!("`nix show-config --json`: {err}")))?;
    let text = |key: &str| value[key]["value"].as_str().unwrap_or_default().to_owned();
    Ok(Settings {
        system: text("system"),
        features: value["system-features"]["value"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        builders: text("builders"),
    })
}

/// Locks and fetches the flake's inputs without writing `flake.lock`: what every build needs
/// first, and the check that fails at once on a machine that cannot reach GitHub.
fn inputs_reachable(nix: &Nix, project_root: &Path) -> Result<(), Unusable> {
    let mut command = nix.command();
    command
        .args(["flake", "metadata", "--json", "--no-write-lock-file"])
        .arg(project_root);
    run_within(&mut command, FETCH_DEADLINE)
        .map(drop)
        .map_err(|message| Unusable::InputsUnavailable {
            version: nix.version.clone(),
            message,
        })
}

fn run(command: &mut Command) -> Result<String, String> {
    run_within(command, Duration::from_secs(30))
}

/// Its stdout when it succeeds in time; otherwise the line of Nix's stderr that says why.
fn run_within(command: &mut Command, deadline: Duration) -> Result<String, String> {
    let output = host::run(command, deadline).map_err(|err| err.to_string())?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let stderr = crate::nix::clean(&output.stderr);
    // Nix's cause is its last `error:` line.
    let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
    let reason = lines
        .iter()
        .rev()
        .find_map(|line| line.strip_prefix("error: "))
        .or_else(|| lines.iter().rev().find(|line| !line.is_empty()).copied())
        .unwrap_or("no message")
        .to_owned();
    Err(format!("{reason} ({})", output.status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_of_every_flavour_parse() {
        assert_eq!(parse_version("nix (Nix) 2.8.0\n").as_deref(), Some("2.8.0"));
        assert_eq!(
            parse_version("nix (Determinate Nix 3.6.2) 2.29.0").as_deref(),
            Some("2.29.0")
        );
        assert_eq!(parse_version("nix (Nix) 2.3.16").as_deref(), Some("2.3.16"));
        assert_eq!(parse_version("command not found"), None);
    }

    #[test]
    fn flakes_start_at_2_4() {
        assert!(!has_flakes("2.3.16"));
        assert!(has_flakes("2.4"));
        assert!(has_flakes("2.8.0"));
        assert!(has_flakes("2.24.10pre"));
        assert!(has_flakes("3.0.0"));
    }

    #[test]
    fn builders_count_only_real_lines() {
        let dir = tempfile::tempdir().unwrap();
        let machines = dir.path().join("machines");
        std::fs::write(&machines, "# none yet\n\n").unwrap();
        assert!(!has_remote_builders(&format!("@{}", machines.display())));
        std::fs::write(
            &machines,
            "ssh://builder x86_64-linux - 4 1 kvm,nixos-test\n",
        )
        .unwrap();
        assert!(has_remote_builders(&format!("@{}", machines.display())));
        assert!(!has_remote_builders("@/nonexistent/machines"));
        assert!(!has_remote_builders(""));
        assert!(has_remote_builders(
            "ssh://a x86_64-linux ; ssh://b aarch64-linux"
        ));
    }
}
