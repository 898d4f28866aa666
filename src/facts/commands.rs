//! The commands run on a machine to read its facts: the guide's five verification commands,
//! its five monitoring commands in bounded forms, and the few extra reads the facts need.
//! Each is a named constant; [`ALL`] lists them in the order they run, and the facts read
//! their outputs by these constants, so each name is spelt once.

use crate::probe::Probe;

/// Which part of the guide a probe comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// "Verification Commands".
    Verification,
    /// "Monitoring and Testing".
    Monitoring,
    /// Not in the guide: what the facts need besides (swap devices, sysctl values...).
    Fact,
}

#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// File name of its raw output (`<name>.txt`), and its name in progress lines.
    pub name: &'static str,
    /// The command as the guide writes it.
    pub guide: &'static str,
    /// What runs in the guest; why it differs from the guide is in the comment beside it.
    pub command: &'static str,
    pub parser: Option<Probe>,
    pub origin: Origin,
}

/// A Btrfs directory the compression probes write their corpus into: the /home subvolume.
pub const CORPUS_DIR: &str = "/home/corpus";

/// Real source code for compression to act on: the guest's Python standard library sources.
/// `--reflink=never`: /usr and /home share one Btrfs, and a reflinked copy would share the
/// original's uncompressed extents instead of writing (and compressing) new ones.
pub const WRITE_CORPUS: &str = "rm -rf /home/corpus && mkdir -p /home/corpus && \
    cp -r --reflink=never /usr/lib/python3.13/. /home/corpus/ && \
    find /home/corpus -type d -name __pycache__ -prune -exec rm -rf {} + && sync";

/// A derivation that needs neither nixpkgs nor the network, for the build-time probe.
const HELLO_BUILD: &str = "nix-build --no-out-link --option sandbox false \
    --option build-users-group '' --option substituters '' -E \
    'derivation { name = \"nixos-tuning-hello\"; system = builtins.currentSystem; \
    builder = \"/bin/sh\"; args = [ \"-c\" \"echo hello > $out\" ]; }' 2>&1 | grep -E \"^/nix/store|built\"";

pub const MOUNT: Command = Command {
    name: "mount",
    guide: "mount | grep btrfs",
    // All of it: the facts also record the other file systems (vfat /boot).
    command: "mount",
    parser: Some(Probe::Mount),
    origin: Origin::Verification,
};

pub const NIX_CONFIG: Command = Command {
    name: "nix-config",
    guide: "nix show-config | grep -E \"(max-jobs|cores)\"",
    // In full, since the facts need every setting; Debian's Nix needs nix-command enabled.
    command: "nix --extra-experimental-features nix-command show-config 2>&1",
    parser: Some(Probe::NixConfig),
    origin: Origin::Verification,
};

pub const FREE: Command = Command {
    name: "free",
    guide: "free -h",
    command: "free -h",
    parser: Some(Probe::Free),
    origin: Origin::Verification,
};

pub const DF: Command = Command {
    name: "df",
    guide: "df -h",
    command: "df -h",
    parser: Some(Probe::Df),
    origin: Origin::Verification,
};

pub const SYSTEMCTL_STATUS: Command = Command {
    name: "systemctl-status",
    guide: "systemctl status",
    command: "systemctl status --no-pager",
    parser: Some(Probe::SystemctlStatus),
    origin: Origin::Verification,
};

pub const NIX_BUILD: Command = Command {
    name: "nix-build",
    guide: "nix-build --show-trace '<nixpkgs>' -A hello 2>&1 | grep \"built:\"",
    // The guest has no nixpkgs and no network: build a derivation that needs neither.
    command: HELLO_BUILD,
    parser: None,
    origin: Origin::Monitoring,
};

pub const BTRFS_USAGE: Command = Command {
    name: "btrfs-usage",
    guide: "btrfs filesystem usage /",
    command: "btrfs filesystem usage /",
    parser: Some(Probe::BtrfsUsage),
    origin: Origin::Monitoring,
};

pub const TOP: Command = Command {
    name: "top",
    guide: "htop",
    // htop is interactive: one batch listing of top keeps its meaning.
    command: "top -b -n 1 -w 200",
    parser: Some(Probe::Top),
    origin: Origin::Monitoring,
};

pub const COMPSIZE: Command = Command {
    name: "compsize",
    guide: "sudo compsize /",
    // As written it stops at the first file that is not on Btrfs, which on the guide's
    // layout is the vfat /boot; `-x` keeps to the root subvolume (the guide's intent).
    command: "compsize -x /",
    parser: Some(Probe::Compsize),
    origin: Origin::Monitoring,
};

pub const COMPSIZE_AS_WRITTEN: Command = Command {
    name: "compsize-as-written",
    guide: "sudo compsize /",
    // Recorded, not parsed: whether the guide's exact form works on its own layout.
    command: "if compsize / >/dev/null 2>/tmp/compsize.err; then echo works; \
        else sed 's/^[^:]*: //' /tmp/compsize.err; fi",
    parser: None,
    origin: Origin::Monitoring,
};

pub const COMPSIZE_CORPUS: Command = Command {
    name: "compsize-corpus",
    guide: "sudo compsize /",
    // Only what was written after the optimization took effect: the installed system was
    // copied in before, uncompressed, as on a machine that enables compression later.
    command: "compsize /home/corpus",
    parser: Some(Probe::Compsize),
    origin: Origin::Monitoring,
};

pub const IOSTAT: Command = Command {
    name: "iostat",
    guide: "iostat -x 5",
    // Endless as written: three one-second reports keep its meaning.
    command: "iostat -x 1 3",
    parser: Some(Probe::Iostat),
    origin: Origin::Monitoring,
};

pub const FREE_BYTES: Command = Command {
    name: "free-bytes",
    guide: "free -h",
    command: "free -b",
    parser: Some(Probe::Free),
    origin: Origin::Fact,
};

pub const SWAPON: Command = Command {
    name: "swapon",
    guide: "",
    command: "swapon --show --bytes",
    parser: Some(Probe::Swapon),
    origin: Origin::Fact,
};

pub const ZRAMCTL: Command = Command {
    name: "zramctl",
    guide: "",
    command: "zramctl",
    parser: Some(Probe::Zramctl),
    origin: Origin::Fact,
};

pub const SYSCTL: Command = Command {
    name: "sysctl",
    guide: "",
    command: "sysctl vm.swappiness vm.max_map_count kernel.kptr_restrict vm.panic_on_oom \
        vm.page-cluster vm.vfs_cache_pressure",
    parser: Some(Probe::Sysctl),
    origin: Origin::Fact,
};

pub const SYSTEMCTL_FAILED: Command = Command {
    name: "systemctl-failed",
    guide: "",
    command: "systemctl --failed --no-pager",
    parser: Some(Probe::SystemctlFailed),
    origin: Origin::Fact,
};

/// Every command, in the order they run.
pub const ALL: &[Command] = &[
    MOUNT,
    NIX_CONFIG,
    FREE,
    DF,
    SYSTEMCTL_STATUS,
    NIX_BUILD,
    BTRFS_USAGE,
    TOP,
    COMPSIZE,
    COMPSIZE_AS_WRITTEN,
    COMPSIZE_CORPUS,
    IOSTAT,
    FREE_BYTES,
    SWAPON,
    ZRAMCTL,
    SYSCTL,
    SYSTEMCTL_FAILED,
];
