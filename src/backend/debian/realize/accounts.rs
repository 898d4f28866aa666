//! Accounts as NixOS makes them (users-groups.nix's activation, sudo.nix): each user a
//! module defines is created with its groups (a NixOS group Debian lacks, like `wheel`, is
//! created too), passwords locked when `users.mutableUsers = false` leaves them unset, and
//! `/etc/sudoers` written from the rules.

use serde_json::Value;

use super::{quote, Part, SUDOERS};
use crate::scenario::Loaded;

/// The `users.users.<name>` options realized (besides `openssh.authorizedKeys`).
pub const USER_OPTIONS: [&str; 12] = [
    "isNormalUser",
    "isSystemUser",
    "extraGroups",
    "home",
    "createHome",
    "description",
    "group",
    "uid",
    "name",
    "hashedPassword",
    "shell",
    "useDefaultShell",
];

/// The `security.sudo` options realized.
pub const SUDO_OPTIONS: [&str; 6] = [
    "enable",
    "wheelNeedsPassword",
    "extraRules",
    "extraConfig",
    "keepTerminfo",
    "defaultOptions",
];

pub fn realize(loaded: &Loaded) -> Part {
    let mut part = Part::default();
    let users = loaded.at("users.users").and_then(Value::as_object);
    let locked = loaded.at("users.mutableUsers").and_then(Value::as_bool) == Some(false);
    let mut passwords = Vec::new();
    for name in defined_users(loaded) {
        let Some(user) = users.and_then(|u| u.get(&name)) else {
            continue;
        };
        // Accounts NixOS has without either flag (root) are Debian's too.
        let declared = ["isNormalUser", "isSystemUser"]
            .iter()
            .any(|flag| user[*flag].as_bool() == Some(true));
        if declared {
            part.activation.extend(account(&name, user));
        }
        if locked {
            let hash = user["hashedPassword"].as_str().unwrap_or("!");
            passwords.push(quote(&format!("{name}:{hash}")));
        }
    }
    // One chpasswd for every account: each program started costs a fraction of a second
    // under emulation, before systemd starts.
    if !passwords.is_empty() {
        part.activation.push(format!(
            "printf '%s\\n' {} | chpasswd --encrypted",
            passwords.join(" ")
        ));
    }
    if loaded.at("security.sudo.enable").and_then(Value::as_bool) != Some(false) {
        part.file(SUDOERS, sudoers(loaded));
        part.activation.push(format!("chmod 0440 {SUDOERS}"));
    }
    part
}

