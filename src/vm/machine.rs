//! [`Machine`]: one running QEMU with the backdoor shell, its console log and its QMP socket.
//!
//! The driver listens on the shell socket before QEMU starts (QEMU connects as a client, as
//! with NixOS's driver), waits for the backdoor's ready line, then runs commands one at a
//! time. Every wait polls, in this order: Ctrl-C, a kernel panic on the console, a serial log
//! that cannot be written, a guest that QEMU stopped for lack of host disk space (read from
//! its monitor, see `qmp`), QEMU's exit, its own deadline. Dropping a `Machine` kills and
//! reaps QEMU and removes its run directory, so an error or a panic in our code leaves
//! nothing behind.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::console::Console;
use super::error::VmError;
use super::protocol;
use super::qmp::Qmp;
use super::sockets::SocketDir;

const POLL: Duration = Duration::from_millis(20);

/// The program that starts QEMU and its own arguments; the driver appends the shell, serial
/// and QMP arguments (a NixOS `run-*-vm` script passes them on through `"$@"`).
#[derive(Debug, Clone)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(OsString, OsString)>,
}

/// How long each wait may take.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// From QEMU's start to the backdoor's ready line.
    pub boot: Duration,
    /// How long the guest may print nothing before the ready line without being called hung.
    pub stall: Duration,
    /// Default for one command; [`Machine::execute_within`] takes its own.
    pub command: Duration,
    /// From the shutdown command to QEMU's exit; then it is killed.
    pub shutdown: Duration,
}

impl Default for Deadlines {
    fn default() -> Deadlines {
        Deadlines {
            boot: Duration::from_secs(180),
            stall: Duration::from_secs(30),
            command: Duration::from_secs(300),
            shutdown: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MachineConfig {
    pub name: String,
    pub launch: Launch,
    /// Where the serial console is written, whole.
    pub serial_log: PathBuf,
    pub deadlines: Deadlines,
    /// What the guest runs to power off (`poweroff`, or `poweroff -f` without systemd).
    pub shutdown_command: String,
    /// The guest programs of the command framing.
    pub framing: protocol::Framing,
}

/// A command's exit status and its standard output (stderr goes to the serial log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub status: i32,
    pub stdout: String,
}

pub struct Machine {
    name: String,
    child: Child,
    shell: UnixStream,
    pending: Vec<u8>,
    console: Console,
    qmp: Qmp,
    threads: Vec<JoinHandle<()>>,
    deadlines: Deadlines,
    shutdown_command: String,
    framing: protocol::Framing,
    boot_time: Duration,
    broken: Option<String>,
    // Dropped last: the sockets live in it.
    _sockets: SocketDir,
}

impl Machine {
    /// Starts QEMU and waits until the backdoor shell is ready.
    pub fn start(config: MachineConfig) -> Result<Machine, VmError> {
        let started = Instant::now();
        let sockets = SocketDir::create().map_err(io("cannot create the VM's socket directory"))?;
        let shell_path = sockets.join("shell");
        let listener =
            UnixListener::bind(&shell_path).map_err(io("cannot listen on the shell socket"))?;
        listener
            .set_nonblocking(true)
            .map_err(io("cannot set up the shell socket"))?;
        let mut child = spawn(&config.launch, &sockets)?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(VmError::Protocol("QEMU's output pipes are missing".into()));
        };
        let (console, threads) = match Console::spawn(&config.serial_log, stdout, stderr) {
            Ok(console) => console,
            Err(err) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io("cannot write the serial log")(err));
            }
        };
        let mut starting = Starting {
            child: Some(child),
            console,
            qmp: Qmp::at(&sockets.join("qmp")),
            threads,
            sockets: Some(sockets),
        };
        let shell = starting.accept(&listener, started, &config.deadlines)?;
        let mut machine = starting.into_machine(config, shell);
        machine.wait_until_ready(started)?;
        if let Some(prelude) = machine.framing.prelude() {
            machine.send(&prelude, &Wait::Boot)?;
        }
        machine.boot_time = started.elapsed();
        Ok(machine)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// From QEMU's start to the backdoor being ready.
    pub fn boot_time(&self) -> Duration {
        self.boot_time
    }

    pub fn serial_log(&self) -> &Path {
        self.console.log_path()
    }

