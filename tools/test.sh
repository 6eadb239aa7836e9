#!/bin/bash
# Installs the dependencies, builds, and runs every test: once in a normal
# (debugoptimized) build, benchmarks as a smoke run, then again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/deps.sh
# GramJS (layer 198) for the interop tests, exactly as locked.
npm ci --prefix tests/interop --no-audit --no-fund --ignore-scripts

run_suite() {  # build dir, meson options...
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  fi
  ninja -C "$dir"
  meson test -C "$dir" --print-errorlogs --num-processes 2
}

# Both builds compile in unity chunks with line-table debug info only (-g1: enough for
# sanitizer reports and backtraces): on 2 cores that halves the compile time, which is
# most of this script's run time. Reconfigure with -Dunity=off -Ddebug=true to debug.
FAST_BUILD=(-Dunity=on -Dunity_size=8 -Ddebug=false -Dcpp_args=-g1)
run_suite build "${FAST_BUILD[@]}"
meson test -C build --benchmark --print-errorlogs --logbase benchlog
run_suite build-asan "${FAST_BUILD[@]}" -Dsanitize=true -Dbenchmarks=disabled

# One closing line over both builds.
/usr/bin/python3 - <<'PY'
import json
passed = failed = skipped = 0
for d in ("build", "build-asan"):
    with open(f"{d}/meson-logs/testlog.json") as f:
        for line in f:
            r = json.loads(line).get("result")
            if r == "OK": passed += 1
            elif r == "SKIP": skipped += 1
            else: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
