#!/usr/bin/env bash
# Set up (first run only), lint, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-browser.sh  # headless Chromium and poppler, for the report tests
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
