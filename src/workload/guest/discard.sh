# discard=async, in two steps the host measures between.
# `discard.sh write`: 256 MiB of random data to the root subvolume, on disk.
# `discard.sh delete`: deletes it and commits; with discard=async, waits (up to 200 s) until
# Btrfs has no discards pending: it holds freed space back 120 s before discarding it.
# Without it nothing would ever be discarded, so there is nothing to wait for.
# Prints: `wait-ns N`, `options <mount options of />`.
set -eu
file=/var/tmp/discard-probe
case "$1" in
write)
  head -c 256M /dev/urandom >"$file"
  sync
  ;;
delete)
  rm -f "$file"
  sync
  btrfs filesystem sync / >/dev/null
  options=$(findmnt -no OPTIONS /)
  pending=$(echo /sys/fs/btrfs/*/discard/discardable_bytes)
  t0=$(date +%s%N)
  case ",$options," in
  *,discard=async,*)
    for _ in $(seq 100); do
      [ "$(cat $pending)" = 0 ] && break
      sleep 2
    done
    ;;
  esac
  echo "wait-ns $(($(date +%s%N) - t0))"
  echo "options $options"
  ;;
esac