    /// Runs `command` with the default deadline; any exit status is a result.
    pub fn execute(&mut self, command: &str) -> Result<Output, VmError> {
        self.execute_within(command, self.deadlines.command)
    }

    /// Runs `command`; fails unless it exits 0, with its status and output in the error.
    pub fn succeed(&mut self, command: &str) -> Result<String, VmError> {
        self.succeed_within(command, self.deadlines.command)
    }

    pub fn succeed_within(&mut self, command: &str, deadline: Duration) -> Result<String, VmError> {
        let output = self.execute_within(command, deadline)?;
        if output.status != 0 {
            return Err(VmError::CommandFailed {
                command: command.to_owned(),
                status: output.status,
                output: output.stdout,
            });
        }
        Ok(output.stdout)
    }

    /// Runs `command` under `timeout` in the guest, and gives up on the host side a little
    /// later in case the guest itself stopped answering.
    pub fn execute_within(&mut self, command: &str, deadline: Duration) -> Result<Output, VmError> {
        if let Some(reason) = &self.broken {
            return Err(VmError::Protocol(format!(
                "the shell is unusable after an earlier error: {reason}"
            )));
        }
        let result = self.exchange(command, deadline);
        if let Err(err) = &result {
            self.broken = Some(first_line(&err.to_string()));
        }
        let output = result?;
        if output.status == self.framing.timeout_status() {
            return Err(VmError::CommandTimeout {
                command: command.to_owned(),
                deadline,
                output: output.stdout,
            });
        }
        Ok(output)
    }

    fn exchange(&mut self, command: &str, deadline: Duration) -> Result<Output, VmError> {
        let wait = Wait::Command { command, deadline };
        let secs = deadline.as_secs().max(1);
        self.send(&self.framing.command_line(command, secs), &wait)?;
        // The guest's `timeout` ends the command first; this margin only catches a dead guest.
        let line = self.read_line(Instant::now() + deadline + Duration::from_secs(15), &wait)?;
        let stdout = protocol::decode_output(&line).map_err(VmError::Protocol)?;
        // The same command line prints the status next.
        let status_line = self.read_line(Instant::now() + Duration::from_secs(15), &wait)?;
        let status = protocol::parse_status(&status_line).map_err(VmError::Protocol)?;
        Ok(Output {
            status,
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
        })
    }

    /// Powers the guest off and waits for QEMU to exit; kills it past the deadline.
    pub fn shutdown(mut self) -> Result<(), VmError> {
        let command = format!("{}\n", self.shutdown_command);
        if self.broken.is_none() {
            let wait = Wait::Command {
                command: &self.shutdown_command.clone(),
                deadline: self.deadlines.shutdown,
            };
            self.send(&command, &wait)?;
        }
        let until = Instant::now() + self.deadlines.shutdown;
        loop {
            if self
                .child
                .try_wait()
                .map_err(io("cannot wait for QEMU"))?
                .is_some()
            {
                return Ok(());
            }
            // A guest stopped for lack of host space never powers off.
            if let Some(full) = self.qmp.poll() {
                return Err(no_space(full, "while powering off"));
            }
            if Instant::now() > until {
                return Err(VmError::CommandTimeout {
                    command: self.shutdown_command.clone(),
                    deadline: self.deadlines.shutdown,
                    output: "QEMU was still running and was killed".into(),
                });
            }
            std::thread::sleep(POLL);
        }
    }

    fn send(&mut self, text: &str, wait: &Wait) -> Result<(), VmError> {
        match self.shell.write_all(text.as_bytes()) {
            Ok(()) => Ok(()),
            // A shell that cannot be written to is most often a QEMU that died: say so.
            Err(err) => Err(self.exited_or(
                &wait.while_(),
                io("cannot write to the backdoor shell")(err),
            )),
        }
    }

    fn wait_until_ready(&mut self, started: Instant) -> Result<(), VmError> {
        let until = started + self.deadlines.boot;
        loop {
            let text = String::from_utf8_lossy(&self.pending).into_owned();
            if let Some(at) = text.find(protocol::READY_MARKER) {
                // Everything up to the end of the marker's line is the backdoor's greeting.
                let rest = &text[at..];
                let end = at + rest.find('\n').map_or(rest.len(), |n| n + 1);
                self.pending.drain(..end.min(self.pending.len()));
                return Ok(());
            }
            self.fill(until, &Wait::Boot)?;
        }
    }

