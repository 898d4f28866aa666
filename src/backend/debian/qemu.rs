//! The QEMU command line of a Debian guest: direct kernel boot, virtio disks, no network, no
//! display; the driver adds the backdoor console, the serial log and QMP.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::vm::accel::Accel;
use crate::vm::protocol::Framing;
use crate::vm::Launch;

/// The backdoor framing with the guest's static programs: under TCG every exec of a
/// dynamically linked program costs tens of milliseconds of emulated relocation, and NixOS's
/// three (`timeout`, `bash`, `base64`) made a `true` round trip take ~250 ms; busybox-static
/// and bash-static take it to ~35 ms. busybox's `timeout` exits 143 (SIGTERM) when it stops a
/// command, where GNU's exits 124. It signals only the process it started, not its process
/// group: a command that leaves children holding the output pipe past its deadline is caught
/// by the driver's own deadline (15 s later), after which that machine takes no more commands.
pub const FRAMING: Framing = Framing {
    timeout: "busybox timeout",
    shell: "bash-static",
    base64: "busybox base64",
    timeout_status: 143,
};

/// Default guest size: the budget, and what keeps `max-jobs = auto` stable.
pub const MEMORY_MIB: u32 = 1024;
pub const CPUS: u32 = 2;

/// A virtio disk; `serial` names it under /dev/disk/by-id/virtio-<serial>.
#[derive(Debug, Clone)]
pub struct Drive {
    pub file: PathBuf,
    pub format: &'static str,
    pub serial: &'static str,
    pub read_only: bool,
}

#[derive(Debug, Clone)]
pub struct Boot {
    pub qemu: PathBuf,
    pub accel: Accel,
    pub kernel: PathBuf,
    pub initrd: PathBuf,
    pub append: String,
    /// In order: the first is /dev/vda.
    pub drives: Vec<Drive>,
    pub memory_mib: u32,
    pub cpus: u32,
    /// fw_cfg entries: (name, file).
    pub fw_cfg: Vec<(&'static str, PathBuf)>,
}

impl Boot {
    pub fn launch(&self) -> Launch {
        let mut args: Vec<OsString> = Vec::new();
        let mut push = |items: &[&str]| args.extend(items.iter().map(OsString::from));
        push(&[
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-nic",
            "none",
        ]);
        push(&self.accel.qemu_args());
        push(&[
            "-m",
            &self.memory_mib.to_string(),
            "-smp",
            &self.cpus.to_string(),
        ]);
        push(&["-device", "virtio-rng-pci"]);
        args.push("-kernel".into());
        args.push(self.kernel.clone().into());
        args.push("-initrd".into());
        args.push(self.initrd.clone().into());
        args.push("-append".into());
        args.push(self.append.clone().into());
        for (index, drive) in self.drives.iter().enumerate() {
            let mut spec = OsString::from("file=");
            spec.push(&drive.file);
            spec.push(format!(
                ",format={},if=none,id=drive{index},cache=unsafe,discard=unmap{}",
                drive.format,
                if drive.read_only { ",read-only=on" } else { "" }
            ));
            args.push("-drive".into());
            args.push(spec);
            args.push("-device".into());
            args.push(format!("virtio-blk-pci,drive=drive{index},serial={}", drive.serial).into());
        }
        for (name, file) in &self.fw_cfg {
            let mut spec = OsString::from(format!("name={name},file="));
            spec.push(file);
            args.push("-fw_cfg".into());
            args.push(spec);
        }
        Launch {
            program: self.qemu.clone(),
            args,
            env: Vec::new(),
        }
    }
}
