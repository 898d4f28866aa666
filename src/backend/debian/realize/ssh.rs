//! The OpenSSH daemon as sshd.nix configures it: `/etc/ssh/sshd_config` (the `settings` as
//! `Key value` lines, then NixOS's own lines and `extraConfig`), each user's keys in
//! `/etc/ssh/authorized_keys.d/<user>`, and the service masked when it is off. Store paths
//! of the openssh package are the Debian package's.

use serde_json::Value;

use super::{path, quote, Part, RealizeError, SSHD_CONFIG};
use crate::scenario::Loaded;

/// The `services.openssh` options realized (besides `settings.*`).
pub const OPTIONS: [&str; 8] = [
    "enable",
    "ports",
    "extraConfig",
    "listenAddresses",
    "allowSFTP",
    "sftpFlags",
    "authorizedKeysFiles",
    "authorizedKeysInHomedir",
];

/// Settings whose list values sshd reads comma-separated, and space-separated (sshd.nix).
const COMMA_SEPARATED: [&str; 3] = ["Ciphers", "KexAlgorithms", "Macs"];
const SPACE_SEPARATED: [&str; 6] = [
    "AcceptEnv",
    "AuthorizedKeysFile",
    "AllowGroups",
    "AllowUsers",
    "DenyGroups",
    "DenyUsers",
];

/// Debian's sftp server, for the openssh package's `libexec/sftp-server`.
const SFTP_SERVER: &str = "/usr/lib/openssh/sftp-server";

pub fn realize(loaded: &Loaded) -> Result<Part, RealizeError> {
    let mut part = Part::default();
    let ssh = |key: &str| loaded.at(&format!("services.openssh.{key}")).cloned();
    if ssh("enable").and_then(|v| v.as_bool()) != Some(true) {
        part.activation
            .push("ln -sf /dev/null /etc/systemd/system/ssh.service".into());
        return Ok(part);
    }
    let settings = ssh("settings").unwrap_or(Value::Null);
    let mut config = settings_lines(loaded, &settings)?;
    config.push_str(&nixos_lines(loaded));
    config.push('\n');
    part.file(SSHD_CONFIG, config);
    part.activation
        .push("rm -f /etc/systemd/system/ssh.service".into());
    let mut files = Vec::new();
    for (user, keys) in authorized_keys(loaded)? {
        let file = format!("/etc/ssh/authorized_keys.d/{user}");
        files.push(quote(&file));
        part.file(&file, keys);
    }
    if !files.is_empty() {
        part.activation
            .push(format!("chmod 0444 {}", files.join(" ")));
    }
    Ok(part)
}

/// `settings` without nulls, sorted, as `Key value` lines.
fn settings_lines(loaded: &Loaded, settings: &Value) -> Result<String, RealizeError> {
    let mut text = String::new();
    for (key, value) in settings.as_object().into_iter().flatten() {
        let shown = match value {
            Value::Null => continue,
            Value::Bool(true) => "yes".to_owned(),
            Value::Bool(false) => "no".to_owned(),
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Array(items) => {
                let items: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                if COMMA_SEPARATED.contains(&key.as_str()) {
                    items.join(",")
                } else if SPACE_SEPARATED.contains(&key.as_str()) {
                    items.join(" ")
                } else {
                    return Err(super::invalid(
                        loaded,
                        &path(&["services", "openssh", "settings", key]),
                        "is a list, which sshd.nix writes only for Ciphers, KexAlgorithms, \
                         Macs and the user and group lists",
                    ));
                }
            }
            Value::Object(_) => {
                return Err(super::invalid(
                    loaded,
                    &path(&["services", "openssh", "settings", key]),
                    "must be a bool, int, string or list",
                ))
            }
        };
        text.push_str(&format!("{key} {shown}\n"));
    }
    Ok(text)
}

/// What sshd.nix puts first in `extraConfig` (`mkOrder 0`), then the modules' own.
fn nixos_lines(loaded: &Loaded) -> String {
    let ssh = |key: &str| loaded.at(&format!("services.openssh.{key}")).cloned();
    let list = |key: &str| {
        ssh(key)
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
    };
    let ipv6 = loaded.at("networking.enableIPv6").and_then(Value::as_bool) != Some(false);
    let mut lines = vec![format!(
        "AddressFamily {}",
        if ipv6 { "any" } else { "inet" }
    )];
    lines.extend(list("ports").iter().map(|port| format!("Port {port}")));
    for address in list("listenAddresses") {
        let addr = address["addr"].as_str().unwrap_or_default();
        let port = address["port"]
            .as_i64()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        lines.push(format!("ListenAddress {addr}{port}"));
    }
    if ssh("allowSFTP").and_then(|v| v.as_bool()) != Some(false) {
        let flags: Vec<String> = list("sftpFlags")
            .iter()
            .filter_map(|f| f.as_str().map(str::to_owned))
            .collect();
        lines.push(format!("Subsystem sftp {SFTP_SERVER} {}", flags.join(" ")));
    }
    let files: Vec<String> = list("authorizedKeysFiles")
        .iter()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect();
    lines.push(format!("AuthorizedKeysFile {}", files.join(" ")));
    for key in list("hostKeys") {
        if let Some(path) = key["path"].as_str() {
            lines.push(format!("HostKey {path}"));
        }
    }
    let mut text = lines.join("\n");
    if let Some(extra) = ssh("extraConfig").and_then(|v| v.as_str().map(str::to_owned)) {
        if !extra.is_empty() {
            text.push('\n');
            text.push_str(&extra);
        }
    }
    text
}

/// Each user with keys, and their file as sshd.nix writes it.
fn authorized_keys(loaded: &Loaded) -> Result<Vec<(String, String)>, RealizeError> {
    let mut files = Vec::new();
    let users = loaded.at("users.users").and_then(Value::as_object);
    for (name, user) in users.into_iter().flatten() {
        let keys = &user["openssh"]["authorizedKeys"];
        let (listed, key_files) = (super::texts(&keys["keys"]), super::texts(&keys["keyFiles"]));
        if listed.is_empty() && key_files.is_empty() {
            continue;
        }
        let mut from_files = String::new();
        for file in key_files {
            let text = std::fs::read_to_string(file).map_err(|err| {
                super::invalid(
                    loaded,
                    &path(&[
                        "users",
                        "users",
                        name,
                        "openssh",
                        "authorizedKeys",
                        "keyFiles",
                    ]),
                    &format!("names `{file}`, which cannot be read: {err}"),
                )
            })?;
            from_files.push_str(&text);
            from_files.push('\n');
        }
        files.push((
            name.clone(),
            format!("{}\n{from_files}\n", listed.join("\n")),
        ));
    }
    Ok(files)
}
