#!/bin/sh
# Makes .venv (git-ignored) from requirements.txt: the Python side of groundwork,
# used by `groundwork run --engine sedona` and by the reference and peer tests.
# Usage: scripts/setup-python.sh   (run from anywhere; idempotent)
set -eu
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
scripts/setup-sedona.sh .venv
.venv/bin/python -c 'import pyspark, sedona, geopandas, duckdb, segregation, mapclassify, tobler; print("python set-up ok:", pyspark.__version__)'
