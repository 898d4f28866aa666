# discard=async, in two steps the host measures between.
# `discard.sh write`: 256 MiB of incompressible data to the root subvolume, on disk.
# `discard.sh delete`: deletes it and commits; with discard=async, waits (up to 200 s) until
# Btrfs has discarded it: it holds freed extents back 120 s, then discards them. The wait
# ends when less than 32 MiB (an eighth of the delete) is left to discard, not at none: the
# system's own small writes keep a few MiB pending for minutes (Btrfs paces small discards
# up to a second apart; 7 MiB were still pending after 200 s here), and waiting for them
# only ran into the deadline while the host's allocation had already dropped by the 256 MiB.
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
    while [ "$bytes" -ge $((32 << 20)) ]; do
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
