//! Reads the mount table as `mount` prints it, and the option lists `findmnt` shares with it.
//!
//! Variants read, one mount per line, mixed freely:
//! - util-linux and busybox `mount`: `DEV on MOUNTPOINT type FSTYPE (OPTIONS)`, also filtered
//!   (`mount | grep btrfs`, `mount -t btrfs`) and with the ` [LABEL]` suffix of `mount -l`;
//! - `/proc/mounts` / `/etc/mtab` lines: `DEV MOUNTPOINT FSTYPE OPTIONS FREQ PASSNO`;
//! - the BSD/macOS form `DEV on MOUNTPOINT (FSTYPE, OPTION, ...)`.
//!
//! util-linux prints mount points raw (`/mnt/My Disk`), the kernel escapes them (`My\040Disk`)
//! and busybox on musl passes the escapes through, so `\ooo` octal escapes are decoded in
//! every form. Empty input is an empty table: `mount | grep btrfs` prints nothing on a machine
//! without Btrfs, and that is an answer, not a failure.

use serde::{Deserialize, Serialize};

use super::lines::non_blank;
use super::ParseError;

/// Every mount the output lists, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MountTable {
    pub mounts: Vec<Mount>,
}

/// One mounted file system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mount {
    pub device: String,
    pub mount_point: String,
    pub fs_type: String,
    /// The options in the order printed.
    pub options: Vec<MountOption>,
    /// The `[LABEL]` that `mount -l` appends.
    pub label: Option<String>,
    /// The dump frequency and fsck pass of a `/proc/mounts` line.
    pub freq: Option<u32>,
    pub passno: Option<u32>,
    /// The Btrfs options, typed, when the file system is Btrfs.
    pub btrfs: Option<BtrfsOptions>,
}

/// One mount option: a flag (`noatime`) or a `key=value` pair (`compress=zstd:3`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountOption {
    pub name: String,
    pub value: Option<String>,
}

/// The Btrfs mount options the guide tunes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BtrfsOptions {
    pub subvol: Option<String>,
    pub subvolid: Option<u64>,
    pub compress: Option<Compression>,
    /// `v1` for the bare `space_cache` flag, `v2`, or `off` for `nospace_cache`.
    pub space_cache: Option<String>,
    /// `sync` for the bare `discard` flag, `async`, or `off` for `nodiscard`.
    pub discard: Option<String>,
    pub ssd: bool,
    pub autodefrag: bool,
}

/// `compress=zstd:3` or `compress-force=lzo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compression {
    pub algorithm: String,
    pub level: Option<u8>,
    pub forced: bool,
}

