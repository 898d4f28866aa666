#!/bin/sh
# nixos-tuning: mmdebstrap --customize-hook for the Debian 13 guest image.
# Usage (mmdebstrap runs it with the chroot directory as $1):
#   --customize-hook='sh /path/to/customize.sh "$1"'
# The other assets (backdoor, deadline-watch, backdoor.service, installer-init) must sit next to
# this script; they are installed into /usr/lib/nixos-tuning/ in the image.
set -eu
root="$1"
here=$(dirname "$0")
lib=/usr/lib/nixos-tuning

# --- project files: everything specific to nixos-tuning lives in $lib ---------
install -d "$root$lib"
install -m 0755 "$here/backdoor" "$root$lib/backdoor"
install -m 0755 "$here/deadline-watch" "$root$lib/deadline-watch"
install -m 0755 "$here/installer-init" "$root$lib/installer-init"
install -m 0755 "$here/activate" "$root$lib/activate"
install -m 0644 "$here/backdoor.service" "$root$lib/backdoor.service"

# journald: everything to the serial console, like NixOS's test instrumentation
# (ForwardToConsole=yes, TTYPath=/dev/ttyS0, MaxLevelConsole=debug); the journal
# itself stays in memory (no flush to disk during boot).
cat > "$root$lib/journald.conf" <<'EOT'
[Journal]
Storage=volatile
ForwardToConsole=yes
TTYPath=/dev/ttyS0
MaxLevelConsole=info
EOT
# Like NixOS's DefaultTimeoutStartSec=300 in test instrumentation.
cat > "$root$lib/system.conf" <<'EOT'
[Manager]
DefaultTimeoutStartSec=300
ShowStatus=no
EOT
# No zram swap unless a scenario writes /etc/systemd/zram-generator.conf
# (Debian's systemd-zram-generator ships a default [zram0] in /usr/lib).
: > "$root$lib/zram-generator.conf"

install -d "$root/etc/systemd/journald.conf.d" "$root/etc/systemd/system.conf.d" \
    "$root/etc/systemd/system/multi-user.target.wants"
ln -sf "$lib/journald.conf" "$root/etc/systemd/journald.conf.d/50-nixos-tuning.conf"
ln -sf "$lib/system.conf" "$root/etc/systemd/system.conf.d/50-nixos-tuning.conf"
cp "$root$lib/zram-generator.conf" "$root/etc/systemd/zram-generator.conf"
ln -sf "$lib/backdoor.service" "$root/etc/systemd/system/backdoor.service"
ln -sf "$lib/backdoor.service" "$root/etc/systemd/system/multi-user.target.wants/backdoor.service"

# --- units that are useless in a network-less test VM and cost boot time ------
# systemd-remount-fs is masked too: the kernel command line mounts / rw with all of
# its fstab options (rootflags=subvol=...,<options of "/" in the layout>), as NixOS's
# stage 1 does, so there is nothing to remount (it was ~1 s on the critical path).
# kmod-static-nodes only writes /run/tmpfiles.d/static-nodes.conf for the /dev nodes of
# modules not loaded yet, which only systemd-tmpfiles-setup-dev* read (masked below);
# systemd-tmpfiles-setup excludes /dev. It cost an exec of kmod (0.8-1.1 s under TCG) among
# the units the backdoor waits for.
for u in \
    serial-getty@ttyS0.service serial-getty@hvc0.service getty@tty1.service \
    getty.target console-getty.service \
    systemd-pstore.service sysstat.service sysstat-collect.timer \
    sysstat-summary.timer sysstat-rotate.timer dpkg-db-backup.timer fstrim.timer \
    e2scrub_all.timer e2scrub_reap.service \
    systemd-timesyncd.service systemd-networkd-wait-online.service \
    remote-fs.target \
    ldconfig.service systemd-update-done.service systemd-journal-catalog-update.service \
    systemd-hwdb-update.service systemd-firstboot.service systemd-machine-id-commit.service \
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount \
    sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount \
    sys-fs-fuse-connections.mount dev-hugepages.mount \
    modprobe@drm.service modprobe@fuse.service modprobe@configfs.service \
    modprobe@efi_pstore.service modprobe@dm_mod.service modprobe@loop.service \
    systemd-tpm2-setup-early.service systemd-tpm2-setup.service \
    systemd-udev-load-credentials.service systemd-random-seed.service \
    systemd-journal-flush.service systemd-sysusers.service \
    systemd-tmpfiles-setup-dev-early.service systemd-tmpfiles-setup-dev.service \
    systemd-remount-fs.service kmod-static-nodes.service \
; do
    ln -sf /dev/null "$root/etc/systemd/system/$u"
done
rm -f "$root/etc/systemd/system/getty.target.wants/getty@tty1.service" \
      "$root/etc/systemd/system/multi-user.target.wants/remote-fs.target" \
      "$root/etc/systemd/system/multi-user.target.wants/sysstat.service" \
      "$root/etc/systemd/system/sysinit.target.wants/systemd-pstore.service"
rm -rf "$root/etc/systemd/system/sysstat.service.wants"
rm -f "$root/etc/systemd/system/timers.target.wants/dpkg-db-backup.timer" \
      "$root/etc/systemd/system/timers.target.wants/fstrim.timer"

# Generators that only probe for things this VM does not have (GPT auto-mounts,
# TPM, hibernation, SSH over vsock, SysV scripts, rc.local, getty on the console).
install -d "$root/etc/systemd/system-generators"
for g in systemd-gpt-auto-generator systemd-ssh-generator systemd-tpm2-generator \
    systemd-hibernate-resume-generator systemd-getty-generator systemd-sysv-generator \
    systemd-rc-local-generator systemd-system-update-generator systemd-run-generator; do
    ln -sf /dev/null "$root/etc/systemd/system-generators/$g"
