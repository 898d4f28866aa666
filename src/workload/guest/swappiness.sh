# The same memory pressure on every machine: a temporary 512 MiB swap file, 650 MiB of
# anonymous memory held while a 700 MiB file (incompressible, see fill.py) is read twice.
# How much the kernel swaps out rather than drop page cache is what vm.swappiness decides.
# Prints: `swappiness N`, `pswpin N`, `pswpout N` (pages, the run's delta of /proc/vmstat).
set -eu
btrfs filesystem mkswapfile --size 512m /var/swapfile >/dev/null
swapon /var/swapfile
trap 'swapoff /var/swapfile; rm -f /var/swapfile /var/tmp/filecache' EXIT
python3 /run/nixos-tuning/fill.py /var/tmp/filecache 700
echo 3 >/proc/sys/vm/drop_caches
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
in0=$(vmstat pswpin) out0=$(vmstat pswpout)
systemd-run --scope -q python3 - <<'PY'
held = [bytes([i % 251]) * (1 << 20) for i in range(650)]
for _ in range(2):
    with open("/var/tmp/filecache", "rb") as f:
        while f.read(1 << 20):
            pass
PY
echo "swappiness $(cat /proc/sys/vm/swappiness)"
echo "pswpin $(($(vmstat pswpin) - in0))"
echo "pswpout $(($(vmstat pswpout) - out0))"
