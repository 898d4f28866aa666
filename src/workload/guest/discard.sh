# discard=async, in two steps the host measures between.
# `discard.sh write`: 256 MiB of random data to the root subvolume, on disk.
# `discard.sh delete`: deletes it, commits, and waits (up to 240 s) until Btrfs has no
# discards pending. Prints: `wait-ns N`, `options <mount options of />`.
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
  pending=$(echo /sys/fs/btrfs/*/discard/discardable_bytes)
  t0=$(date +%s%N)
  for _ in $(seq 480); do
    [ "$(cat $pending)" = 0 ] && break
    sleep 0.5
  done
  echo "wait-ns $(($(date +%s%N) - t0))"
  echo "options $(findmnt -no OPTIONS /)"
  ;;
esac
