#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME (default 5s) each, one
# after the other, and fails on the first target that fails. CI runs it with
# the default; run `FUZZTIME=30s scripts/fuzz.sh` before a release.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-5s}
status=0
while IFS=: read -r file name; do
  pkg=./$(dirname "$file")
  echo "--- fuzz $pkg $name ($fuzztime)"
  if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel "${FUZZPARALLEL:-2}" >/tmp/fuzz.$$.log 2>&1; then
    grep -v '^fuzz: elapsed' /tmp/fuzz.$$.log | tail -20
    status=1
  fi
done < <(git grep -o '^func Fuzz[A-Za-z0-9_]*' -- '*_test.go' | sed 's/func //')
rm -f /tmp/fuzz.$$.log
exit $status
