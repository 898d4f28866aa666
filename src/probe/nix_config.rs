//! Reads Nix's settings as `key = value` lines: the output of `nix show-config` (Nix 2.3 to
//! 2.19, also the deprecated alias in newer Nix, whose `warning:` line may be mixed in when
//! stderr is captured too), `nix config show` (2.20+), the guide's grep-filtered form
//! (`nix show-config | grep -E "(max-jobs|cores)"`, only those lines), and `nix.conf` files
//! as NixOS or a distribution renders them (`#` comments, `include` lines).
//!
//! Every key is kept with its raw value. `max-jobs`, `cores`, `substituters` and
//! `trusted-public-keys` are also typed. Keys are taken literally: `extra-substituters` in a
//! `nix.conf` stays its own key and is not merged into `substituters`.
//!
//! Empty input, or input with no setting at all, is an error: every form above prints at
//! least one setting, so nothing means the command did not run (or the grep matched nothing).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lines;
use super::ParseError;

/// Nix's settings as printed or written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NixConfig {
    /// Every `key = value` line, value trimmed (may be empty). A repeated key keeps its last
    /// value, as Nix does when it reads `nix.conf`.
    pub settings: BTreeMap<String, String>,
    /// `max-jobs`, when present.
    pub max_jobs: Option<MaxJobs>,
    /// `cores`, when present.
    pub cores: Option<Cores>,
    /// `substituters` split on whitespace, when present (empty list when the value is empty).
    pub substituters: Option<Vec<String>>,
    /// `trusted-public-keys` split on whitespace, when present.
    pub trusted_public_keys: Option<Vec<String>>,
    /// `include` / `!include` lines of a `nix.conf`, in order, with their marker.
    pub includes: Vec<String>,
    /// `warning: ...` lines Nix printed on stderr, when it was captured with stdout.
    pub warnings: Vec<String>,
}

/// How many builds Nix runs at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxJobs {
    /// `auto`: one per CPU (only seen in `nix.conf`; `show-config` prints the resolved number).
    Auto,
    /// A fixed number; 0 means no local builds at all (remote builders only).
    Count(u64),
}

/// How many cores each build may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cores {
    /// `0`: every core of the machine.
    All,
    /// A fixed number of cores.
    Count(u64),
}

pub fn parse(input: &str) -> Result<NixConfig, ParseError> {
    let mut config = NixConfig {
        settings: BTreeMap::new(),
        max_jobs: None,
        cores: None,
        substituters: None,
        trusted_public_keys: None,
        includes: Vec::new(),
        warnings: Vec::new(),
    };
    for (number, line) in lines::non_blank(input) {
        read_line(&mut config, number, line)?;
    }
    if config.settings.is_empty() {
        return Err(ParseError::whole(
            "no `key = value` setting found: expected the output of `nix show-config` or `nix config show`",
        ));
    }
    Ok(config)
}

fn read_line(config: &mut NixConfig, number: usize, line: &str) -> Result<(), ParseError> {
    // Nix drops everything from `#` on when it reads settings, so no value can contain one.
    let content = line.split('#').next().unwrap_or("").trim();
    if content.is_empty() {
        return Ok(());
    }
    if let Some(message) = content.strip_prefix("warning:") {
        config.warnings.push(message.trim().to_owned());
        return Ok(());
    }
    if content.starts_with("error:") {
        return Err(ParseError::at(
            number,
            line,
            "nix reported an error instead of its settings",
        ));
    }
    if content.starts_with("include ") || content.starts_with("!include ") {
        config.includes.push(content.to_owned());
        return Ok(());
    }
    let (key, value) = split_setting(content)
        .ok_or_else(|| ParseError::at(number, line, "expected a `key = value` setting"))?;
    type_setting(config, key, value).map_err(|message| ParseError::at(number, line, message))?;
    config.settings.insert(key.to_owned(), value.to_owned());
    Ok(())
}

/// `key = value` → `(key, value)`; the value keeps any further `=` (`sandbox-paths =
/// /bin/sh=/nix/store/...`, `access-tokens = github.com=...`).
fn split_setting(content: &str) -> Option<(&str, &str)> {
    let (key, value) = content.split_once('=')?;
    let key = key.trim();
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if key.is_empty() || !key.chars().all(is_name) {
        return None;
    }
    Some((key, value.trim()))
}

