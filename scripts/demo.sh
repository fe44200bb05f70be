#!/usr/bin/env bash
# Set up (first run only), then the live audit with no AWS account: deploy this repository's
# billing system into the embedded emulator, audit it, change it as someone in the console
# would, audit again. Extra arguments go to `safeguard demo` (e.g. --format all).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# --force: each run replaces the previous demo's reports in safeguard-demo/ (it holds nothing else).
exec .venv/bin/safeguard demo --out safeguard-demo --force "$@"
