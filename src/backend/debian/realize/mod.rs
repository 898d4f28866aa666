//! Realization for the Debian backend: from an evaluated scenario (NixOS 25.05's defaults
//! included), the files the guest needs, written as NixOS would write them, and the shell
//! that does what a file cannot (accounts, service links, modes), as NixOS's activation
//! scripts do. Every option a module sets is either realized here, or listed as not realized
//! with its file and why: never an error, never dropped silently. A layout the guest cannot
//! be installed on (LUKS, LVM, ZFS) is the one refusal.

mod accounts;
mod mounts;
mod nix;
mod packages;
mod ssh;
mod sysctl;
mod zram;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::disko::{Disk, LayoutError};
use crate::scenario::show::show_option;
use crate::scenario::{Definition, Loaded, Skipped};

pub const FSTAB: &str = "/etc/fstab";
pub const NIX_CONF: &str = "/etc/nix/nix.conf";
pub const ZRAM_GENERATOR_CONF: &str = "/etc/systemd/zram-generator.conf";
pub const SYSCTL_CONF: &str = "/etc/sysctl.d/60-nixos.conf";
pub const SSHD_CONFIG: &str = "/etc/ssh/sshd_config";
pub const SUDOERS: &str = "/etc/sudoers";
pub const HOSTNAME: &str = "/etc/hostname";
/// Run by the guest's `activate` after the files are in place and before systemd starts.
pub const ACTIVATION: &str = "/etc/nixos-tuning/activation.sh";

/// The guest's one disk, whatever the layout calls it (`/dev/sda`, `/dev/nvme0n1`).
pub const VM_DISK: &str = "/dev/vda";

/// Why a scenario cannot run on the Debian guest.
#[derive(Debug, thiserror::Error)]
pub enum RealizeError {
    /// A realized option with a value the guest cannot take.
    #[error("{file}: the option `{option}` {message}")]
    Invalid {
        option: String,
        file: String,
        message: String,
    },

    /// A value the user sets against one a realized module defines itself.
    #[error(
        "the option `{option}` has conflicting definition values: {first_value} in {first_file} \
         and {second_value} in {second_file}"
    )]
    Conflict {
        option: String,
        first_file: String,
        first_value: String,
        second_file: String,
        second_value: String,
    },

    #[error("the scenario's disko layout cannot be installed: {0}")]
    Layout(#[from] LayoutError),
}

/// An option a module sets that the guest does not get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotRealized {
    pub option: String,
    pub file: String,
    pub why: String,
}

/// What the guest gets for a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Realized {
    pub scenario: String,
    /// Guest path to content; the activation script is one of them ([`ACTIVATION`]).
    pub files: BTreeMap<String, String>,
    /// The options that mount `/`, for the kernel's `rootflags=`.
    pub root_options: Vec<String>,
    /// The layout the guest is installed on, its disk as the VM has it ([`VM_DISK`]).
    pub disk: Disk,
    /// The disk as the layout names it, when that is not the VM's.
    pub disk_written_as: Option<String>,
    pub not_realized: Vec<NotRealized>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<String>,
}

/// What each part of the realization gives: files, activation lines, and what it leaves.
#[derive(Debug, Default)]
struct Part {
    files: BTreeMap<String, String>,
    activation: Vec<String>,
    not_realized: Vec<NotRealized>,
}

impl Part {
    fn file(&mut self, path: &str, content: String) {
        self.files.insert(path.to_owned(), content);
    }

    fn merge(&mut self, other: Part) {
        self.files.extend(other.files);
        self.activation.extend(other.activation);
        self.not_realized.extend(other.not_realized);
    }
}

