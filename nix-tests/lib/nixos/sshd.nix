# nixpkgs nixos/modules/services/networking/ssh/sshd.nix. The stored copy read was at
# 00976b194fe32d3e425ff3b457eeb6e4ec7ba12c, a 2020 text without `settings`; what follows is
# NixOS 25.05's interface as its option documentation gives it (written from that, not from
# the 25.05 source): `services.openssh` with `settings` (a submodule whose freeformType
# takes any sshd_config keyword: an atom or a list of atoms) and its declared keywords and
# defaults, `users.users.<name>.openssh.authorizedKeys`, and what NixOS sets when sshd is
# enabled (the sshd user and group, the authorized-keys files, the firewall ports, kept
# here as freeform data).
{ config, lib, modulesPath, ... }:
let
  inherit (lib) mkOption types mkIf mkDefault;
  cfg = config.services.openssh;
  nullOrBool = default: mkOption { type = types.nullOr types.bool; inherit default; };
  nullOrStrs = default: mkOption { type = types.nullOr (types.listOf types.str); inherit default; };
  settingsAtom = types.nullOr (types.oneOf [ types.bool types.str types.int ]);

  userOptions = {
    options.openssh.authorizedKeys = {
      keys = mkOption { type = types.listOf types.singleLineStr; default = [ ]; };
      keyFiles = mkOption { type = types.listOf types.path; default = [ ]; };
    };
  };
in
{
  # This file stands for nixpkgs' own: messages name that, disabledModules finds it by it.
  _file = "${modulesPath}/services/networking/ssh/sshd.nix";
  key = "${modulesPath}/services/networking/ssh/sshd.nix";
  options = {
    users.users = mkOption { type = types.attrsOf (types.submodule userOptions); };

    services.openssh = {
      enable = mkOption { type = types.bool; default = false; };
      package = mkOption { type = types.package; default = lib.opaquePackage "openssh"; };
      startWhenNeeded = mkOption { type = types.bool; default = false; };
      allowSFTP = mkOption { type = types.bool; default = true; };
      sftpServerExecutable = mkOption { type = types.str; example = "internal-sftp"; };
      sftpFlags = mkOption { type = types.listOf types.str; default = [ ]; example = [ "-f AUTHPRIV" "-l INFO" ]; };
      ports = mkOption { type = types.listOf types.port; default = [ 22 ]; };
      openFirewall = mkOption { type = types.bool; default = true; };
      listenAddresses = mkOption {
        type = types.listOf (types.submodule {
          options.addr = mkOption { type = types.nullOr types.str; default = null; };
          options.port = mkOption { type = types.nullOr types.port; default = null; };
        });
        default = [ ];
      };
      generateHostKeys = mkOption { type = types.bool; default = cfg.enable; };
      hostKeys = mkOption {
        type = types.listOf types.attrs;
        default = [
          { type = "rsa"; bits = 4096; path = "/etc/ssh/ssh_host_rsa_key"; }
          { type = "ed25519"; path = "/etc/ssh/ssh_host_ed25519_key"; }
        ];
      };
      banner = mkOption { type = types.nullOr types.lines; default = null; };
      authorizedKeysInHomedir = mkOption { type = types.bool; default = true; };
      authorizedKeysFiles = mkOption { type = types.listOf types.str; default = [ ]; };
      authorizedKeysCommand = mkOption { type = types.str; default = "none"; };
      authorizedKeysCommandUser = mkOption { type = types.str; default = "nobody"; };
      extraConfig = mkOption { type = types.lines; default = ""; };
      moduliFile = mkOption { type = types.path; example = "/etc/my-local-ssh-moduli;"; };
      settings = mkOption {
        default = { };
        type = types.submodule {
          freeformType = types.attrsOf (types.either settingsAtom (types.listOf settingsAtom));
          options = {
            AuthorizedPrincipalsFile = mkOption { type = types.nullOr types.str; default = "none"; };
            LogLevel = mkOption {
              type = types.nullOr (types.enum [ "QUIET" "FATAL" "ERROR" "INFO" "VERBOSE" "DEBUG" "DEBUG1" "DEBUG2" "DEBUG3" ]);
              default = "INFO";
            };
            UsePAM = nullOrBool true;
            UseDns = nullOrBool false;
            X11Forwarding = nullOrBool false;
            PasswordAuthentication = nullOrBool true;
            PermitRootLogin = mkOption {
              type = types.nullOr (types.enum [ "yes" "without-password" "prohibit-password" "forced-commands-only" "no" ]);
              default = "prohibit-password";
            };
            KbdInteractiveAuthentication = nullOrBool true;
            GatewayPorts = mkOption { type = types.nullOr types.str; default = "no"; };
            KexAlgorithms = nullOrStrs [
              "mlkem768x25519-sha256" "sntrup761x25519-sha512" "sntrup761x25519-sha512@openssh.com"
              "curve25519-sha256" "curve25519-sha256@libssh.org" "diffie-hellman-group-exchange-sha256"
            ];
            Macs = nullOrStrs [ "hmac-sha2-512-etm@openssh.com" "hmac-sha2-256-etm@openssh.com" "umac-128-etm@openssh.com" ];
            StrictModes = nullOrBool true;
            Ciphers = nullOrStrs [
              "chacha20-poly1305@openssh.com" "aes256-gcm@openssh.com" "aes128-gcm@openssh.com"
              "aes256-ctr" "aes192-ctr" "aes128-ctr"
            ];
            AllowUsers = nullOrStrs null;
            DenyUsers = nullOrStrs null;
            AllowGroups = nullOrStrs null;
            DenyGroups = nullOrStrs null;
            PrintMotd = nullOrBool false;
          };
        };
      };
    };
  };

  config = mkIf cfg.enable {
    users.users.sshd = { isSystemUser = true; group = "sshd"; description = "SSH privilege separation user"; };
    users.groups.sshd = { };
    services.openssh.moduliFile = mkDefault "${cfg.package}/etc/ssh/moduli";
    services.openssh.sftpServerExecutable = mkDefault "${cfg.package}/libexec/sftp-server";
    services.openssh.authorizedKeysFiles =
      lib.optional cfg.authorizedKeysInHomedir "%h/.ssh/authorized_keys" ++ [ "/etc/ssh/authorized_keys.d/%u" ];
    networking.firewall.allowedTCPPorts = lib.optionals cfg.openFirewall cfg.ports;
  };
}
