#!/bin/sh
# Installs what nixos-tuning needs on a Debian 12 or 13 machine: QEMU, the tools that build
# the Debian guest (mmdebstrap, squashfs-tools-ng), Nix to evaluate the nix-tests files,
# Chromium and a font (the report test renders the HTML report headless; without
# recommends, Chromium brings no font) and cargo-nextest. Safe to run again: it installs
# only what is missing.
set -eu

packages="qemu-system-x86 qemu-utils mmdebstrap squashfs-tools-ng nix-bin ca-certificates chromium fonts-dejavu-core"
missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $package"
done

if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing$missing"
    $sudo apt-get update -q
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo is missing; install Rust (https://rustup.rs) and run this again" >&2
    exit 1
fi
if ! cargo nextest --version >/dev/null 2>&1; then
    echo "setup: installing cargo-nextest"
    cargo install --locked cargo-nextest
fi
echo "setup: ready"
