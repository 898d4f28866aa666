//! What a live server gave: the output of each probe that ran, or why one has none; its facts,
//! parsed by the VM's own parsers, and the captures the guide's rules (`advise`) read.

use std::collections::BTreeMap;

use anyhow::Context;

use crate::advise::{AdviseError, Captures, Origin};
use crate::facts::commands::{self, Command};
use crate::facts::{Facts, Outputs};
use crate::probe::compsize::{self, Compsize};

/// Without these nothing can be compared: every share of RAM needs `free -b`, and every
/// mount option `mount`.
const REQUIRED: [&Command; 2] = [&commands::MOUNT, &commands::FREE_BYTES];

#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    /// The server, as the user named it.
    pub destination: String,
    /// The output of each probe that ran and succeeded, by command name.
    pub outputs: Outputs,
    /// Each probe without output, by command name, with why.
    pub not_run: BTreeMap<String, String>,
}

/// The server's facts, and what it has that the VM's facts do not.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveFacts {
    pub facts: Facts,
    /// `nproc`: what `max-jobs = auto` means there.
    pub cpus: Option<u64>,
    /// `compsize -x /`, which needs root: how the data on `/` is stored.
    pub root: Option<Compsize>,
}

impl Live {
    /// The facts, parsed as the VM's are; an output that does not parse is an error naming
    /// its probe.
    pub fn facts(&self) -> anyhow::Result<LiveFacts> {
        for command in REQUIRED {
            if !self.outputs.contains_key(command.name) {
                anyhow::bail!(
                    "`{}` gave nothing on {}: {}; nothing can be compared without it",
                    command.command,
                    self.destination,
                    self.why(command)
                );
            }
        }
        let garbled = || {
            format!(
                "the output of {} does not parse, so nothing was compared (its parser is \
                 `cargo xtask parse <probe>`: report the output with the error)",
                self.destination
            )
        };
        let facts = Facts::from_available(&self.outputs).with_context(garbled)?;
        Ok(LiveFacts {
            facts,
            cpus: self.cpus().with_context(garbled)?,
            root: self.root().with_context(garbled)?,
        })
    }

    /// Why a probe has no output.
    pub fn why(&self, command: &Command) -> String {
        self.not_run
            .get(command.name)
            .cloned()
            .unwrap_or_else(|| "it did not run".to_owned())
    }

    /// The outputs the guide's rules read, as `advise` captures them.
    pub fn captures(&self) -> Result<Captures, AdviseError> {
        Captures::from_outputs(
            Origin::Ssh(self.destination.clone()),
            &self.outputs,
            &self.not_run,
        )
    }

    fn cpus(&self) -> anyhow::Result<Option<u64>> {
        let Some(text) = self.outputs.get(commands::NPROC.name) else {
            return Ok(None);
        };
        let cpus = text.trim().parse().map_err(|_| {
            anyhow::format_err!("probe `nproc`: `{}` is not a number of CPUs", text.trim())
        })?;
        Ok(Some(cpus))
    }

    fn root(&self) -> anyhow::Result<Option<Compsize>> {
        let command = &commands::COMPSIZE;
        let Some(text) = self.outputs.get(command.name) else {
            return Ok(None);
        };
        let parsed = compsize::parse(text).map_err(|err| {
            anyhow::format_err!("probe `{}` (`{}`): {err}", command.name, command.command)
        })?;
        Ok(Some(parsed))
    }
}
