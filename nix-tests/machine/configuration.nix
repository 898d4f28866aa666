# The guide's current system ("Current Configuration Status: Implemented"): Btrfs subvolumes
# laid out by disko with noatime and space_cache=v2 (./disko.nix), Home Manager for the one
# user, SSH reachable only with keys (no passwords; root by key only), flakes enabled, and
# the tools the guide's verification and monitoring commands need. A KVM guest like the OVH
# VPS. The optimizations are separate modules (../optimizations), added per scenario.
{ modulesPath, pkgs, ... }:
let
  # An example key (its private half was never kept): put your own here.
  adminKeys = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbFm0W0BaPt6mjXPIF2dmH3tz36Z5HQnv5WRmiAdmcJ admin@nixos-tuning (example: put your own key here)"
  ];
in
{
  imports = [
    (modulesPath + "/profiles/qemu-guest.nix")
    ./disko.nix
  ];

  networking.hostName = "vps";

  boot.loader.systemd-boot.enable = true;

  services.openssh = {
    enable = true;
    settings = {
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
      PermitRootLogin = "prohibit-password";
    };
  };

  # Accounts come from this file only, so no password can be set by hand later.
  users.mutableUsers = false;
  users.users.root.openssh.authorizedKeys.keys = adminKeys;
  users.users.admin = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = adminKeys;
  };
  # The admin has no password to type; the guide runs `sudo compsize /`.
  security.sudo.wheelNeedsPassword = false;

  home-manager.useGlobalPkgs = true;
  home-manager.useUserPackages = true;
  home-manager.users.admin = {
    home.stateVersion = "25.05";
    programs.bash.enable = true;
  };

  nix.settings.experimental-features = [
    "nix-command"
    "flakes"
  ];

  # The probes: btrfs, compsize, iostat (sysstat), htop, zramctl and findmnt (util-linux, also
  # in NixOS's base system; named here since the guide's checks rely on them).
  environment.systemPackages = with pkgs; [
    btrfs-progs
    compsize
    sysstat
    htop
    util-linux
  ];

  system.stateVersion = "25.05";
}
