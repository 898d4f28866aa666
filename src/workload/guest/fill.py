# Writes MIB mebibytes of incompressible data to FILE and syncs it: one random mebibyte,
# repeated. Where the content does not matter (a file that only has to take disk space or
# page cache), this costs a fraction of reading /dev/urandom, whose generator runs emulated
# under TCG (256 MiB took 10-27 s there). Btrfs compresses each extent of at most 128 KiB
# on its own, so a repeated random mebibyte compresses no better than fresh random bytes,
# and the disk image stores every block of it as written.
# Usage: fill.py FILE MIB
import os
import sys

path, mib = sys.argv[1], int(sys.argv[2])
chunk = os.urandom(1 << 20)
with open(path, "wb") as f:
    for _ in range(mib):
        f.write(chunk)
    f.flush()
    os.fsync(f.fileno())
