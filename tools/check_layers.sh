#!/bin/bash
# Layering: the libraries under src/ and tl/ are the product; tools/ (the test DC, sign-in and
# bench programs) build on them, never the other way round. Fails, naming file and line, when
#  - a file under src/ or tl/ includes a header that lives in tools/ ("testdc/...", "signin/...",
#    "bench/...": every directory of tools/ is an include root for the tools' own code), or
#  - a meson.build under src/ or tl/ uses something tools/ defines (a dependency, library or
#    include directory) anywhere but in an executable() call.
# The one exception is the mtjson executable's start-up: --testdc embeds the test DC
# (src/daemon/embedded_testdc.cpp, compiled into the executable only).
# Usage: tools/check_layers.sh [SOURCE_ROOT]
set -uo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2

executable_only=(src/daemon/embedded_testdc.cpp)

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

is_executable_only() {
  local f
  for f in "${executable_only[@]}"; do [ "$1" = "$f" ] && return 0; done
  return 1
}

while IFS= read -r hit; do
  file=${hit%%:*}
  is_executable_only "$file" && continue
  rest=${hit#*:}
  line=${rest%%:*}
  report "$file:$line: includes a header from tools/: ${rest#*:}"
done < <(grep -rnE --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.cc' \
           "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]($prefix_re)/" src tl)

# Names that tools/ meson.build files assign (dependencies, libraries, include directories, ...).
mapfile -t tool_names < <(grep -rhoE --include=meson.build '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*[[:space:]]*=' tools |
                            sed -E 's/[[:space:]=]//g' | sort -u)
names_re=$(IFS='|'; echo "${tool_names[*]}")

meson_hits=$(mktemp)
trap 'rm -f "$meson_hits"' EXIT
while IFS= read -r build; do
  # Tracks which call a line is in (by parenthesis depth); tools/ names are allowed only inside
  # executable(...), and an executable-only source must not be listed in any other call.
  awk -v file="$build" -v names="$names_re" -v exe_only="${executable_only[*]}" '
    BEGIN { n = split(exe_only, ex, " "); depth = 0; call = "" }
    {
      text = $0
      sub(/#.*/, "", text)
      if (depth == 0 && match(text, /[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(/)) {
        call = substr(text, RSTART, RLENGTH)
        sub(/[[:space:]]*\($/, "", call)
      }
      if (names != "" && call != "executable") {
        rest = text
        while (match(rest, /[A-Za-z_][A-Za-z0-9_]*/)) {
          word = substr(rest, RSTART, RLENGTH)
          rest = substr(rest, RSTART + RLENGTH)
          if (word ~ ("^(" names ")$"))
            printf "%s:%d: uses %s from tools/ outside an executable()\n", file, NR, word
        }
      }
      if (text ~ /tools\//)
        printf "%s:%d: names a path in tools/\n", file, NR
      if (call != "executable")
        for (i = 1; i <= n; i++) {
          base = ex[i]; sub(/.*\//, "", base)
          if (index(text, "\x27" base "\x27") > 0)
            printf "%s:%d: %s belongs to an executable only\n", file, NR, base
        }
      opens = gsub(/\(/, "(", text); closes = gsub(/\)/, ")", text)
      depth += opens - closes
      if (depth <= 0) { depth = 0; call = "" }
    }' "$build"
done < <(find src tl -name meson.build | sort) > "$meson_hits"
if [ -s "$meson_hits" ]; then
  cat "$meson_hits" >&2
  fail=1
fi

if [ "$fail" -ne 0 ]; then
  echo "check_layers: src/ and tl/ must not depend on tools/" >&2
  exit 1
fi
echo "check_layers: src/ and tl/ do not depend on tools/"