/// Reads `mount` output (any of the forms in the module doc).
pub fn parse(input: &str) -> Result<MountTable, ParseError> {
    let mounts = non_blank(input)
        .map(|(number, line)| {
            parse_line(line.trim()).ok_or_else(|| {
                ParseError::at(
                    number,
                    line,
                    "not a mount line (`DEV on DIR type TYPE (OPTIONS)` or `DEV DIR TYPE OPTIONS 0 0`)",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MountTable { mounts })
}

impl MountTable {
    /// The mount on `mount_point`, the last one when it is mounted over.
    pub fn at(&self, mount_point: &str) -> Option<&Mount> {
        self.mounts
            .iter()
            .rev()
            .find(|m| m.mount_point == mount_point)
    }
}

impl Mount {
    /// The value of option `name` (`None` when absent or a flag).
    pub fn option(&self, name: &str) -> Option<&str> {
        option_value(&self.options, name)
    }

    /// Whether flag or key `name` is present.
    pub fn has_option(&self, name: &str) -> bool {
        self.options.iter().any(|o| o.name == name)
    }
}

/// The value of `name` in an option list.
pub fn option_value<'a>(options: &'a [MountOption], name: &str) -> Option<&'a str> {
    options
        .iter()
        .find(|o| o.name == name)
        .and_then(|o| o.value.as_deref())
}

fn parse_line(line: &str) -> Option<Mount> {
    proc_mounts_line(line)
        .or_else(|| mount_line(line))
        .or_else(|| bsd_line(line))
}

/// `/dev/vda2 / btrfs rw,noatime 0 0`: the kernel escapes blanks, so plain splitting is right.
fn proc_mounts_line(line: &str) -> Option<Mount> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [device, mount_point, fs_type, options, freq, passno] = fields.as_slice() else {
        return None;
    };
    let freq = freq.parse().ok()?;
    let passno = passno.parse().ok()?;
    let mut mount = build(device, mount_point, fs_type, split_options(options), None);
    mount.freq = Some(freq);
    mount.passno = Some(passno);
    Some(mount)
}

/// `DEV on DIR type TYPE (OPTS) [LABEL]`: device and mount point may hold spaces, so the line
/// is cut from the right, where the fields cannot.
fn mount_line(line: &str) -> Option<Mount> {
    let (rest, label) = split_label(line);
    let rest = rest.strip_suffix(')')?;
    let (head, options) = rest.rsplit_once(" (")?;
    let (head, fs_type) = head.rsplit_once(" type ")?;
    if fs_type.is_empty() || fs_type.contains(char::is_whitespace) {
        return None;
    }
    let (device, mount_point) = split_on(head)?;
    Some(build(
        device,
        mount_point,
        fs_type,
        split_options(options),
        label,
    ))
}

/// macOS and the BSDs: `/dev/disk1s1 on / (apfs, local, journaled)`.
fn bsd_line(line: &str) -> Option<Mount> {
    let rest = line.strip_suffix(')')?;
    let (head, inner) = rest.rsplit_once(" (")?;
    let (device, mount_point) = split_on(head)?;
    let mut items = inner.split(", ");
    let fs_type = items.next().filter(|t| !t.is_empty())?;
    let options = items.map(|item| option_from(item.trim())).collect();
    Some(build(device, mount_point, fs_type, options, None))
}

/// Splits `DEV on DIR` at the first ` on ` followed by an absolute path: a device name
/// (`//server/Bilder und Videos`) rarely holds ` on /`, a mount point never starts without `/`.
fn split_on(head: &str) -> Option<(&str, &str)> {
    let at = head
        .match_indices(" on ")
        .map(|(at, _)| at)
        .find(|&at| head.get(at + 4..).is_some_and(|rest| rest.starts_with('/')))
        .or_else(|| head.find(" on "))?;
    let device = head.get(..at)?;
    let mount_point = head.get(at + 4..)?;
    if device.is_empty() || mount_point.is_empty() {
        return None;
    }
    Some((device, mount_point))
}

/// `... (rw,relatime) [nixos]` → label `nixos`.
fn split_label(line: &str) -> (&str, Option<String>) {
    if let Some(inner) = line.strip_suffix(']') {
        if let Some((rest, label)) = inner.rsplit_once(") [") {
            return (
                line.get(..rest.len() + 1).unwrap_or(rest),
                Some(unescape(label)),
            );
        }
    }
    (line, None)
}

fn build(
    device: &str,
    mount_point: &str,
    fs_type: &str,
    options: Vec<MountOption>,
    label: Option<String>,
) -> Mount {
    let btrfs = (fs_type == "btrfs").then(|| BtrfsOptions::from_options(&options));
    Mount {
        device: unescape(device),
        mount_point: unescape(mount_point),
        fs_type: unescape(fs_type),
        options,
        label,
        freq: None,
        passno: None,
        btrfs,
    }
}

/// Splits `rw,context="a:b:c0,c1",noatime` at the commas outside double quotes (SELinux
/// contexts hold commas).
pub fn split_options(text: &str) -> Vec<MountOption> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .iter()
        .filter(|item| !item.is_empty())
        .map(|item| option_from(item))
        .collect()
}

fn option_from(item: &str) -> MountOption {
    match item.split_once('=') {
        Some((name, value)) => MountOption {
            name: unescape(name),
            value: Some(unescape(value)),
        },
        None => MountOption {
            name: unescape(item),
            value: None,
        },
    }
}

/// Decodes the kernel's `\ooo` octal escapes (`\040` space, `\011` tab, `\134` backslash).
pub fn unescape(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_owned();
    }
    let mut bytes = Vec::with_capacity(text.len());
    let raw = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match octal_at(raw, i) {
            Some(decoded) if b == b'\\' => {
                bytes.push(decoded);
                i += 4;
            }
            _ => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn octal_at(raw: &[u8], at: usize) -> Option<u8> {
    let digits = raw.get(at + 1..at + 4)?;
    let mut value: u32 = 0;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        value = value * 8 + u32::from(d - b'0');
    }
    u8::try_from(value).ok()
}

impl BtrfsOptions {
    /// Types the Btrfs options of a mount; the last occurrence wins, as in the kernel.
    pub fn from_options(options: &[MountOption]) -> BtrfsOptions {
        let mut btrfs = BtrfsOptions {
            subvol: None,
            subvolid: None,
            compress: None,
            space_cache: None,
            discard: None,
            ssd: false,
            autodefrag: false,
        };
        for option in options {
            btrfs.apply(&option.name, option.value.as_deref());
        }
        btrfs
    }

