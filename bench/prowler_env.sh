#!/usr/bin/env bash
# The peer of bench/audit.py: Prowler in a virtualenv of its own (it pins its own boto3,
# botocore and pydantic, which would drag this project's back), at bench/.prowler-venv.
#
#     bash bench/prowler_env.sh [PROWLER_VERSION]
#
# Idempotent: an existing venv with the wanted version is left as it is. bench/audit.py
# finds the venv and runs Prowler's HIPAA scan beside ours; without it, it says so.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.prowler-venv"
version="${1:-5.46.0}"
python="${PYTHON:-python3}"

if [[ -x "$venv/bin/prowler" ]] \
    && "$venv/bin/python" -m pip show prowler 2>/dev/null | grep -qx "Version: $version"; then
    echo "prowler $version already in $venv" >&2
    exit 0
fi
echo "installing prowler $version in $venv (a few minutes)…" >&2
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -qq --upgrade pip
"$venv/bin/python" -m pip install -qq "prowler==$version"
echo "prowler $version installed in $venv ($("$venv/bin/prowler" --version 2>/dev/null || true))" >&2
