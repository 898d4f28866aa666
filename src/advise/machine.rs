//! The captures parsed: what the rules need to know about the machine.

use super::capture::Captures;
use super::AdviseError;
use crate::probe::{compsize, df, free, mount, nix_config, swapon, zramctl, Probe};

/// What the captures say. `None`: not captured or not runnable here.
#[derive(Debug, Clone)]
pub struct Machine {
    pub ram_bytes: Option<u64>,
    pub mounts: mount::MountTable,
    pub df: Option<df::Df>,
    pub swap: Option<Vec<swapon::SwapDevice>>,
    pub zram: Option<Vec<zramctl::ZramDevice>>,
    pub nix: Option<nix_config::NixConfig>,
    pub compsize: Option<compsize::Compsize>,
    pub cpus: Option<u64>,
}

impl Machine {
    pub fn parse(captures: &Captures) -> Result<Machine, AdviseError> {
        let free = parse(captures, "free", Probe::Free, free::parse)?;
        let mounts = parse(captures, "mount", Probe::Mount, mount::parse)?;
        Ok(Machine {
            ram_bytes: free.and_then(|f| f.mem.total).map(|s| s.bytes),
            mounts: mounts.unwrap_or(mount::MountTable { mounts: Vec::new() }),
            df: parse(captures, "df", Probe::Df, df::parse)?,
            swap: parse(captures, "swapon", Probe::Swapon, swapon::parse)?,
            zram: parse(captures, "zramctl", Probe::Zramctl, zramctl::parse)?,
            nix: parse(captures, "nix-config", Probe::NixConfig, nix_config::parse)?,
            compsize: parse(captures, "compsize", Probe::Compsize, compsize::parse)?,
            cpus: match captures.outputs.get("nproc") {
                None => None,
                Some((text, file)) => {
                    Some(text.trim().parse().map_err(|_| AdviseError::Garbage {
                        file: file.clone(),
                        command: "nproc",
                        error: format!("`{}` is not a number of CPUs", text.trim()),
                    })?)
                }
            },
        })
    }

    /// The mount of `/`.
    pub fn root(&self) -> Option<&mount::Mount> {
        self.mounts.at("/")
    }
}

fn parse<T>(
    captures: &Captures,
    name: &str,
    probe: Probe,
    parser: fn(&str) -> Result<T, crate::probe::ParseError>,
) -> Result<Option<T>, AdviseError> {
    let Some((text, file)) = captures.outputs.get(name) else {
        return Ok(None);
    };
    parser(text).map(Some).map_err(|err| AdviseError::Garbage {
        file: file.clone(),
        command: probe.command(),
        error: err.to_string(),
    })
}