/// The users the modules define, in name order.
fn defined_users(loaded: &Loaded) -> Vec<String> {
    let mut names: Vec<String> = loaded
        .definitions
        .iter()
        .filter_map(|d| match d.path.as_slice() {
            [users, kind, name, ..] if users == "users" && kind == "users" => Some(name.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The shell lines that make `name` as NixOS declares it: its groups first, then the user
/// (or its groups added, when Debian has it already).
fn account(name: &str, user: &Value) -> Vec<String> {
    let text = |key: &str| user[key].as_str().map(str::to_owned);
    let mut groups: Vec<String> = Vec::new();
    for group in user["extraGroups"].as_array().into_iter().flatten() {
        // A group two modules both list is one group (users-groups.nix makes a set of them).
        if let Some(group) = group
            .as_str()
            .filter(|g| !groups.iter().any(|kept| kept == g))
        {
            groups.push(group.to_owned());
        }
    }
    let mut lines: Vec<String> = text("group")
        .into_iter()
        .chain(groups.iter().cloned())
        .map(|group| {
            let group = quote(&group);
            format!("getent group {group} >/dev/null || groupadd --system {group}")
        })
        .collect();
    let mut add = vec!["useradd".to_owned()];
    if user["isSystemUser"].as_bool() == Some(true) {
        add.push("--system".into());
    }
    if let Some(home) = text("home") {
        add.push(format!("--home-dir {}", quote(&home)));
    }
    if user["createHome"].as_bool() == Some(true) {
        add.push("--create-home".into());
    }
    if let Some(group) = text("group") {
        add.push(format!("--gid {}", quote(&group)));
    }
    if !groups.is_empty() {
        add.push(format!("--groups {}", quote(&groups.join(","))));
    }
    if let Some(uid) = user["uid"].as_i64() {
        add.push(format!("--uid {uid}"));
    }
    if let Some(description) = text("description").filter(|d| !d.is_empty()) {
        add.push(format!("--comment {}", quote(&description)));
    }
    add.push(format!("--shell {}", shell(user)));
    add.push(quote(name));
    let modify = match groups.is_empty() {
        true => "true".to_owned(),
        false => format!(
            "usermod --append --groups {} {}",
            quote(&groups.join(",")),
            quote(name)
        ),
    };
    lines.push(format!(
        "if id -u {} >/dev/null 2>&1; then {modify}; else {}; fi",
        quote(name),
        add.join(" ")
    ));
    lines
}

/// The Debian path of the user's shell package.
fn shell(user: &Value) -> &'static str {
    match user["shell"]["name"].as_str() {
        Some("bashInteractive" | "bash") => "/bin/bash",
        Some("zsh") => "/usr/bin/zsh",
        Some("fish") => "/usr/bin/fish",
        _ => "/usr/sbin/nologin",
    }
}

/// sudo.nix's `configFile`: its header, the terminfo defaults, one line per user and group
/// of each rule, then `extraConfig`.
fn sudoers(loaded: &Loaded) -> String {
    let sudo = |key: &str| loaded.at(&format!("security.sudo.{key}")).cloned();
    let mut parts = vec![
        "# Don't edit this file. Set the NixOS options ‘security.sudo.configFile’\n\
         # or ‘security.sudo.extraRules’ instead.\n"
            .to_owned(),
    ];
    if sudo("keepTerminfo").and_then(|v| v.as_bool()) != Some(false) {
        parts.push(
            "# Keep terminfo database for root and %wheel.\n\
             Defaults:root,%wheel env_keep+=TERMINFO_DIRS\n\
             Defaults:root,%wheel env_keep+=TERMINFO\n"
                .to_owned(),
        );
    }
    let rules = sudo("extraRules")
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    parts.push(
        rules
            .iter()
            .flat_map(rule_lines)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    parts.push("\n".to_owned());
    if let Some(extra) = sudo("extraConfig").and_then(|v| v.as_str().map(str::to_owned)) {
        if !extra.is_empty() {
            parts.push(format!("# extraConfig\n{extra}\n"));
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join("\n")
}

/// One line per user and per group of a rule with commands.
fn rule_lines(rule: &Value) -> Vec<String> {
    let commands: Vec<String> = rule["commands"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|command| match command.as_str() {
            Some(text) => text.to_owned(),
            None => {
                let options = super::texts(&command["options"]);
                let options = match options.is_empty() {
                    true => " ".to_owned(),
                    false => format!("{}: ", options.join(":")),
                };
                format!(
                    "{options}{}",
                    command["command"].as_str().unwrap_or_default()
                )
            }
        })
        .collect();
    if commands.is_empty() {
        return Vec::new();
    }
    let host = rule["host"].as_str().unwrap_or("ALL");
    let run_as = rule["runAs"].as_str().unwrap_or("ALL:ALL");
    let commands = commands.join(", ");
    let who = |value: &Value, prefix: &str| match value {
        Value::Number(id) => format!("{prefix}#{id}"),
        other => format!("{prefix}{}", other.as_str().unwrap_or_default()),
    };
    let users = rule["users"].as_array().into_iter().flatten();
    let groups = rule["groups"].as_array().into_iter().flatten();
    users
        .map(|u| format!("{}     {host}=({run_as})    {commands}", who(u, "")))
        .chain(groups.map(|g| format!("{}  {host}=({run_as})    {commands}", who(g, "%"))))
        .collect()
}