    fn read_line(&mut self, until: Instant, wait: &Wait) -> Result<String, VmError> {
        loop {
            if let Some(at) = self.pending.iter().position(|&byte| byte == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=at).collect();
                return Ok(String::from_utf8_lossy(&line).into_owned());
            }
            self.fill(until, wait)?;
        }
    }

    /// Reads more from the shell, or returns why the guest will not answer.
    fn fill(&mut self, until: Instant, wait: &Wait) -> Result<(), VmError> {
        let while_ = &wait.while_();
        let mut chunk = [0u8; 64 * 1024];
        let mut last_progress = Instant::now();
        loop {
            self.check_alive(while_)?;
            match self.shell.read(&mut chunk) {
                Ok(0) => {
                    let closed = VmError::Protocol("the backdoor shell closed".into());
                    return Err(self.exited_or(while_, closed));
                }
                Ok(n) => {
                    self.pending.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(err) if is_retry(&err) => {}
                Err(err) => return Err(io("cannot read from the backdoor shell")(err)),
            }
            let now = Instant::now();
            if now > until {
                return Err(self.missed(wait));
            }
            // Only a boot is expected to keep the console busy; a command may be quiet.
            if matches!(wait, Wait::Boot) {
                if let Some(seen) = self.console.last_output() {
                    last_progress = last_progress.max(seen);
                }
                let idle = now.duration_since(last_progress);
                if idle > self.deadlines.stall {
                    return Err(VmError::Stalled {
                        idle,
                        while_: while_.to_owned(),
                        tail: self.console.tail(),
                    });
                }
            }
        }
    }

    fn missed(&self, wait: &Wait) -> VmError {
        match *wait {
            Wait::Boot => VmError::BootTimeout {
                deadline: self.deadlines.boot,
                tail: self.console.tail(),
            },
            Wait::Command { command, deadline } => VmError::CommandTimeout {
                command: command.to_owned(),
                deadline,
                // Half a base64 line decodes to nothing useful: the guest never finished it.
                output: String::new(),
            },
        }
    }

    fn check_alive(&mut self, while_: &str) -> Result<(), VmError> {
        check_alive(&mut self.child, &self.console, &mut self.qmp, while_)
    }

    fn exited_or(&mut self, while_: &str, otherwise: VmError) -> VmError {
        // Give QEMU a moment to be reaped so the error says why the socket closed.
        for _ in 0..50 {
            if let Err(err) = self.check_alive(while_) {
                return err;
            }
            std::thread::sleep(POLL);
        }
        otherwise
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        let _ = self.shell.shutdown(std::net::Shutdown::Both);
        reap(&mut self.child, &mut self.threads);
    }
}

/// What a read from the shell waits for, which decides what a missed deadline is called.
enum Wait<'a> {
    Boot,
    Command {
        command: &'a str,
        deadline: Duration,
    },
}

impl Wait<'_> {
    fn while_(&self) -> String {
        match self {
            Wait::Boot => "while booting".to_owned(),
            Wait::Command { command, .. } => format!("while running `{command}`"),
        }
    }
}

/// A QEMU that is starting: until it becomes a [`Machine`], dropping it still reaps QEMU.
struct Starting {
    child: Option<Child>,
    console: Console,
    qmp: Qmp,
    threads: Vec<JoinHandle<()>>,
    sockets: Option<SocketDir>,
}

impl Starting {
    fn accept(
        &mut self,
        listener: &UnixListener,
        started: Instant,
        deadlines: &Deadlines,
    ) -> Result<UnixStream, VmError> {
        let until = started + deadlines.boot;
        loop {
            if let Some(child) = self.child.as_mut() {
                check_alive(
                    child,
                    &self.console,
                    &mut self.qmp,
                    "before connecting the shell",
                )?;
            }
            match listener.accept() {
                Ok((stream, _)) => {
                    stream
                        .set_read_timeout(Some(POLL))
                        .map_err(io("cannot set up the shell socket"))?;
                    return Ok(stream);
                }
                Err(err) if is_retry(&err) => {}
                Err(err) => return Err(io("cannot accept the shell connection")(err)),
            }
            if Instant::now() > until {
                return Err(VmError::BootTimeout {
                    deadline: deadlines.boot,
                    tail: self.console.tail(),
                });
            }
            std::thread::sleep(POLL);
        }
    }

