//! The disko layout read with real Nix, and what the Debian backend makes of it.

use nixos_tuning::backend::debian::install;
use nixos_tuning::disko as layout;
use serde_json::json;

use crate::support::{project_root, snapshot_settings};

fn machine_layout() -> layout::Disk {
    let file = project_root().join("nix-tests/machine/disko.nix");
    let evaluated = nixos_tuning::nix::eval_json(&file).unwrap();
    layout::read(&evaluated).unwrap()
}

#[test]
fn the_machine_has_three_btrfs_subvolumes_with_the_guides_options() {
    let disk = machine_layout();
    let mounts = disk.mounts();
    let btrfs: Vec<_> = mounts.iter().filter(|m| m.fs_type == "btrfs").collect();
    let points: Vec<_> = btrfs.iter().map(|m| m.mountpoint.as_str()).collect();
    assert_eq!(points, ["/", "/home", "/nix"]);
    for mount in btrfs {
        assert!(mount
            .options
            .starts_with(&["noatime".into(), "space_cache=v2".into()]));
        assert!(mount.options.iter().any(|o| o.starts_with("subvol=/")));
    }
    let _guard = snapshot_settings("layout").bind_to_scope();
    insta::assert_snapshot!("fstab", install::fstab(&mounts));
}

#[test]
fn the_install_partitions_formats_mounts_and_copies() {
    let steps = install::steps(&machine_layout());
    let titles: Vec<_> = steps.iter().map(|s| s.title.as_str()).collect();
    let _guard = snapshot_settings("layout").bind_to_scope();
    insta::assert_snapshot!("install-steps", titles.join("\n"));
}

#[test]
fn unsupported_disko_content_is_named_by_its_path() {
    let evaluated = json!({"disko": {"devices": {"disk": {"main": {
        "type": "disk", "device": "/dev/vda",
        "content": {"type": "gpt", "partitions": {"root": {
            "size": "100%", "content": {"type": "luks", "name": "crypted"}}}}}}}}});
    let err = layout::read(&evaluated).unwrap_err();
    assert_eq!(
        err.path,
        "disko.devices.disk.main.content.partitions.root.content.type"
    );
    assert!(err.message.contains("`luks` is not supported"), "{err}");
}

#[test]
fn unknown_disko_options_are_refused() {
    let evaluated = json!({"disko": {"devices": {"zpool": {"zroot": {"type": "zpool"}}}}});
    let err = layout::read(&evaluated).unwrap_err();
    assert_eq!(err.path, "disko.devices.zpool");
}
