#!/usr/bin/env bash
# Set up (first run only), lint, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-browser.sh  # headless Chromium and poppler, for the report tests
.venv/bin/ruff check .
# Test files run in parallel, one per core (a file's fixtures are shared by its tests, so files
# stay whole); pass -n 0 to run serially.
.venv/bin/python -m pytest -n auto --dist loadfile "$@"
