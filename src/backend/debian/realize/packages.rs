//! `environment.systemPackages` on the Debian guest: the guest's packages are its image's,
//! built once for every scenario, so a package the modules name is realized when the image
//! has the Debian package that gives the same commands, and listed otherwise. Only the
//! modules' own packages are judged: NixOS's base system is Debian's here.

use super::{NotRealized, Part};
use crate::backend::debian::image;
use crate::scenario::Loaded;

/// nixpkgs attribute → the Debian package with the same commands, for the tools the guide
/// uses and those a VPS configuration names beside them.
const DEBIAN: &[(&str, &str)] = &[
    ("btrfs-progs", "btrfs-progs"),
    ("compsize", "btrfs-compsize"),
    ("sysstat", "sysstat"),
    ("htop", "htop"),
    ("util-linux", "util-linux"),
    ("procps", "procps"),
    ("zstd", "zstd"),
    ("python3", "python3"),
    ("gawk", "gawk"),
    ("gnutar", "tar"),
    ("coreutils", "coreutils"),
    ("nix", "nix-bin"),
    ("openssh", "openssh-server"),
    ("sudo", "sudo"),
    ("kmod", "kmod"),
    ("dosfstools", "dosfstools"),
    ("gptfdisk", "gdisk"),
];

pub fn realize(loaded: &Loaded) -> Part {
    let mut part = Part::default();
    let in_image = image::packages();
    for definition in &loaded.definitions {
        if definition.path != ["environment", "systemPackages"] {
            continue;
        }
        for package in definition.value.as_array().into_iter().flatten() {
            let name = package["name"].as_str().unwrap_or("(not a package)");
            let debian = DEBIAN
                .iter()
                .find(|(nix, _)| *nix == name)
                .map(|(_, deb)| *deb);
            let why = match debian {
                Some(deb) if in_image.contains(&deb) => continue,
                Some(deb) => format!(
                    "the Debian package `{deb}` is not in the guest image \
                     (src/backend/debian/guest/packages.txt)"
                ),
                None => {
                    "no Debian package of the guest image is known to give its commands".to_owned()
                }
            };
            part.not_realized.push(NotRealized {
                option: format!("environment.systemPackages: {name}"),
                file: definition.file.display().to_string(),
                why,
            });
        }
    }
    part
}