/// Realizes the scenario for the Debian guest.
pub fn realize(loaded: &Loaded) -> Result<Realized, RealizeError> {
    let mounted = mounts::realize(loaded)?;
    let mut part = Part::default();
    part.merge(mounted.part);
    part.merge(nix::realize(loaded)?);
    part.merge(zram::realize(loaded));
    part.merge(sysctl::realize(loaded)?);
    part.merge(ssh::realize(loaded)?);
    part.merge(accounts::realize(loaded));
    part.merge(packages::realize(loaded));
    if let Some(name) = loaded.at("networking.hostName").and_then(|v| v.as_str()) {
        part.file(HOSTNAME, format!("{name}\n"));
    }
    part.not_realized.extend(unrealized(loaded));
    part.not_realized
        .sort_by(|a, b| (&a.file, &a.option).cmp(&(&b.file, &b.option)));
    part.not_realized.dedup();
    if !part.activation.is_empty() {
        let script = format!(
            "# The scenario's activation, run before systemd starts.\nset -u\n{}\n",
            part.activation.join("\n")
        );
        part.file(ACTIVATION, script);
    }
    Ok(Realized {
        scenario: loaded.scenario.name.clone(),
        files: part.files,
        root_options: mounted.root_options,
        disk: mounted.disk,
        disk_written_as: mounted.written_as,
        not_realized: part.not_realized,
        skipped: loaded.skipped.clone(),
        warnings: loaded.warnings.clone(),
    })
}

/// Every definition of an option no part realizes.
fn unrealized(loaded: &Loaded) -> Vec<NotRealized> {
    loaded
        .definitions
        .iter()
        .filter(|d| !realized(d))
        .map(|d| NotRealized {
            option: show_option(&d.path),
            file: d.file.display().to_string(),
            why: "not realized on debian".into(),
        })
        .collect()
}

/// The options the parts read: every other one is listed as not realized.
fn realized(definition: &Definition) -> bool {
    let path: Vec<&str> = definition.path.iter().map(String::as_str).collect();
    match path.as_slice() {
        ["disko", "devices", ..] => true,
        ["fileSystems", _, option] => mounts::FILE_SYSTEM_OPTIONS.contains(option),
        ["swapDevices"] => true,
        ["nix", "settings", _] | ["nix", "extraOptions"] => true,
        ["zramSwap", option] => zram::OPTIONS.contains(option),
        ["boot", "kernel", "sysctl", _] => true,
        ["services", "openssh", option] => ssh::OPTIONS.contains(option),
        ["services", "openssh", "settings", _] => true,
        ["users", "users", _, option] => accounts::USER_OPTIONS.contains(option),
        ["users", "users", _, "openssh", "authorizedKeys", _] => true,
        ["users", "mutableUsers"] => true,
        ["security", "sudo", option] => accounts::SUDO_OPTIONS.contains(option),
        ["networking", "hostName"] => true,
        // Each package is judged by `packages`.
        ["environment", "systemPackages"] => true,
        _ => false,
    }
}

/// A realized option whose value the guest cannot take.
fn invalid(loaded: &Loaded, path: &[String], message: &str) -> RealizeError {
    RealizeError::Invalid {
        option: show_option(path),
        file: loaded.defined_in(path),
        message: message.to_owned(),
    }
}

fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|part| (*part).to_owned()).collect()
}

/// The strings of a list value (none when it is not a list).
fn texts(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .collect()
}

/// A value as a shell word, quoted.
fn quote(text: &str) -> String {
    crate::vm::protocol::shell_quote(text)
}

impl Realized {
    /// What the guest gets, as a reader (and the realized snapshots) see it: the disk, the
    /// root's options, each file under its guest path, then what is not realized and why.
    pub fn render(&self) -> String {
        let mut text = format!("scenario: {}\n", self.scenario);
        if let Some(written) = &self.disk_written_as {
            text.push_str(&format!(
                "disk: {written} (the layout's) is {VM_DISK} in the VM\n"
            ));
        }
        text.push_str(&format!("rootflags: {}\n", self.root_options.join(",")));
        for (path, content) in &self.files {
            text.push_str(&format!("\n=== {path}\n{content}"));
        }
        let mut listed = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                text.push_str(&format!("\n=== {title}\n{}\n", lines.join("\n")));
            }
        };
        listed(
            "not realized on debian",
            self.not_realized
                .iter()
                .map(|n| format!("{} ({}): {}", n.option, n.file, n.why))
                .collect(),
        );
        listed(
            "imports of nixpkgs not evaluated",
            self.skipped
                .iter()
                .map(|s| format!("{} ({}): {}", s.import, s.file, s.reason))
                .collect(),
        );
        listed("warnings", self.warnings.clone());
        text
    }
}
