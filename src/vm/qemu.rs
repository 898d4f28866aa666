//! The one QEMU command line of every guest: the Debian installer and guest (direct kernel
//! boot, virtio disks, fw_cfg files, no network unless asked, no display) and NixOS's VM
//! script, which starts QEMU itself and passes the driver's arguments on. The driver adds the
//! backdoor console, the serial log and QMP (see [`super::machine`]).

use std::ffi::OsString;
use std::net::SocketAddrV4;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::accel::Accel;
use super::Launch;
use crate::host;

/// What runs QEMU.
#[derive(Debug, Clone)]
pub enum Program {
    /// `qemu-system-x86_64` itself: every argument is ours.
    Qemu(PathBuf),
    /// A script that starts QEMU with its own machine and passes our arguments on (NixOS's
    /// `run-*-vm` behind disko's `disko-vm`): only what the script does not set is added.
    Script(PathBuf),
}

/// A virtio disk; `serial` names it under /dev/disk/by-id/virtio-<serial>.
#[derive(Debug, Clone)]
pub struct Drive {
    pub file: PathBuf,
    pub format: &'static str,
    pub serial: &'static str,
    pub read_only: bool,
}

/// A kernel booted directly, without a boot loader.
#[derive(Debug, Clone)]
pub struct DirectBoot {
    pub kernel: PathBuf,
    pub initrd: PathBuf,
    pub append: String,
}

/// The guest's size: fixed, since `max-jobs = auto` and zram's size depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub memory_mib: u32,
    pub cpus: u32,
}

/// The size of every guest: 1 GiB and 2 vCPUs, like the NixOS VMs the flake builds.
pub const GUEST: Size = Size {
    memory_mib: 1024,
    cpus: 2,
};

/// QEMU's user-mode network with `restrict=on`: the guest reaches nothing outside, and the
/// host reaches the guest only through the forwarded TCP ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserNet {
    pub forwards: Vec<Forward>,
}

/// A host address whose TCP connections QEMU forwards to a port of the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forward {
    pub host: SocketAddrV4,
    pub guest_port: u16,
}

impl UserNet {
    /// `restrict=on,hostfwd=tcp:127.0.0.1:2222-:22,...`: what `-netdev user` takes after
    /// its id, and NixOS's VM script takes in `QEMU_NET_OPTS`.
    fn options(&self) -> String {
        let mut options = vec!["restrict=on".to_owned()];
        options.extend(self.forwards.iter().map(|f| {
            format!(
                "hostfwd=tcp:{}:{}-:{}",
                f.host.ip(),
                f.host.port(),
                f.guest_port
            )
        }));
        options.join(",")
    }
}

#[derive(Debug, Clone)]
pub struct Qemu {
    pub program: Program,
    pub accel: Accel,
    /// `None` for a script, which sets its own.
    pub size: Option<Size>,
    pub boot: Option<DirectBoot>,
    /// In order: the first is /dev/vda.
    pub drives: Vec<Drive>,
    /// fw_cfg entries: (name, file).
    pub fw_cfg: Vec<(String, PathBuf)>,
    pub extra_args: Vec<OsString>,
    pub env: Vec<(OsString, OsString)>,
    /// `None`: no network device at all.
    pub network: Option<UserNet>,
}

impl Qemu {
    /// A guest of QEMU's own with the project's defaults: no devices, network or display.
    pub fn new(qemu: PathBuf, accel: Accel) -> Qemu {
        Qemu {
            program: Program::Qemu(qemu),
            accel,
            size: Some(GUEST),
            boot: None,
            drives: Vec::new(),
            fw_cfg: Vec::new(),
            extra_args: Vec::new(),
            env: Vec::new(),
            network: None,
        }
    }

    /// A script that starts QEMU itself.
    pub fn script(script: PathBuf, accel: Accel) -> Qemu {
        Qemu {
            program: Program::Script(script),
            size: None,
            ..Qemu::new(PathBuf::new(), accel)
        }
    }

    pub fn launch(&self) -> Launch {
        let mut args: Vec<OsString> = Vec::new();
        let mut env = self.env.clone();
        let mut push = |items: &[&str]| args.extend(items.iter().map(OsString::from));
        let program = match &self.program {
            Program::Qemu(qemu) => {
                push(&["-nodefaults", "-no-user-config"]);
                push(&["-display", "none", "-nic", &self.nic()]);
                push(&self.accel.qemu_args());
                push(&["-device", "virtio-rng-pci"]);
                qemu.clone()
            }
            Program::Script(script) => {
                // NixOS's script runs `qemu-kvm`, which takes KVM when /dev/kvm opens even
                // where KVM hangs: the project's own probe decides, and TCG must be said.
                if self.accel == Accel::Tcg {
                    push(&self.accel.qemu_args()[..2]);
                }
                // The script has its user-mode network already; it appends these options.
                if let Some(network) = &self.network {
                    env.push(("QEMU_NET_OPTS".into(), network.options().into()));
                }
                script.clone()
            }
        };
        if let Some(size) = self.size {
            push(&["-m", &size.memory_mib.to_string()]);
            push(&["-smp", &size.cpus.to_string()]);
        }
        if let Some(boot) = &self.boot {
            args.extend(["-kernel".into(), boot.kernel.clone().into()]);
            args.extend(["-initrd".into(), boot.initrd.clone().into()]);
            args.extend(["-append".into(), boot.append.clone().into()]);
        }
        for (index, drive) in self.drives.iter().enumerate() {
            args.extend(drive_args(index, drive));
        }
        for (name, file) in &self.fw_cfg {
            let mut spec = OsString::from(format!("name={name},file="));
            spec.push(file);
            args.extend(["-fw_cfg".into(), spec]);
        }
        args.extend(self.extra_args.iter().cloned());
        Launch { program, args, env }
    }

