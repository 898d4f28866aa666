# Holds more anonymous memory than the machine has, in pages of which a quarter is random
# and the rest text, so zram has something to compress. When everything is held it prints
# the swap in use and zramctl's view, then exits.
# Usage: pressure.py MIB
import os
import subprocess
import sys

MIB = 1 << 20
mib = int(sys.argv[1])
pool = os.urandom(4 * MIB)
text = (b"def handler(request): return render(request, 'index.html')\n" * 20000)[: 3 * MIB // 4]
held = []
for i in range(mib):
    offset = (i * 65537) % (3 * MIB)
    held.append(pool[offset : offset + MIB // 4] + text)

meminfo = dict(line.split(":", 1) for line in open("/proc/meminfo"))
kib = lambda key: int(meminfo[key].split()[0])
print("swap-used-bytes", (kib("SwapTotal") - kib("SwapFree")) * 1024)
print("--- zramctl")
sys.stdout.flush()
subprocess.run(["zramctl", "--bytes"], check=False)
