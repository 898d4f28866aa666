# Imports of nixpkgs' own modules (`modulesPath + "/profiles/qemu-guest.nix"`): there is no
# nixpkgs here, so they are not evaluated. Each becomes an entry of `skipped` saying so and,
# for the files real configurations import most, what NixOS 25.05's file would have set.
{ lib }:
let
  known = {
    "profiles/qemu-guest.nix" = "it would set boot.initrd.availableKernelModules = [ \"virtio_net\" \"virtio_pci\" \"virtio_mmio\" \"virtio_blk\" \"virtio_scsi\" \"9p\" \"9pnet_virtio\" ] and boot.initrd.kernelModules = [ \"virtio_balloon\" \"virtio_console\" \"virtio_rng\" \"virtio_gpu\" ] (the virtio drivers of a KVM guest)";
    "installer/scan/not-detected.nix" = "it would set hardware.enableRedistributableFirmware = lib.mkDefault true";
    "profiles/minimal.nix" = "it would turn documentation, fonts and X libraries off (documentation.enable = mkDefault false, ...)";
    "profiles/headless.nix" = "it would turn off the virtual consoles' getty on tty1 and sound (boot.vesa = false, systemd.services.\"getty@tty1\".enable = false, ...)";
    "virtualisation/qemu-guest-agent.nix" = "it would declare services.qemuGuest";
  };
in
modulesPath: file: import:
  let
    relative = lib.removePrefix (modulesPath + "/") (toString import);
  in {
    import = "<modulesPath>/${relative}";
    file = toString file;
    reason = "a module of nixpkgs itself, which is not available here, so it is not evaluated"
      + (if known ? ${relative} then "; ${known.${relative}}" else "");
  }
