#!/bin/sh
# nixos-tuning: mmdebstrap --customize-hook for the Debian 13 guest image.
# Usage (mmdebstrap runs it with the chroot directory as $1):
#   --customize-hook='sh /path/to/customize.sh "$1"'
# The other assets (backdoor, backdoor.service, installer-init) must sit next to
# this script; they are installed into /usr/lib/nixos-tuning/ in the image.
set -eu
root="$1"
here=$(dirname "$0")
lib=/usr/lib/nixos-tuning

# --- project files: everything specific to nixos-tuning lives in $lib ---------
install -d "$root$lib"
install -m 0755 "$here/backdoor" "$root$lib/backdoor"
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
for u in \
    serial-getty@ttyS0.service serial-getty@hvc0.service getty@tty1.service \
    getty.target console-getty.service \
    systemd-pstore.service sysstat.service sysstat-collect.timer \
    sysstat-summary.timer sysstat-rotate.timer dpkg-db-backup.timer fstrim.timer \
    e2scrub_all.timer e2scrub_reap.service \
    systemd-timesyncd.service systemd-networkd-wait-online.service \
    remote-fs.target \
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

# --- identity: root without password, fixed machine-id (no first-boot logic) --
chroot "$root" passwd -d root >/dev/null
echo 6e69786f737475696e696e6776617367 > "$root/etc/machine-id"
echo nixos-tuning > "$root/etc/hostname"
# fstab is written by the installer from the disko layout.
: > "$root/etc/fstab"

# --- initramfs: only what the two boots need ----------------------------------
# virtio_blk (module in the cloud kernel) for /dev/vda, btrfs for the installed root,
# squashfs for the installer root. No resume device, fast compression.
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
EOT
# udev is not needed in the initrd: devtmpfs creates /dev/vda* and /dev/vdb once the
# listed modules are loaded, and root= names the device. Dropping it (13 MB of hwdb,
# udevd, trigger+settle) makes the initrd small and the initrd phase short.
cat > "$root/etc/initramfs-tools/hooks/zz-nixos-tuning" <<'EOT'
#!/bin/sh
[ "$1" = prereqs ] && exit 0
rm -rf "$DESTDIR/scripts/init-top/udev" "$DESTDIR/scripts/init-bottom/udev" \
    "$DESTDIR/usr/lib/udev" "$DESTDIR/etc/udev" "$DESTDIR/usr/lib/systemd/systemd-udevd" \
    "$DESTDIR/usr/bin/udevadm" "$DESTDIR/bin/udevadm" "$DESTDIR/sbin/udevadm" \
    "$DESTDIR/usr/lib/x86_64-linux-gnu/systemd" "$DESTDIR/usr/lib/systemd"
EOT
chmod 0755 "$root/etc/initramfs-tools/hooks/zz-nixos-tuning"
chroot "$root" update-initramfs -u -k all
