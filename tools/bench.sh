#!/bin/bash
# Release build, then every benchmark program with repetitions; medians are
# what the README and issue notes quote (compare ratios within one run).
set -euo pipefail
cd "$(dirname "$0")/.."

./tools/deps.sh
if [ ! -f build-release/build.ninja ]; then
  meson setup build-release --buildtype=release
fi
ninja -C build-release
export MTJSON_SOURCE_ROOT=$PWD
for b in $(find build-release/tests -maxdepth 2 -type f -name 'bench_*' -perm -u+x | sort); do
  echo "== $b"
  "$b" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true "$@" | grep -E 'median|^Run|^---' || true
done
