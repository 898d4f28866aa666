//! Tricky cases of `btrfs filesystem usage`, with small real-looking inputs.

use super::*;

const LINEAR_6: &str = "\
WARNING: cannot read detailed chunk info, per-device usage will not be shown, run as root
Overall:
    Device size:\t\t   1.00GiB
    Device allocated:\t\t 462.38MiB
    Device unallocated:\t\t 561.62MiB
    Device missing:\t\t     0.00B
    Device slack:\t\t  16.00EiB
    Used:\t\t\t 190.73MiB
    Free (estimated):\t\t 734.20MiB\t(min: 453.39MiB)
    Free (statfs, df):\t\t 733.20MiB
    Data ratio:\t\t\t      1.00
    Metadata ratio:\t\t      2.00
    Global reserve:\t\t   5.50MiB\t(used: 0.00B)
    Multiple profiles:\t\t       yes\t(data, metadata)

Data,single: Size:344.00MiB, Used:171.42MiB (49.83%)

Metadata,DUP: Size:51.19MiB, Used:9.64MiB (18.83%)
";

#[test]
fn overall_block_of_a_non_root_run() {
    let usage = parse(LINEAR_6).unwrap();
    assert_eq!(usage.warnings.len(), 1);
    let overall = usage.overall;
    assert_eq!(overall.device_size.bytes, 1 << 30);
    assert_eq!(
        overall.device_size.rounding,
        Rounding::Nearest {
            unit: 1 << 30,
            decimals: 2
        }
    );
    assert_eq!(overall.device_missing, Some(Size::exact(0)));
    assert_eq!(overall.device_slack.unwrap().bytes, u64::MAX);
    assert_eq!(overall.free_estimated_min.unwrap().bytes, 475_413_873); // 453.39 MiB
    assert_eq!(overall.global_reserve_used, Some(Size::exact(0)));
    assert_eq!(overall.metadata_ratio, Some(2.0));
    let multiple = overall.multiple_profiles.unwrap();
    assert!(multiple.present);
    assert_eq!(multiple.groups, ["data", "metadata"]);
    assert_eq!(usage.sections.len(), 2);
    assert!(usage.sections.iter().all(|s| s.devices.is_empty()));
    assert_eq!(usage.sections[1].used_percent, Some(18.83));
}

#[test]
fn old_layout_bytes_missing_device_and_negative_unallocated() {
    let input = "Overall:\n    Device size:\t\t        3221225472\n\
        Device unallocated:\t\t          -1048576\n    Used:\t\t\t 716374016\n\
        Free (estimated):\t\t         845864960\t(min: 724776277)\n\
        Data ratio:\t\t\t              2.00\n\n\
        Data,RAID1: Size:832110592, Used:349511680\n   /dev/sda 3\t 671088640\n\
        missing\t 671088640\n\nUnallocated:\n   /dev/sda 3\t -1048576\n";
    let usage = parse(input).unwrap();
    assert_eq!(usage.overall.device_size, Size::exact(3_221_225_472));
    let unallocated = usage.overall.device_unallocated.unwrap();
    assert!(unallocated.negative);
    assert_eq!(unallocated.size, Size::exact(1_048_576));
    let data = &usage.sections[0];
    assert_eq!(
        (data.kind.as_str(), data.profile.as_str()),
        ("Data", "RAID1")
    );
    assert_eq!(data.used_percent, None);
    assert_eq!(data.devices[0].device, "/dev/sda 3");
    assert_eq!(data.devices[1].device, "missing");
    assert!(usage.unallocated[0].amount.negative);
}

#[test]
fn si_units_are_decimal() {
    let input = "Overall:\n    Device size:\t\t            1.07GB\n    Used:\t\t\t 16.38kB\n\
                 Free (estimated):\t\t          769.87MB\t(min: 475.41MB)\n";
    let overall = parse(input).unwrap().overall;
    assert_eq!(overall.device_size.bytes, 1_070_000_000);
    assert_eq!(overall.used.bytes, 16_380);
}

#[test]
fn table_with_two_data_profiles_and_slack() {
    let input = "Overall:\n    Device size:\t\t   2.88GiB\n    Used:\t\t\t 475.16MiB\n\
        Free (estimated):\t\t   1.02GiB\t(min: 784.41MiB)\n\n\
        \x20             Data      Data      Metadata  System\n\
        Id Path       single    RAID1     RAID1C3   RAID1C3  Unallocated Total     Slack\n\
        -- ---------- --------- --------- --------- -------- ----------- --------- ---------\n\
        \x201 /dev/loop1         - 320.00MiB 256.00MiB  8.00MiB   316.00MiB 900.00MiB 124.00MiB\n\
        \x203 /dev/loop3 285.44MiB 153.56MiB 256.00MiB  8.00MiB   -10.00GiB   1.00GiB         -\n\
        -- ---------- --------- --------- --------- -------- ----------- --------- ---------\n\
        \x20  Total      285.44MiB 473.56MiB 256.00MiB  8.00MiB   923.44MiB   2.88GiB 124.00MiB\n\
        \x20  Used       208.03MiB 125.29MiB   5.50MiB 16.00KiB\n";
    let table = parse(input).unwrap().table.unwrap();
    assert_eq!(table.columns.len(), 4);
    assert_eq!(table.columns[1].kind, "Data");
    assert_eq!(table.columns[1].profile, "RAID1");
    assert_eq!(table.columns[3].used.unwrap().bytes, 16 * 1024);
    let first = &table.devices[0];
    assert_eq!((first.id, first.path.as_str()), (1, "/dev/loop1"));
    assert_eq!(first.allocated[0], None);
    assert_eq!(first.space.slack.unwrap().size.bytes, 124 << 20);
    assert!(table.devices[1].space.unallocated.unwrap().negative);
    assert_eq!(table.devices[1].space.slack, None);
    assert_eq!(table.space.total.unwrap().size.bytes, 3_092_376_453);
}

#[test]
fn refusals_name_the_line() {
    let only_warnings = "WARNING: cannot read detailed chunk info\nWARNING: radid56 found\n";
    assert_eq!(parse(only_warnings).unwrap_err().line, 2);
    assert_eq!(
        parse("ERROR: not a btrfs filesystem: /\n")
            .unwrap_err()
            .line,
        1
    );
    assert_eq!(parse("").unwrap_err().line, 0);
    let no_used = "Overall:\n    Device size:\t\t   1.00GiB\n";
    assert_eq!(parse(no_used).unwrap_err().line, 1);
    let bad_size = "Overall:\n    Device size:\t\t   1.00XiB\n";
    assert_eq!(parse(bad_size).unwrap_err().line, 2);
    let stray = LINEAR_6.replace("Metadata,DUP", "Metadata DUP");
    assert!(parse(&stray).is_err());
}