    fn into_machine(mut self, config: MachineConfig, shell: UnixStream) -> Machine {
        let child = self.child.take().expect("a starting machine has its QEMU");
        let sockets = self
            .sockets
            .take()
            .expect("a starting machine has its socket directory");
        Machine {
            name: config.name,
            child,
            shell,
            pending: Vec::new(),
            console: self.console.clone(),
            // `Starting` has a Drop of its own, so its monitor is swapped out, not moved.
            qmp: std::mem::replace(&mut self.qmp, Qmp::at(Path::new(""))),
            threads: std::mem::take(&mut self.threads),
            deadlines: config.deadlines,
            shutdown_command: config.shutdown_command,
            framing: config.framing,
            boot_time: Duration::ZERO,
            broken: None,
            _sockets: sockets,
        }
    }
}

impl Drop for Starting {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            reap(child, &mut self.threads);
        }
    }
}

fn spawn(launch: &Launch, sockets: &SocketDir) -> Result<Child, VmError> {
    let shell = sockets.join("shell");
    let qmp = sockets.join("qmp");
    let mut command = Command::new(&launch.program);
    command
        .args(&launch.args)
        .arg("-chardev")
        .arg(with_path("socket,id=shell,path=", &shell, ""))
        .args([
            "-device",
            "virtio-serial",
            "-device",
            "virtconsole,chardev=shell",
        ])
        .arg("-qmp")
        .arg(with_path("unix:", &qmp, ",server=on,wait=off"))
        .args(["-serial", "stdio", "-no-reboot"])
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .current_dir(sockets.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: prctl is async-signal-safe; it only asks the kernel to kill QEMU if we die
    // without reaping it (SIGKILL from a user, an abort), the one path Drop cannot cover.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.spawn().map_err(|source| VmError::Spawn {
        program: launch.program.display().to_string(),
        source,
    })
}

fn with_path(prefix: &str, path: &Path, suffix: &str) -> OsString {
    let mut arg = OsString::from(prefix);
    arg.push(path);
    arg.push(suffix);
    arg
}

/// Every reason the guest will not answer, in the order they are checked: Ctrl-C, a kernel
/// panic, a disk image the host had no space to grow, QEMU's exit.
fn check_alive(
    child: &mut Child,
    console: &Console,
    qmp: &mut Qmp,
    while_: &str,
) -> Result<(), VmError> {
    if super::interrupt::requested() {
        return Err(VmError::Interrupted);
    }
    if console.panicked() {
        return Err(panic(console, while_));
    }
    if let Some(err) = console.log_error() {
        return Err(VmError::Io {
            what: format!(
                "cannot write the serial log {}",
                console.log_path().display()
            ),
            source: err,
        });
    }
    if let Some(full) = qmp.poll() {
        return Err(no_space(full, while_));
    }
    if let Some(status) = child.try_wait().map_err(io("cannot wait for QEMU"))? {
        // QEMU is gone, so its pipes are closed: the console threads end once they have
        // read what it wrote last (the panic, the initrd's last words).
        console.drained();
        if console.panicked() {
            return Err(panic(console, while_));
        }
        return Err(VmError::QemuExited {
            status: status.to_string(),
            while_: while_.to_owned(),
            qemu_stderr: console.qemu_stderr(),
            tail: console.tail(),
        });
    }
    Ok(())
}

fn no_space(full: super::qmp::NoSpace, while_: &str) -> VmError {
    VmError::HostDiskFull {
        image: full
            .file
            .map_or(full.device, |file| file.display().to_string()),
        while_: while_.to_owned(),
    }
}

fn panic(console: &Console, while_: &str) -> VmError {
    VmError::GuestPanic {
        while_: while_.to_owned(),
        tail: console.panic_tail(),
    }
}

fn reap(child: &mut Child, threads: &mut Vec<JoinHandle<()>>) {
    if matches!(child.try_wait(), Ok(None)) {
        let _ = child.kill();
    }
    let _ = child.wait();
    for thread in threads.drain(..) {
        let _ = thread.join();
    }
}

fn is_retry(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::WouldBlock
            | std::io::ErrorKind::TimedOut
            // A signal (Ctrl-C) interrupted the read: the next check_alive sees why.
            | std::io::ErrorKind::Interrupted
    )
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> VmError {
    move |source| VmError::Io {
        what: what.to_owned(),
        source,
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}
