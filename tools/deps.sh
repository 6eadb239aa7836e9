#!/bin/bash
# Installs what mtjson needs to build and test, from Debian 12 packages only.
# Safe to re-run: does nothing when everything is already there.
set -euo pipefail

PACKAGES=(
  g++ meson ninja-build pkg-config          # toolchain
  libssl-dev libsimdjson-dev nlohmann-json3-dev zlib1g-dev libasio-dev  # libraries
  catch2 libbenchmark-dev                   # tests and benchmarks
  python3 python3-telethon                  # Telethon: the interop oracle (layer 144)
  netcat-openbsd                            # nc, for talking to the daemon by hand (README)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js + npm run the GramJS interop tests. Only when a command is missing:
# a machine may already have a Node.js build that bundles npm and conflicts
# with Debian's separate npm package.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
