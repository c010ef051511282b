#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (make fuzz, make
# fuzz-short). A failure is a failure, with one exception: Go's fuzzing
# coordinator sometimes reports "context deadline exceeded" when -fuzztime
# runs out while a worker is busy, and writes no failing input. That run is
# tried once more; a second such report, or any real finding (a new file
# under testdata/fuzz), fails.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-2m}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for pkg in $($GO list ./...); do
  for f in $($GO test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    for try in 1 2; do
      echo "fuzz $pkg $f ($FUZZTIME)"
      dir=$($GO list -f '{{.Dir}}' "$pkg")
      before=$({ find "$dir/testdata/fuzz/$f" -type f 2>/dev/null || true; } | wc -l)
      if $GO test -run '^$' -fuzz "^$f\$" -fuzztime "$FUZZTIME" "$pkg" >"$log" 2>&1; then
        cat "$log"
        break
      fi
      cat "$log"
      after=$({ find "$dir/testdata/fuzz/$f" -type f 2>/dev/null || true; } | wc -l)
      if [[ $try -eq 1 && $after -eq $before ]] && grep -q 'context deadline exceeded' "$log"; then
        echo "fuzz: $f stopped on Go's fuzzing deadline with no failing input; trying once more"
        continue
      fi
      exit 1
    done
  done
done
