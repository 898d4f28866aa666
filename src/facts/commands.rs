//! The commands run on a machine to read its facts: the guide's five verification commands,
//! its five monitoring commands in bounded forms, and the few extra reads the facts need.
//! Each is a named constant; [`ALL`] lists them in the order they run in the VM, and the facts
//! read their outputs by these constants, so each name is spelt once. Each says whether it
//! may run on a live server ([`Reach`]): [`live`] lists those, for `check` and `advise --ssh`.

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

/// Where a command may run: only a read-only command that leaves no file behind runs on a
/// live server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// Read-only, as any user.
    Live,
    /// Read-only, but it needs root: on a live server only when the user allows `sudo -n`.
    LiveRoot,
    /// Only in the test VM: it writes (the build) or reads what only the VM has (the corpus).
    VmOnly,
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
    pub reach: Reach,
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
    reach: Reach::Live,
};

pub const NIX_CONFIG: Command = Command {
    name: "nix-config",
    guide: "nix show-config | grep -E \"(max-jobs|cores)\"",
    // In full, since the facts need every setting; Debian's Nix needs nix-command enabled.
    command: "nix --extra-experimental-features nix-command show-config 2>&1",
    parser: Some(Probe::NixConfig),
    origin: Origin::Verification,
    reach: Reach::Live,
};

pub const FREE: Command = Command {
    name: "free",
    guide: "free -h",
    command: "free -h",
    parser: Some(Probe::Free),
    origin: Origin::Verification,
    reach: Reach::Live,
};

pub const DF: Command = Command {
    name: "df",
    guide: "df -h",
    command: "df -h",
    parser: Some(Probe::Df),
    origin: Origin::Verification,
    reach: Reach::Live,
};

pub const SYSTEMCTL_STATUS: Command = Command {
    name: "systemctl-status",
    guide: "systemctl status",
    command: "systemctl status --no-pager",
    parser: Some(Probe::SystemctlStatus),
    origin: Origin::Verification,
    reach: Reach::Live,
};

pub const NIX_BUILD: Command = Command {
    name: "nix-build",
    guide: "nix-build --show-trace '<nixpkgs>' -A hello 2>&1 | grep \"built:\"",
    // The guest has no nixpkgs and no network: build a derivation that needs neither.
    command: HELLO_BUILD,
    parser: None,
    origin: Origin::Monitoring,
    reach: Reach::VmOnly,
};

pub const BTRFS_USAGE: Command = Command {
    name: "btrfs-usage",
    guide: "btrfs filesystem usage /",
    command: "btrfs filesystem usage /",
    parser: Some(Probe::BtrfsUsage),
    origin: Origin::Monitoring,
    reach: Reach::Live,
};

pub const TOP: Command = Command {
    name: "top",
    guide: "htop",
    // htop is interactive: one batch listing of top keeps its meaning. procps' top creates
    // `~/.config/procps` when it can; a config home it cannot create keeps it from writing.
    command: "XDG_CONFIG_HOME=/dev/null top -b -n 1 -w 200",
    parser: Some(Probe::Top),
    origin: Origin::Monitoring,
    reach: Reach::Live,
};

pub const COMPSIZE: Command = Command {
    name: "compsize",
    guide: "sudo compsize /",
    // As written it stops at the first file that is not on Btrfs, which on the guide's
    // layout is the vfat /boot; `-x` keeps to the root subvolume (the guide's intent).
    command: "compsize -x /",
    parser: Some(Probe::Compsize),
    origin: Origin::Monitoring,
    reach: Reach::LiveRoot,
};

pub const COMPSIZE_AS_WRITTEN: Command = Command {
    name: "compsize-as-written",
    guide: "sudo compsize /",
    // Recorded, not parsed: whether the guide's exact form works on its own layout. Its
    // error is kept in a variable, not a file, so it writes nothing.
    command: "if err=$(compsize / 2>&1 >/dev/null); then echo works; \
        else printf '%s\\n' \"$err\" | sed 's/^[^:]*: //'; fi",
    parser: None,
    origin: Origin::Monitoring,
    reach: Reach::LiveRoot,
};

pub const COMPSIZE_CORPUS: Command = Command {
    name: "compsize-corpus",
    guide: "sudo compsize /",
    // Only what was written after the optimization took effect: the installed system was
    // copied in before, uncompressed, as on a machine that enables compression later.
    command: "compsize /home/corpus",
    parser: Some(Probe::Compsize),
    origin: Origin::Monitoring,
    reach: Reach::VmOnly,
};

pub const IOSTAT: Command = Command {
    name: "iostat",
    guide: "iostat -x 5",
    // Endless as written: three one-second reports keep its meaning.
    command: "iostat -x 1 3",
    parser: Some(Probe::Iostat),
    origin: Origin::Monitoring,
    reach: Reach::Live,
};

pub const FREE_BYTES: Command = Command {
    name: "free-bytes",
    guide: "free -h",
    command: "free -b",
    parser: Some(Probe::Free),
    origin: Origin::Fact,
    reach: Reach::Live,
};

pub const SWAPON: Command = Command {
    name: "swapon",
    guide: "",
    command: "swapon --show --bytes",
    parser: Some(Probe::Swapon),
    origin: Origin::Fact,
    reach: Reach::Live,
};

pub const ZRAMCTL: Command = Command {
    name: "zramctl",
    guide: "",
    command: "zramctl",
    parser: Some(Probe::Zramctl),
    origin: Origin::Fact,
    reach: Reach::Live,
};

pub const SYSCTL: Command = Command {
    name: "sysctl",
    guide: "",
    command: "sysctl vm.swappiness vm.max_map_count kernel.kptr_restrict vm.panic_on_oom \
        vm.page-cluster vm.vfs_cache_pressure",
    parser: Some(Probe::Sysctl),
    origin: Origin::Fact,
    reach: Reach::Live,
};

pub const SYSTEMCTL_FAILED: Command = Command {
    name: "systemctl-failed",
    guide: "",
    command: "systemctl --failed --no-pager",
    parser: Some(Probe::SystemctlFailed),
    origin: Origin::Fact,
    reach: Reach::Live,
};

/// A live server's CPUs, for what `max-jobs = auto` means there; the VM's are fixed
/// (`vm::qemu::GUEST`), so the VM does not run it.
pub const NPROC: Command = Command {
    name: "nproc",
    guide: "",
    command: "nproc",
    parser: None,
    origin: Origin::Fact,
    reach: Reach::Live,
};

/// What runs on a live server besides the read-only commands of [`ALL`].
const LIVE_ONLY: &[Command] = &[NPROC];

/// The commands that may run on a live server, in order: never one of [`Reach::VmOnly`].
pub fn live() -> impl Iterator<Item = &'static Command> {
    ALL.iter()
        .filter(|command| command.reach != Reach::VmOnly)
        .chain(LIVE_ONLY)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_live_command_writes_or_reads_the_corpus() {
        let live: Vec<&str> = live().map(|c| c.command).collect();
        for command in &live {
            assert!(!command.contains(CORPUS_DIR), "{command}");
            assert!(!command.contains("/tmp"), "{command}");
            assert!(!command.contains("nix-build"), "{command}");
        }
        assert!(live.contains(&"nproc"));
        assert_eq!(live.len(), ALL.len() - 2 + 1);
    }
}
