#!/usr/bin/env bash
# Set up (first run only), lint, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-browser.sh  # headless Chromium and poppler, for the report tests
.venv/bin/ruff check .
# Bytecode for the project's own modules, as an installed wheel has it: many tests run the
# `safeguard` command (and the program worker) in a process of their own, and where
# PYTHONDONTWRITEBYTECODE is set each would compile every module it imports again (half of a
# small scan's time).
.venv/bin/python -m compileall -q checks policies reports scripts stacks bench/*.py >/dev/null
# Test files run in parallel, one per core (a file's fixtures are shared by its tests, so files
# stay whole); pass -n 0 to run serially.
.venv/bin/python -m pytest -n auto --dist loadfile "$@"
