//! The NixOS backend: the scenario's real NixOS system, built from the flake as disko's VM
//! variant with NixOS's test instrumentation, booted through the same driver as every guest.
//! The VM's `bin/disko-vm` makes a fresh overlay of the disko image and runs `run-*-vm`,
//! which passes the driver's QEMU arguments on, as NixOS's own test driver relies on.

pub mod build;
pub mod nix;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use crate::progress::{self, Progress};
use crate::vm::protocol::Framing;
use crate::vm::{Deadlines, Launch, Machine, MachineConfig};
pub use nix::{Nix, Unusable};

/// A built VM: its store path.
#[derive(Debug, Clone)]
pub struct Vm {
    pub scenario: String,
    pub out: PathBuf,
}

/// Builds the VM of `scenario` with progress.
pub fn prepare(
    nix: &Nix,
    project_root: &Path,
    scenario: &str,
    progress: &dyn Progress,
) -> anyhow::Result<Vm> {
    let out = progress::step(
        progress,
        &format!("nix build {}", build::attribute(scenario)),
        || build::build(nix, project_root, scenario),
    )?;
    Ok(Vm {
        scenario: scenario.to_owned(),
        out,
    })
}

/// Boots `vm`; `run_dir` keeps the serial log and QEMU's temporary files (the disk overlay).
pub fn boot(vm: &Vm, run_dir: &Path, progress: &dyn Progress) -> anyhow::Result<Machine> {
    std::fs::create_dir_all(run_dir)
        .with_context(|| format!("cannot create `{}`", run_dir.display()))?;
    let config = MachineConfig {
        name: vm.scenario.clone(),
        launch: launch(vm, run_dir),
        serial_log: run_dir.join("serial.log"),
        deadlines: Deadlines {
            // NixOS boots in seconds under KVM; a remote-built VM may boot here under TCG,
            // where stage 1, systemd and the instrumentation take minutes.
            boot: Duration::from_secs(600),
            ..Deadlines::default()
        },
        shutdown_command: "poweroff".into(),
        framing: Framing::NIXOS,
    };
    Ok(progress::step(progress, "boot", || Machine::start(config))?)
}

/// `bin/disko-vm` with what NixOS's test driver sets in its environment: a private TMPDIR,
/// where the run script and disko-vm keep their files. The VM is built with
/// `virtualisation.graphics = false`, so its run script passes `-nographic`, which would put
/// QEMU's monitor on stdio beside the driver's `-serial stdio`: NixOS's driver moves the
/// monitor to a socket, this driver needs none.
pub fn launch(vm: &Vm, run_dir: &Path) -> Launch {
    let env = [
        ("TMPDIR", run_dir.as_os_str().to_owned()),
        ("USE_TMPDIR", OsString::from("1")),
    ]
    .into_iter()
    .map(|(key, value)| (OsString::from(key), value))
    .collect();
    Launch {
        program: vm.out.join("bin/disko-vm"),
        args: ["-monitor", "none"].map(OsString::from).to_vec(),
        env,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vm_starts_as_nixos_test_driver_starts_it() {
        let vm = Vm {
            scenario: "zram".into(),
            out: PathBuf::from("/nix/store/x-disko-vm"),
        };
        let launch = launch(&vm, Path::new("/run/here"));
        assert_eq!(
            launch.program,
            Path::new("/nix/store/x-disko-vm/bin/disko-vm")
        );
        assert_eq!(launch.args, ["-monitor", "none"]);
        assert!(launch
            .env
            .contains(&(OsString::from("TMPDIR"), OsString::from("/run/here"))));
    }
}
