#!/bin/sh
# Installs the test-only dependencies that Go tests use when they are present
# (and require when CI=true):
#   - DuckDB for Node (npm @duckdb/node-api), read by pipeline/store's
#     partitioned GeoParquet test (TestPartitionedReadByDuckDB).
# Usage: scripts/install-test-deps.sh [DIR]
# DIR defaults to $GROUNDWORK_TEST_DEPS, else $HOME/.cache/groundwork-test-deps.
# Tests find the packages through the same variable and default.
set -eu
dir=${1:-${GROUNDWORK_TEST_DEPS:-$HOME/.cache/groundwork-test-deps}}
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || printf '{"name":"groundwork-test-deps","private":true}\n' > package.json
npm install --no-audit --no-fund --silent @duckdb/node-api@1.5.6-r.1
node -e 'require("@duckdb/node-api"); console.log("duckdb node api ok")'
echo "installed in $dir"
