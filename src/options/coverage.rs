//! Which module declares the NixOS options the project sets, so that a path the index does
//! not declare can be told apart: a misspelling (its declaring module was read) or a gap (its
//! declaring module was not read, so nothing about it is known), never passed silently.
//!
//! nixpkgs is the one source the index may hold in part (`module` lines name the files read):
//! an option is *covered* when the module that declares it in nixpkgs 25.05 is listed. disko
//! and Home Manager are read whole, so their prefixes are covered whenever their `source` is.

use super::index::Index;

/// The module declaring every option below `prefix` (`<name>` matches any name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declarer {
    pub prefix: &'static str,
    /// `nixpkgs`, `disko` or `home-manager`, as the index's `source` lines name them.
    pub source: &'static str,
    /// Its path in that source.
    pub file: &'static str,
}

const fn nixpkgs(prefix: &'static str, file: &'static str) -> Declarer {
    Declarer {
        prefix,
        source: "nixpkgs",
        file,
    }
}

/// Every option prefix the project's NixOS modules set (`nix-tests/machine/configuration.nix`,
/// `nix-tests/nixos/vm.nix`, `nix-tests/optimizations/*.nix`), with the module that declares
/// it in NixOS 25.05. The longest matching prefix wins (`users.users.<name>.openssh` is
/// sshd.nix's, the rest of `users.users` users-groups.nix's). The prefixes are as narrow as
/// what the project sets, so that a new option of another module (`virtualisation.docker`)
/// is reported as uncovered rather than as missing from the module of a sibling: add its
/// module here and to the index.
pub const DECLARERS: &[Declarer] = &[
    nixpkgs("boot.kernel.sysctl", "nixos/modules/config/sysctl.nix"),
    nixpkgs(
        "boot.loader.systemd-boot",
        "nixos/modules/system/boot/loader/systemd-boot/systemd-boot.nix",
    ),
    nixpkgs(
        "environment.systemPackages",
        "nixos/modules/config/system-path.nix",
    ),
    nixpkgs("fileSystems", "nixos/modules/tasks/filesystems.nix"),
    nixpkgs(
        "networking.hostName",
        "nixos/modules/tasks/network-interfaces.nix",
    ),
    nixpkgs("nix.settings", "nixos/modules/config/nix.nix"),
    nixpkgs("security.sudo", "nixos/modules/security/sudo.nix"),
    nixpkgs(
        "services.logrotate",
        "nixos/modules/services/logging/logrotate.nix",
    ),
    nixpkgs(
        "services.openssh",
        "nixos/modules/services/networking/ssh/sshd.nix",
    ),
    nixpkgs("system.stateVersion", "nixos/modules/misc/version.nix"),
    nixpkgs(
        "systemd.tmpfiles",
        "nixos/modules/system/boot/systemd/tmpfiles.nix",
    ),
    nixpkgs(
        "users.mutableUsers",
        "nixos/modules/config/users-groups.nix",
    ),
    nixpkgs("users.users", "nixos/modules/config/users-groups.nix"),
    nixpkgs(
        "users.users.<name>.openssh",
        "nixos/modules/services/networking/ssh/sshd.nix",
    ),
    nixpkgs(
        "virtualisation.cores",
        "nixos/modules/virtualisation/qemu-vm.nix",
    ),
    nixpkgs(
        "virtualisation.fileSystems",
        "nixos/modules/virtualisation/qemu-vm.nix",
    ),
    nixpkgs(
        "virtualisation.graphics",
        "nixos/modules/virtualisation/qemu-vm.nix",
    ),
    nixpkgs(
        "virtualisation.memorySize",
        "nixos/modules/virtualisation/qemu-vm.nix",
    ),
    nixpkgs(
        "virtualisation.qemu",
        "nixos/modules/virtualisation/qemu-vm.nix",
    ),
    nixpkgs(
        "virtualisation.vlans",
        "nixos/modules/virtualisation/qemu-vm.nix",
    ),
    nixpkgs("zramSwap", "nixos/modules/config/zram.nix"),
    Declarer {
        prefix: "disko",
        source: "disko",
        file: "module.nix",
    },
    Declarer {
        prefix: "virtualisation.vmVariantWithDisko",
        source: "disko",
        file: "module.nix",
    },
    Declarer {
        prefix: "home-manager",
        source: "home-manager",
        file: "nixos/common.nix",
    },
];

/// The command that makes the index (README, "Options check").
pub const REGENERATE: &str = "cargo xtask options --nixpkgs NIXPKGS_DIR --nixpkgs-rev <nixos-25.05 commit> --disko DISKO_GIT_DIR --home-manager HOME_MANAGER_GIT_DIR";

/// The declarer of `path` (a NixOS option path): the longest prefix that matches.
pub fn declarer_of(path: &[String]) -> Option<&'static Declarer> {
    DECLARERS
        .iter()
        .filter(|declarer| {
            let prefix: Vec<&str> = declarer.prefix.split('.').collect();
            prefix.len() <= path.len()
                && prefix
                    .iter()
                    .zip(path)
                    .all(|(p, seg)| *p == "<name>" || p == seg)
        })
        .max_by_key(|declarer| declarer.prefix.split('.').count())
}

/// Whether some declarer's prefix lies strictly below `path` (`users` for `users.users.<name>
/// .openssh`): the walk has to go deeper before it can name the declarer.
pub fn declarers_below(path: &[String]) -> bool {
    DECLARERS.iter().any(|declarer| {
        let prefix: Vec<&str> = declarer.prefix.split('.').collect();
        prefix.len() > path.len()
            && prefix
                .iter()
                .zip(path)
                .all(|(p, seg)| *p == "<name>" || p == seg)
    })
}

/// Whether the index read `declarer`'s module.
pub fn is_covered(index: &Index, declarer: &Declarer) -> bool {
    match declarer.source {
        "nixpkgs" => index.lists_module("nixpkgs", declarer.file),
        source => index.has_source(source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Vec<String> {
        text.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn the_longest_prefix_names_the_module() {
        let file = |p: &str| declarer_of(&path(p)).map(|d| d.file);
        assert_eq!(
            file("users.users.admin.openssh.authorizedKeys.keys"),
            Some("nixos/modules/services/networking/ssh/sshd.nix")
        );
        assert_eq!(
            file("users.users.admin.isNormalUser"),
            Some("nixos/modules/config/users-groups.nix")
        );
        assert_eq!(
            file("virtualisation.vmVariantWithDisko"),
            Some("module.nix")
        );
        assert_eq!(
            file("virtualisation.memorySize"),
            Some("nixos/modules/virtualisation/qemu-vm.nix")
        );
        assert_eq!(file("services.opensh.enable"), None);
        assert!(declarers_below(&path("services")));
        assert!(!declarers_below(&path("services.openssh")));
    }

    #[test]
    fn nixpkgs_modules_are_covered_only_when_listed() {
        let text = "source\tdisko\tgithub:nix-community/disko/v1.13.0\tx\n\
                    module\tnixpkgs\tnixos/modules/config/zram.nix\ty\n";
        let index = Index::parse(text).unwrap();
        let covered = |p: &str| is_covered(&index, declarer_of(&path(p)).unwrap());
        assert!(covered("zramSwap.enable"));
        assert!(covered("disko.devices"));
        assert!(!covered("services.openssh.enable"));
        assert!(!covered("home-manager.useGlobalPkgs"));
    }
}
