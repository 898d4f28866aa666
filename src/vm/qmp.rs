//! QEMU's monitor (QMP), read for what the serial console cannot show: a guest that QEMU
//! stopped because a write to its disk image failed for lack of space on the host. QEMU's
//! default for `ENOSPC` on a virtio disk is to pause the guest (`werror=enospc`), which
//! from outside looks like a hang until a deadline; its `BLOCK_IO_ERROR` event says why at
//! once.
//!
//! QEMU listens on the socket (`-qmp unix:…,server=on,wait=off`); the driver connects as
//! soon as it exists, negotiates capabilities and reads events without blocking on each of
//! its polls.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

/// A write QEMU could not make for lack of host space: the drive and its image file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoSpace {
    /// The drive's id (`drive0`).
    pub device: String,
    /// Its image on the host, when QEMU said (`query-block`).
    pub file: Option<PathBuf>,
}

pub struct Qmp {
    path: PathBuf,
    stream: Option<UnixStream>,
    pending: Vec<u8>,
}

impl Qmp {
    /// The monitor QEMU will listen on at `path`; nothing is connected yet.
    pub fn at(path: &Path) -> Qmp {
        Qmp {
            path: path.to_owned(),
            stream: None,
            pending: Vec::new(),
        }
    }

    /// Connects if QEMU is listening by now, then reads the events that came: the first
    /// disk write refused for lack of space, if any. A monitor that cannot be used is not
    /// an error: the driver's other checks still stand.
    pub fn poll(&mut self) -> Option<NoSpace> {
        if self.stream.is_none() {
            self.stream = connect(&self.path);
        }
        let stream = self.stream.as_mut()?;
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => {
                    self.stream = None;
                    break;
                }
                Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                Err(_) => break,
            }
        }
        let device = self.take_no_space()?;
        let file = self.image_of(&device);
        Some(NoSpace { device, file })
    }

    /// The device of the first `BLOCK_IO_ERROR` for lack of space in the lines read so far.
    fn take_no_space(&mut self) -> Option<String> {
        let end = self.pending.iter().rposition(|&b| b == b'\n')? + 1;
        let lines: Vec<u8> = self.pending.drain(..end).collect();
        lines
            .split(|&b| b == b'\n')
            .filter_map(|line| serde_json::from_slice::<Value>(line).ok())
            .find_map(|message| no_space_device(&message))
    }

    /// Asks QEMU which file backs `device` (the guest is stopped: it answers at once).
    fn image_of(&mut self, device: &str) -> Option<PathBuf> {
        let stream = self.stream.as_mut()?;
        stream.set_nonblocking(false).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        stream.write_all(b"{\"execute\": \"query-block\"}\n").ok()?;
        let mut reader = BufReader::new(stream.try_clone().ok()?);
        let mut line = String::new();
        while reader.read_line(&mut line).ok()? > 0 {
            if let Ok(message) = serde_json::from_str::<Value>(&line) {
                if let Some(blocks) = message.get("return").and_then(Value::as_array) {
                    return file_of(blocks, device);
                }
            }
            line.clear();
        }
        None
    }
}

/// Connects and negotiates; `None` while QEMU has not made its socket yet.
fn connect(path: &Path) -> Option<UnixStream> {
    let mut stream = UnixStream::connect(path).ok()?;
    // The greeting comes first; capabilities must be negotiated before events are sent.
    stream
        .write_all(b"{\"execute\": \"qmp_capabilities\"}\n")
        .ok()?;
    stream.set_nonblocking(true).ok()?;
    Some(stream)
}

/// `{"event": "BLOCK_IO_ERROR", "data": {"device": "drive0", "nospace": true, ...}}`.
fn no_space_device(message: &Value) -> Option<String> {
    if message.get("event")?.as_str()? != "BLOCK_IO_ERROR" {
        return None;
    }
    let data = message.get("data")?;
    let nospace = data.get("nospace").and_then(Value::as_bool) == Some(true)
        || data
            .get("reason")
            .and_then(Value::as_str)
            .is_some_and(|reason| reason.contains(crate::diskfull::NO_SPACE));
    if !nospace {
        return None;
    }
    let device = match data.get("device").and_then(Value::as_str) {
        Some(device) if !device.is_empty() => device,
        _ => data.get("node-name")?.as_str()?,
    };
    Some(device.to_owned())
}

/// The image file of `device` in a `query-block` answer.
fn file_of(blocks: &[Value], device: &str) -> Option<PathBuf> {
    blocks
        .iter()
        .find(|block| block.get("device").and_then(Value::as_str) == Some(device))
        .and_then(|block| block.get("inserted")?.get("file")?.as_str())
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_refused_for_space_is_found_and_other_errors_are_not() {
        let full: Value = serde_json::from_str(
            r##"{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "BLOCK_IO_ERROR",
               "data": {"device": "drive0", "nospace": true, "node-name": "#block152",
                        "reason": "No space left on device", "operation": "write",
                        "action": "stop"}}"##,
        )
        .unwrap();
        assert_eq!(no_space_device(&full).as_deref(), Some("drive0"));
        let other: Value = serde_json::from_str(
            r#"{"event": "BLOCK_IO_ERROR", "data": {"device": "drive0", "nospace": false,
               "reason": "Input/output error", "operation": "read", "action": "report"}}"#,
        )
        .unwrap();
        assert_eq!(no_space_device(&other), None);
        let stop: Value = serde_json::from_str(r#"{"event": "STOP"}"#).unwrap();
        assert_eq!(no_space_device(&stop), None);
    }

    #[test]
    fn the_file_of_a_drive_is_read_from_query_block() {
        let blocks: Value = serde_json::from_str(
            r#"[{"device": "drive0", "inserted": {"file": "/runs/disk.qcow2"}},
                {"device": "drive1", "inserted": {"file": "/cache/rootfs.sqfs"}}]"#,
        )
        .unwrap();
        let blocks = blocks.as_array().unwrap();
        assert_eq!(
            file_of(blocks, "drive0"),
            Some(PathBuf::from("/runs/disk.qcow2"))
        );
        assert_eq!(file_of(blocks, "drive9"), None);
    }

    #[test]
    fn no_socket_is_no_event() {
        let mut qmp = Qmp::at(Path::new("/nonexistent/qmp"));
        assert_eq!(qmp.poll(), None);
    }
}
