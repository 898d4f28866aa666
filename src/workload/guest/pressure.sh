# Runs pressure.py at 115% of the machine's memory in its own scope (so the OOM killer, if
# it strikes, stops that scope and not the backdoor shell) and counts the bytes written to
# the virtual disks meanwhile.
# Usage: pressure.sh [SWAPFILE-MIB]: with a size, on a temporary swap file of that size.
# Prints: `status N`, `disk-write-bytes N`, then what pressure.py printed.
set -u
written() { awk '$3 ~ /^vd[a-z]+$/ { s += $10 } END { print s * 512 }' /proc/diskstats; }
if [ -n "${1:-}" ]; then
  btrfs filesystem mkswapfile --size "${1}m" /var/swapfile >/dev/null && swapon /var/swapfile || exit 1
fi
mib=$(awk '/^MemTotal:/ { print int($2 * 1.15 / 1024) }' /proc/meminfo)
sync
w0=$(written)
out=$(systemd-run --scope -q python3 /run/nixos-tuning/pressure.py "$mib")
status=$?
w1=$(written)
if [ -n "${1:-}" ]; then swapoff /var/swapfile && rm -f /var/swapfile; fi
echo "status $status"
echo "disk-write-bytes $((w1 - w0))"
printf '%s\n' "$out"
