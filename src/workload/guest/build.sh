# Builds build.nix once with the given extra nix-build options (none: the machine's own
# settings), in its own scope so the build's memory is counted alone.
# Usage: build.sh NONCE [NIX-BUILD-OPTION...]. Prints: `ns N`, `peak-bytes N`.
set -eu
nonce=$1
shift
# Build as root against the store directly (NixOS would hand it to nix-daemon, whose
# cgroup is not ours); no substituters, so nothing is downloaded.
t0=$(date +%s%N)
NIX_REMOTE=local nix-build --no-out-link --quiet --option sandbox false \
  --option build-users-group '' --option substituters '' "$@" \
  /run/nixos-tuning/build.nix --argstr nonce "$nonce" >/dev/null
t1=$(date +%s%N)
echo "ns $((t1 - t0))"
echo "peak-bytes $(cat "/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.peak")"
