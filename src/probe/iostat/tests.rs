//! The iostat parser against captured outputs of every form it reads.

use super::*;
use crate::probe::size::Rounding;

#[test]
fn sysstat_10_wrapped_long_name_and_sectors() {
    let input = "Linux 2.6.32-431.el6.x86_64 (db1) \t03/12/2014 \t_x86_64_\t(4 CPU)\n\n\
Device:         rrqm/s   wrqm/s     r/s     w/s   rsec/s   wsec/s avgrq-sz avgqu-sz   await  svctm  %util\n\
VolGroup-lv_root\n\
                  0.02     1.09    0.03    1.27     1.06    16.18    13.24     0.01    7.32   5.41   0.70\n";
    let parsed = parse(input).unwrap();
    let system = parsed.system.unwrap();
    assert_eq!(system.hostname, "db1");
    assert_eq!(system.cpus, Some(4));
    assert_eq!(system.machine.as_deref(), Some("x86_64"));
    let device = &parsed.reports[0].devices[0];
    assert_eq!(device.name, "VolGroup-lv_root");
    assert_eq!(device.values["avgrq-sz"], 13.24);
    assert_eq!(device.util_percent, Some(0.70));
    let written = device.write_per_s.unwrap();
    assert_eq!(written.bytes, 8284); // 16.18 sectors of 512 bytes
    assert_eq!(
        written.rounding,
        Rounding::Nearest {
            unit: 512,
            decimals: 2
        }
    );
}

#[test]
fn comma_decimals_and_timestamps() {
    let input = "Linux 6.1.0 (vm) \t26.11.2026 \t_x86_64_\t(2 CPU)\n\n26.11.2026 12:57:33\n\
avg-cpu:  %user   %nice %system %iowait  %steal   %idle\n          13,14    0,00    7,19    1,00    0,03   78,64\n\n\
Device            r/s     rkB/s  %util\nvda            148,82   4680,39   3,87\n\n";
    let parsed = parse(input).unwrap();
    let report = &parsed.reports[0];
    assert_eq!(report.timestamp.as_deref(), Some("26.11.2026 12:57:33"));
    assert_eq!(report.cpu.as_ref().unwrap().user, 13.14);
    assert_eq!(report.devices[0].read_per_s.unwrap().bytes, 4_792_719);
}

#[test]
fn human_tables_merge_into_one_report() {
    let input = "     r/s     rkB/s  %rrqm Device\n    0.15      4.5M  13.3% vda\n\n\
     w/s  %util Device\n    0.03   3.8% vda\n";
    let parsed = parse(input).unwrap();
    assert_eq!(parsed.reports.len(), 1);
    let device = &parsed.reports[0].devices[0];
    assert_eq!(device.values["rkB/s"], 4608.0);
    assert_eq!(device.values["%util"], 3.8);
    let read = device.read_per_s.unwrap();
    assert_eq!(read.bytes, 4_718_592);
    assert_eq!(
        read.rounding,
        Rounding::Nearest {
            unit: 1 << 20,
            decimals: 1
        }
    );
}

#[test]
fn json_keys_become_text_headers() {
    let input = r#"{"sysstat": {"hosts": [{"nodename": "vm", "sysname": "Linux", "release": "6.1",
        "machine": "x86_64", "number-of-cpus": 2, "date": "11/26/26", "statistics": [
        {"disk": [{"disk_device": "vda", "r/s": 1.00, "rkB/s": 2.50, "rrqm": 18.00, "util": 3.69}]}]}]}}"#;
    let parsed = parse(input).unwrap();
    let device = &parsed.reports[0].devices[0];
    assert_eq!(device.values["%rrqm"], 18.0);
    assert_eq!(device.util_percent, Some(3.69));
    assert_eq!(device.read_per_s.unwrap().bytes, 2560);
}

#[test]
fn sysstat_11_5_json_names_are_per_second() {
    let input = r#"{"sysstat": {"hosts": [{"statistics": [{"disk": [
        {"disk_device": "sda", "rrqm": 0.5, "r": 2.0, "rkB": 8.0, "util": 1.0}]}]}]}}"#;
    let device = &parse(input).unwrap().reports[0].devices[0];
    assert_eq!(device.values["rrqm/s"], 0.5);
    assert_eq!(device.values["r/s"], 2.0);
    assert_eq!(device.read_per_s.unwrap().bytes, 8192);
}

#[test]
fn refuses_what_is_not_iostat() {
    assert!(parse("").is_err());
    let err = parse("Filesystem Size Used\n/dev/vda1 10G 5G\n").unwrap_err();
    assert_eq!(err.line, 1);
    let err = parse("Device r/s w/s\nvda 1.0\n").unwrap_err();
    assert_eq!(err.line, 2);
    let err = parse("avg-cpu:  %user   %nice %system %iowait  %steal   %idle\n").unwrap_err();
    assert_eq!(err.line, 0);
    assert!(parse("{\"sysstat\": 1}").is_err());
    assert_eq!(parse("{\n\"a\": [1,\n").unwrap_err().line, 3);
}