done

# --- identity: root without password --------------------------------------------
# (mmdebstrap resets /etc/machine-id to "uninitialized" after the hooks: the
# installer writes a fixed one, from $lib/machine-id, so that no boot is a "first
# boot" that re-applies presets.)
chroot "$root" passwd -d root >/dev/null
echo 6e69786f737475696e696e6776617367 > "$root$lib/machine-id"
echo nixos-tuning > "$root/etc/hostname"
# fstab is written by the installer from the disko layout.
: > "$root/etc/fstab"

# --- kernel modules ---------------------------------------------------------------
# The cloud kernel's modules are xz-compressed and the kernel decompresses them at
# each load (slow under TCG): store the ones a boot or a scenario loads uncompressed.
kver=$(ls "$root/usr/lib/modules")
for d in fs/btrfs fs/fat fs/nls fs/autofs fs/squashfs lib crypto arch/x86/crypto \
    drivers/block drivers/firmware mm net/netfilter net/ipv4/netfilter; do
    [ -d "$root/usr/lib/modules/$kver/kernel/$d" ] &&
        find "$root/usr/lib/modules/$kver/kernel/$d" -name '*.ko.xz' -exec xz -d {} +
done
chroot "$root" depmod "$kver"
# Modules that udev would load for the emulated hardware and that no test needs
# (KVM inside TCG, the i440FX IDE controller, CPU crypto/hash drivers, input).
cat > "$root$lib/modprobe.conf" <<'EOT'
blacklist kvm
blacklist kvm_amd
blacklist kvm_intel
blacklist ata_piix
blacklist ata_generic
blacklist pata_acpi
blacklist aesni_intel
blacklist ghash_clmulni_intel
blacklist sha1_ssse3
blacklist sha256_ssse3
blacklist sha512_ssse3
blacklist serio_raw
blacklist evdev
blacklist button
blacklist powernow_k8
blacklist pcspkr
blacklist floppy
blacklist i2c_piix4
blacklist psmouse
EOT
ln -sf "$lib/modprobe.conf" "$root/etc/modprobe.d/nixos-tuning.conf"
# No module list to load at boot: then systemd-modules-load.service is skipped by its
# ConditionDirectoryNotEmpty= instead of costing an exec before systemd-sysctl.
# (zram.ko is loaded by zram-generator when a scenario configures zram.)
rm -f "$root/usr/lib/modules-load.d/20-zram-generator.conf" "$root/etc/modules-load.d/modules.conf"

# --- initramfs: only what the two boots need ----------------------------------
# virtio_blk (a module in the cloud kernel) for /dev/vda, btrfs for the installed
# root, squashfs for the installer root, vfat + its code pages for the ESP that the
# initramfs mounts (see below). No resume device, fast compression.
cat > "$root/etc/initramfs-tools/conf.d/nixos-tuning.conf" <<'EOT'
MODULES=list
BUSYBOX=n
COMPRESS=zstd
COMPRESSLEVEL=1
RESUME=none
EOT
cat > "$root/etc/initramfs-tools/modules" <<'EOT'
virtio_blk
btrfs
squashfs
vfat
nls_cp437
nls_ascii
EOT
# Hook (runs after the packaged ones): udev is not needed in the initrd, since
# devtmpfs creates /dev/vda* and /dev/vdb as soon as virtio_blk is loaded and root=
# names the device; dropping it (13 MB of hwdb, udevd, trigger+settle) makes the
# initrd small and its run short. The modules are stored uncompressed so that the
# kernel does not xz-decompress btrfs.ko at every boot.
cat > "$root/etc/initramfs-tools/hooks/zz-nixos-tuning" <<'EOT'
#!/bin/sh
[ "$1" = prereqs ] && exit 0
rm -rf "$DESTDIR/scripts/init-top/udev" "$DESTDIR/scripts/init-bottom/udev" \
    "$DESTDIR/usr/lib/udev" "$DESTDIR/etc/udev" "$DESTDIR/usr/lib/systemd" \
    "$DESTDIR/usr/lib/x86_64-linux-gnu/systemd" \
    "$DESTDIR/usr/bin/udevadm" "$DESTDIR/bin/udevadm" "$DESTDIR/sbin/udevadm"
# Single-device Btrfs: no `btrfs device scan` needed (it costs an exec of btrfs).
rm -f "$DESTDIR/scripts/local-premount/btrfs" "$DESTDIR/usr/bin/btrfs" "$DESTDIR/bin/btrfs"
find "$DESTDIR/usr/lib/modules" -name '*.ko.xz' -exec xz -d {} +
depmod -b "$DESTDIR" "$version"
EOT
# udev's init-bottom script used to move /dev onto the real root; do it here.
install -d "$root/etc/initramfs-tools/scripts/init-bottom"
cat > "$root/etc/initramfs-tools/scripts/init-bottom/nixos-tuning-dev" <<'EOT'
#!/bin/sh
[ "$1" = prereqs ] && exit 0
mount -n -o move /dev "${rootmnt}/dev" || mount -n -t devtmpfs devtmpfs "${rootmnt}/dev"
EOT
# The other local filesystems (/nix, /home, /boot) are mounted by activate, from the
# scenario's fstab, before systemd starts (see activate).
chmod 0755 "$root/etc/initramfs-tools/hooks/zz-nixos-tuning" \
    "$root/etc/initramfs-tools/scripts/init-bottom/nixos-tuning-dev"
chroot "$root" update-initramfs -u -k all