fn type_setting(config: &mut NixConfig, key: &str, value: &str) -> Result<(), String> {
    match key {
        "max-jobs" => config.max_jobs = Some(max_jobs(value)?),
        "cores" => config.cores = Some(cores(value)?),
        "substituters" => config.substituters = Some(words(value)),
        "trusted-public-keys" => config.trusted_public_keys = Some(words(value)),
        _ => {}
    }
    Ok(())
}

fn max_jobs(value: &str) -> Result<MaxJobs, String> {
    if value == "auto" {
        return Ok(MaxJobs::Auto);
    }
    count(value)
        .map(MaxJobs::Count)
        .ok_or_else(|| format!("max-jobs must be `auto` or a number, not `{value}`"))
}

fn cores(value: &str) -> Result<Cores, String> {
    match count(value) {
        Some(0) => Ok(Cores::All),
        Some(n) => Ok(Cores::Count(n)),
        None => Err(format!("cores must be a number, not `{value}`")),
    }
}

fn count(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

fn words(value: &str) -> Vec<String> {
    value.split_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grep_filtered_form_of_the_guide() {
        let config = parse("cores = 0\nmax-jobs = 8\n").unwrap();
        assert_eq!(config.cores, Some(Cores::All));
        assert_eq!(config.max_jobs, Some(MaxJobs::Count(8)));
        assert_eq!(config.settings.len(), 2);
        assert_eq!(config.substituters, None);
    }

    #[test]
    fn values_may_be_empty_or_hold_equals_signs_and_urls() {
        let input = "access-tokens = \r\nsandbox-paths = /bin/sh=/nix/store/x-bash/bin/sh\r\n\
                     substituters = https://cache.nixos.org/ https://nix-community.cachix.org\r\n";
        let config = parse(input).unwrap();
        assert_eq!(config.settings["access-tokens"], "");
        assert_eq!(
            config.settings["sandbox-paths"],
            "/bin/sh=/nix/store/x-bash/bin/sh"
        );
        assert_eq!(
            config.substituters.unwrap(),
            [
                "https://cache.nixos.org/",
                "https://nix-community.cachix.org"
            ]
        );
    }

    #[test]
    fn nix_conf_with_comments_auto_and_empty_keys_list() {
        let input = "# WARNING: this file is generated from the nix.* options in\n\
                     max-jobs = auto # one per CPU\ncores = 4\ntrusted-public-keys =\n\
                     !include /etc/nix/extra.conf\n";
        let config = parse(input).unwrap();
        assert_eq!(config.max_jobs, Some(MaxJobs::Auto));
        assert_eq!(config.cores, Some(Cores::Count(4)));
        assert_eq!(config.trusted_public_keys, Some(vec![]));
        assert_eq!(config.includes, ["!include /etc/nix/extra.conf"]);
    }

    #[test]
    fn deprecation_warning_is_kept_not_a_setting() {
        let input = "warning: 'show-config' is a deprecated alias for 'config show'\ncores = 2\n";
        let config = parse(input).unwrap();
        assert_eq!(
            config.warnings,
            ["'show-config' is a deprecated alias for 'config show'"]
        );
        assert_eq!(config.settings.len(), 1);
    }

    #[test]
    fn refusals_name_the_line() {
        let err = parse("cores = 2\nmax-jobs = many\n").unwrap_err();
        assert_eq!((err.line, err.text.as_str()), (2, "max-jobs = many"));
        let err = parse("cores = 99999999999999999999999\n").unwrap_err();
        assert_eq!(err.line, 1);
        let err = parse("Mem: 1 2 3\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert_eq!(parse("").unwrap_err().line, 0);
        assert_eq!(parse("\n# only a comment\n").unwrap_err().line, 0);
    }

    #[test]
    fn nix_error_is_refused() {
        let err = parse("error: experimental Nix feature 'nix-command' is disabled\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("nix reported an error"));
    }
}
