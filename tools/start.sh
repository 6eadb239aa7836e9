#!/bin/bash
# Installs the dependencies, builds (release) and starts mtjson on its
# embedded default. Until the daemon lands this shows mtjson-tl, the TL
# encoder/decoder it is built on.
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/deps.sh
if [ ! -f build-release/build.ninja ]; then
  meson setup build-release --buildtype=release
fi
ninja -C build-release
exec ./build-release/tools/mtjson-tl --help
