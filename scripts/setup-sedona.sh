#!/bin/sh
# Downloads the Sedona jars pinned in pipeline/sedona/jars.lock from Maven
# Central into the virtual environment (default .venv; first argument to
# override), checking each SHA-256, so `groundwork run --engine sedona` and its
# tests then run offline. Run by scripts/setup-python.sh; idempotent (a jar
# already present with the right checksum is kept).
# Usage: scripts/setup-sedona.sh [VENV]
set -eu
cd "$(dirname "$0")/.."
venv=${1:-.venv}
repo=${MAVEN_REPOSITORY:-https://repo1.maven.org/maven2}
dir="$venv/share/groundwork/jars"
mkdir -p "$dir"
grep -v '^#' pipeline/sedona/jars.lock | while read -r coord sum; do
  [ -n "$coord" ] || continue
  group=$(echo "$coord" | cut -d: -f1)
  artifact=$(echo "$coord" | cut -d: -f2)
  version=$(echo "$coord" | cut -d: -f3)
  jar="$artifact-$version.jar"
  if [ -f "$dir/$jar" ] && echo "$sum  $dir/$jar" | sha256sum -c --status; then
    continue
  fi
  url="$repo/$(echo "$group" | tr . /)/$artifact/$version/$jar"
  echo "downloading $url"
  curl -fsSL --retry 3 -o "$dir/$jar.tmp" "$url"
  if ! echo "$sum  $dir/$jar.tmp" | sha256sum -c --status; then
    echo "$jar: SHA-256 $(sha256sum "$dir/$jar.tmp" | cut -d' ' -f1), want $sum (pipeline/sedona/jars.lock)" >&2
    rm -f "$dir/$jar.tmp"
    exit 1
  fi
  mv "$dir/$jar.tmp" "$dir/$jar"
done
echo "sedona jars ok: $dir"
