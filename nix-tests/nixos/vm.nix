# The VM the nixos backend boots: disko's VM variant of the machine (`system.build.vmWithDisko`,
# whose `bin/disko-vm` boots a fresh overlay of the disko image), with NixOS's test
# instrumentation so the backdoor shell starts on hvc0. Nothing here touches the machine
# itself: every setting is inside `virtualisation.vmVariantWithDisko`.
#
# What the VM cannot share with the VPS: /nix/store is the host's store over 9p (with a tmpfs
# overlay), so the Btrfs /nix subvolume holds no store paths and compsize sees only what is
# written in the VM; the kernel boots directly, without systemd-boot.
{
  config,
  lib,
  modulesPath,
  pkgs,
  ...
}:
{
  virtualisation.vmVariantWithDisko = {
    imports = [ (modulesPath + "/testing/test-instrumentation.nix") ];

    # Pinned like the Debian guest: `max-jobs = auto` resolves to the vCPU count, zram's
    # size to a share of the RAM.
    virtualisation.memorySize = 1024;
    virtualisation.cores = 2;
    virtualisation.graphics = false;
    # No network, as the Debian guest: no VLAN NIC, no user-mode (SLiRP) NIC.
    virtualisation.vlans = [ ];
    virtualisation.qemu.networkingOptions = lib.mkForce [ ];

    # Undone from the test instrumentation, which would distort what is measured:
    # an OOM would panic the VM (the zram scenario puts memory under pressure),
    boot.kernel.sysctl."vm.panic_on_oom" = 0;
    # root would get an empty password (the machine allows keys only),
    users.users.root.hashedPasswordFile = null;
    # and logrotate would be switched off (a unit the machine has).
    services.logrotate.enable = true;

    # qemu-vm.nix mounts the VM's file systems from `virtualisation.fileSystems` with
    # mkVMOverride, which would drop what a scenario adds to `fileSystems` (ssd.nix's options
    # of /): the VM mounts each with the machine's own merged options.
    virtualisation.fileSystems = lib.mapAttrs (_: fs: {
      options = lib.mkForce fs.options;
    }) config.fileSystems;

    # The compression corpus the probes write is this Python's standard library, as on the
    # Debian guest (src/vmtest/probes.rs copies /usr/lib/python3.13).
    systemd.tmpfiles.rules = [ "L+ /usr/lib/python3.13 - - - - ${pkgs.python313}/lib/python3.13" ];

    # What the claim workloads (src/workload/guest/) run from root's backdoor shell: python3
    # (the same 3.13, whose standard library is the corpus and which drives the memory
    # workload), awk and tar; btrfs-progs, compsize, sysstat and util-linux come with the
    # machine (configuration.nix). gawk and gnutar are in NixOS's base system too: listed so
    # the VM does not depend on that.
    environment.systemPackages = with pkgs; [
      python313
      gawk
      gnutar
    ];
  };
}