    /// The `-nic` argument: none, or the restricted user-mode network on a virtio NIC.
    fn nic(&self) -> String {
        match &self.network {
            None => "none".to_owned(),
            Some(network) => format!("user,model=virtio-net-pci,{}", network.options()),
        }
    }
}

/// `qemu-img create`: a blank qcow2 of `size`, or an overlay on `backing`.
pub fn create_qcow2(file: &Path, size: &str, backing: Option<&Path>) -> anyhow::Result<()> {
    let mut command = host::QEMU_IMG.command()?;
    command.args(["create", "-q", "-f", "qcow2"]);
    if let Some(backing) = backing {
        command.arg("-b").arg(backing).args(["-F", "qcow2"]);
    }
    command.arg(file);
    if backing.is_none() {
        command.arg(size);
    }
    host::run(&mut command, Duration::from_secs(60))?.success("qemu-img create")?;
    Ok(())
}

/// `qemu-img check`: whether a qcow2's own tables are sound. It reads only the metadata (10 ms
/// on the 4 GiB base disk); leaked clusters (exit status 3) waste space but harm no data.
pub fn check_qcow2(file: &Path) -> anyhow::Result<Result<(), String>> {
    let mut command = host::QEMU_IMG.command()?;
    command.args(["check", "-q", "-f", "qcow2"]).arg(file);
    let output = host::run(&mut command, Duration::from_secs(60))?;
    Ok(match output.status.code() {
        Some(0) | Some(3) => Ok(()),
        _ => {
            let said = format!("{}{}", output.stdout, output.stderr);
            Err(format!("{} ({})", said.trim(), output.status))
        }
    })
}

fn drive_args(index: usize, drive: &Drive) -> [OsString; 4] {
    let mut spec = OsString::from("file=");
    spec.push(&drive.file);
    spec.push(format!(
        ",format={},if=none,id=drive{index},cache=unsafe,discard=unmap{}",
        drive.format,
        if drive.read_only { ",read-only=on" } else { "" }
    ));
    [
        "-drive".into(),
        spec,
        "-device".into(),
        format!("virtio-blk-pci,drive=drive{index},serial={}", drive.serial).into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(qemu: &Qemu) -> Vec<String> {
        qemu.launch()
            .args
            .iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_script_gets_only_what_it_does_not_set() {
        let mut tcg = Qemu::script("/nix/store/x/bin/disko-vm".into(), Accel::Tcg);
        tcg.extra_args = vec!["-monitor".into(), "none".into()];
        assert_eq!(
            args(&tcg),
            ["-accel", "tcg,thread=multi", "-monitor", "none"]
        );
        let kvm = Qemu::script("/nix/store/x/bin/disko-vm".into(), Accel::Kvm);
        assert!(args(&kvm).is_empty());
    }

    #[test]
    fn qemu_itself_gets_the_whole_machine() {
        let mut qemu = Qemu::new("/usr/bin/qemu-system-x86_64".into(), Accel::Tcg);
        qemu.drives.push(Drive {
            file: "/t/disk.qcow2".into(),
            format: "qcow2",
            serial: "root",
            read_only: false,
        });
        let args = args(&qemu).join(" ");
        assert!(args.contains("-m 1024 -smp 2"), "{args}");
        assert!(args.contains("-nic none"), "{args}");
        assert!(!args.contains("hostfwd"), "{args}");
        assert!(
            args.contains("-drive file=/t/disk.qcow2,format=qcow2,if=none,id=drive0,cache=unsafe,discard=unmap -device virtio-blk-pci,drive=drive0,serial=root"),
            "{args}"
        );
    }

    #[test]
    fn a_user_network_is_restricted_to_its_forwards() {
        let mut qemu = Qemu::new("/usr/bin/qemu-system-x86_64".into(), Accel::Tcg);
        qemu.network = Some(UserNet {
            forwards: vec![Forward {
                host: "127.0.0.1:2222".parse().unwrap(),
                guest_port: 22,
            }],
        });
        let args = args(&qemu).join(" ");
        assert!(
            args.contains(
                "-nic user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:2222-:22"
            ),
            "{args}"
        );
        assert!(!args.contains("-nic none"), "{args}");
        let mut script = Qemu::script("/nix/store/x/bin/disko-vm".into(), Accel::Kvm);
        script.network = qemu.network.clone();
        let launch = script.launch();
        assert!(launch.args.is_empty());
        assert_eq!(
            launch.env,
            [(
                "QEMU_NET_OPTS".into(),
                "restrict=on,hostfwd=tcp:127.0.0.1:2222-:22".into()
            )]
        );
    }
}
