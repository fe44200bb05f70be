#!/usr/bin/env bash
# Set up (first run only), then scan this repository's Pulumi program and write the report.
# Extra arguments go to `safeguard scan` (e.g. --stack prod).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# --force: each run replaces the previous run in safeguard-report/ (it holds nothing else).
exec .venv/bin/safeguard scan --out safeguard-report --force "$@"
