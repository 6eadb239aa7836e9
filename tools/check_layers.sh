#!/bin/bash
# Layering: the libraries under src/ and tl/ are the product; tools/ (the test DC, sign-in and
# bench programs) build on them, never the other way round. Fails, naming file and line, when
#  - a file under src/ or tl/ includes a header that lives in tools/ ("testdc/...", "signin/...",
#    "bench/...": every directory of tools/ is an include root for the tools' own code), or
#  - a meson.build under src/ or tl/ uses something tools/ defines (a dependency, library or
#    include directory).
# No exceptions: the mtjson executable, which embeds the test DC, is defined in tools/mtjson/.
# Usage: tools/check_layers.sh [SOURCE_ROOT]
set -uo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2

fail=0
report() {
  echo "$1" >&2
  fail=1
}

# Include prefixes that resolve into tools/: its directories, and tools/ itself.
prefixes=(tools)
for d in tools/*/; do
  d=${d%/}
  prefixes+=("${d#tools/}")
done
prefix_re=$(IFS='|'; echo "${prefixes[*]}")

while IFS= read -r hit; do
  file=${hit%%:*}
  rest=${hit#*:}
  line=${rest%%:*}
  report "$file:$line: includes a header from tools/: ${rest#*:}"
done < <(grep -rnE --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.cc' \
           "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]($prefix_re)/" src tl)

# Names that tools/ meson.build files assign (dependencies, libraries, include directories, ...).
mapfile -t tool_names < <(grep -rhoE --include=meson.build '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*[[:space:]]*=' tools |
                            sed -E 's/[[:space:]=]//g' | sort -u)
names_re=$(IFS='|'; echo "${tool_names[*]}")

# A use of one of those names, or a path into tools/, in a meson.build under src/ or tl/.
scan_meson() {
  local build
  while IFS= read -r build; do
  awk -v file="$build" -v names="$names_re" '
    {
      text = $0
      sub(/#.*/, "", text)
      rest = text
      while (names != "" && match(rest, /[A-Za-z_][A-Za-z0-9_]*/)) {
        word = substr(rest, RSTART, RLENGTH)
        rest = substr(rest, RSTART + RLENGTH)
        if (word ~ ("^(" names ")$")) printf "%s:%d: uses %s from tools/\n", file, NR, word
      }
      if (text ~ /tools\//) printf "%s:%d: names a path in tools/\n", file, NR
    }' "$build"
  done < <(find src tl -name meson.build | sort)
}
while IFS= read -r hit; do report "$hit"; done < <(scan_meson)

if [ "$fail" -ne 0 ]; then
  echo "check_layers: src/ and tl/ must not depend on tools/" >&2
  exit 1
fi
echo "check_layers: src/ and tl/ do not depend on tools/"
