# discard=async, in two steps the host measures between.
# `discard.sh write`: 256 MiB of incompressible data to the root subvolume, on disk.
# `discard.sh delete`: deletes it and commits; with discard=async, waits (up to 200 s) until
# Btrfs has discarded it: it holds freed extents back 120 s, then discards them (at its
# default iops_limit of 1000, 1 ms apart: the 256 MiB go in seconds). The wait ends when less
# than 1 MiB is left to discard, not at none: a few 4 KiB extents can stay pending for as long
# as their block group keeps changing, and waiting for them only ran into the deadline.
# Without discard=async nothing would ever be discarded, so there is nothing to wait for.
# Prints: `wait-ns N`, `pending-bytes N` (left to discard when the wait ended), `options
# <mount options of />`.
set -eu
file=/var/tmp/discard-probe
case "$1" in
write)
  python3 /run/nixos-tuning/fill.py "$file" 256
  sync
  ;;
delete)
  rm -f "$file"
  sync
  btrfs filesystem sync / >/dev/null
  set -- $(findmnt -no UUID,OPTIONS /)
  uuid=$1 options=$2
  pending=/sys/fs/btrfs/$uuid/discard/discardable_bytes
  t0=$(date +%s%N)
  read -r bytes <"$pending"
  case ",$options," in
  *,discard=async,*)
    read -r start _ </proc/uptime
    while [ "$bytes" -ge 1048576 ]; do
      read -r now _ </proc/uptime
      [ $((${now%.*} - ${start%.*})) -ge 200 ] && break
      sleep 1
      read -r bytes <"$pending"
    done
    ;;
  esac
  echo "wait-ns $(($(date +%s%N) - t0))"
  echo "pending-bytes $bytes"
  echo "options $options"
  ;;
esac
