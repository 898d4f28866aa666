# Writes the corpus (the guest's Python standard library sources) to a fresh directory on
# the /home subvolume, then reads it back with a cold page cache, timing both.
# Prints: `write-ns N`, `read-ns N`, `bytes N`.
set -eu
dst=/home/bench-corpus
src=$(python3 -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')
# The source is read once first, so only writing is timed.
tar -C "$src" --exclude=__pycache__ -cf - . >/dev/null
rm -rf "$dst" && mkdir -p "$dst" && sync
t0=$(date +%s%N)
tar -C "$src" --exclude=__pycache__ -cf - . | tar -C "$dst" -xf -
sync
t1=$(date +%s%N)
echo 3 >/proc/sys/vm/drop_caches
t2=$(date +%s%N)
bytes=$(tar -C "$dst" -cf - . | wc -c)
t3=$(date +%s%N)
echo "write-ns $((t1 - t0))"
echo "read-ns $((t3 - t2))"
echo "bytes $bytes"
