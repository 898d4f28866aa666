#!/bin/sh
# Installs what nixos-tuning needs on a Debian 12 or 13 machine, whatever it has already:
# QEMU, the tools that build the Debian guest (mmdebstrap, squashfs-tools-ng), Nix to
# evaluate the nix-tests files, git, the OpenSSH client for `cargo xtask check`, Chromium and a
# font (the report test renders the HTML report headless; without recommends, Chromium brings
# no font) and cargo-nextest. Then it checks that every program the project runs is there.
#
# The whole list goes to one `apt-get install` every time: it is idempotent, and apt then
# resolves the list as one, so a package already installed from elsewhere cannot be removed
# as a conflict of another. The QEMU packages are pinned to one version (the one apt offers
# for qemu-system-x86): a qemu-utils from backports otherwise breaks qemu-system-x86.
set -eu

packages="mmdebstrap squashfs-tools-ng nix-bin tar git openssh-client ca-certificates chromium fonts-dejavu-core"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

echo "setup: apt-get update"
$sudo apt-get update -q >/dev/null

candidate() {
    apt-cache policy "$1" | sed -n 's/^ *Candidate: //p'
}
qemu_version=$(candidate qemu-system-x86)
if [ -z "$qemu_version" ] || [ "$qemu_version" = "(none)" ]; then
    echo "setup: apt offers no qemu-system-x86; check /etc/apt/sources.list" >&2
    exit 1
fi
# The two the project needs, and every other QEMU package already installed, which would
# otherwise hold the family at another version.
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'qemu-*' 2>/dev/null |
    sed -n 's/^ii *//p')
pinned=""
for package in $(printf '%s\n' qemu-system-x86 qemu-utils $installed | sort -u); do
    if apt-cache madison "$package" | grep -q "| *$qemu_version *|"; then
        pinned="$pinned $package=$qemu_version"
    fi
done

echo "setup: apt-get install $packages$pinned"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
    --allow-downgrades $packages $pinned >/dev/null

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo is missing; install Rust (https://rustup.rs) and run this again" >&2
    exit 1
fi
if ! cargo nextest --version >/dev/null 2>&1; then
    echo "setup: installing cargo-nextest"
    cargo install --locked cargo-nextest
fi

# Every program the project runs on the host, with its package (src/host.rs lists the same).
missing=""
for entry in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils mmdebstrap:mmdebstrap \
    tar2sqfs:squashfs-tools-ng tar:tar \
    nix-instantiate:nix-bin nix:nix-bin ssh:openssh-client ssh-keygen:openssh-client git:git \
    chromium:chromium \
    cargo-nextest:cargo-nextest; do
    program=${entry%%:*}
    command -v "$program" >/dev/null 2>&1 || missing="$missing $program (${entry#*:})"
done
if [ -n "$missing" ]; then
    echo "setup: still missing after the install:$missing" >&2
    exit 1
fi
echo "setup: ready (QEMU $qemu_version)"