    fn apply(&mut self, name: &str, value: Option<&str>) {
        match (name, value) {
            ("subvol", Some(v)) => self.subvol = Some(v.to_owned()),
            ("subvolid", Some(v)) => self.subvolid = v.parse().ok(),
            ("compress" | "compress-force", v) => {
                self.compress = Some(Compression::from_value(v, name == "compress-force"));
            }
            ("space_cache", v) => self.space_cache = Some(v.unwrap_or("v1").to_owned()),
            ("nospace_cache", None) => self.space_cache = Some("off".to_owned()),
            ("discard", v) => self.discard = Some(v.unwrap_or("sync").to_owned()),
            ("nodiscard", None) => self.discard = Some("off".to_owned()),
            ("ssd" | "ssd_spread", None) => self.ssd = true, // tidy: not a scenario (the Btrfs mount option)
            ("nossd", None) => self.ssd = false,
            ("autodefrag", None) => self.autodefrag = true,
            ("noautodefrag", None) => self.autodefrag = false,
            _ => {}
        }
    }
}

impl Compression {
    /// `zstd:3` → zstd level 3; a bare `compress` means zlib, the kernel's default.
    fn from_value(value: Option<&str>, forced: bool) -> Compression {
        let value = value.unwrap_or("zlib");
        let (algorithm, level) = match value.split_once(':') {
            Some((algorithm, level)) => (algorithm, level.parse().ok()),
            None => (value, None),
        };
        Compression {
            algorithm: algorithm.to_owned(),
            level,
            forced,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn btrfs_line_with_label() {
        let table = parse(
            "/dev/vda2 on / type btrfs (rw,noatime,compress=zstd:3,ssd,discard=async,space_cache=v2,subvolid=256,subvol=/@) [nixos]\n",
        )
        .unwrap();
        let root = table.at("/").unwrap();
        assert_eq!(root.device, "/dev/vda2");
        assert_eq!(root.label.as_deref(), Some("nixos"));
        assert_eq!(root.option("subvol"), Some("/@"));
        assert!(root.has_option("noatime"));
        let btrfs = root.btrfs.as_ref().unwrap();
        assert_eq!(btrfs.subvolid, Some(256));
        assert_eq!(btrfs.space_cache.as_deref(), Some("v2"));
        assert_eq!(btrfs.discard.as_deref(), Some("async"));
        assert!(btrfs.ssd);
        let compress = btrfs.compress.as_ref().unwrap();
        assert_eq!(
            (compress.algorithm.as_str(), compress.level),
            ("zstd", Some(3))
        );
    }

    #[test]
    fn spaces_in_device_and_mount_point() {
        let table =
            parse("//10.1.1.2/Bilder und Videos on /mnt/My Disk type cifs (rw,vers=2.1)\r\n")
                .unwrap();
        let cifs = &table.mounts[0];
        assert_eq!(cifs.device, "//10.1.1.2/Bilder und Videos");
        assert_eq!(cifs.mount_point, "/mnt/My Disk");
        assert_eq!(cifs.fs_type, "cifs");
    }

    #[test]
    fn proc_mounts_escapes() {
        let table = parse("/dev/loop7 /mnt/My\\040Disk btrfs rw,compress-force=lzo 0 0\n").unwrap();
        let mount = &table.mounts[0];
        assert_eq!(mount.mount_point, "/mnt/My Disk");
        assert_eq!((mount.freq, mount.passno), (Some(0), Some(0)));
        let compress = mount.btrfs.as_ref().unwrap().compress.clone().unwrap();
        assert!(compress.forced);
        assert_eq!(compress.level, None);
    }

    #[test]
    fn quoted_selinux_context_keeps_its_commas() {
        let options = split_options("rw,context=\"system_u:object_r:tmp_t:s0:c1,c2\",noexec");
        assert_eq!(options.len(), 3);
        assert_eq!(
            options[1].value.as_deref(),
            Some("\"system_u:object_r:tmp_t:s0:c1,c2\"")
        );
    }

    #[test]
    fn bsd_form() {
        let table = parse("/dev/disk1s1 on / (apfs, local, journaled)").unwrap();
        assert_eq!(table.mounts[0].fs_type, "apfs");
        assert_eq!(table.mounts[0].options.len(), 2);
    }

    #[test]
    fn empty_is_no_mounts_and_garbage_is_an_error() {
        assert_eq!(parse("\n  \n").unwrap().mounts, vec![]);
        let err = parse("/dev/sda1 on / type ext4 (rw)\nFilesystem Size Used\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn unescape_ignores_broken_escapes() {
        assert_eq!(unescape("a\\04"), "a\\04");
        assert_eq!(unescape("a\\777b"), "a\\777b");
        assert_eq!(unescape("tab\\011x"), "tab\tx");
    }
}
