#!/bin/bash
# Installs the dependencies, builds (release) and starts mtjson on its
# embedded default: an in-process test DC, so it works offline. Extra
# arguments go to mtjson (e.g. --port 1600, --verbose).
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/deps.sh
if [ ! -f build-release/build.ninja ]; then
  meson setup build-release --buildtype=release
fi
ninja -C build-release
exec ./build-release/tools/mtjson/mtjson --testdc "$@"
