#!/usr/bin/env bash
# Create .venv-checkov: checkov in a virtualenv of its own, for `safeguard scan --with-checkov`
# and bench/checkov_peer.py. checkov pins its own boto3 and `packaging`, which would drag this
# project's Pulumi back, so it never shares .venv. Safe to run again: it reinstalls only when
# requirements-checkov.lock changed.
#
#     bash scripts/setup_checkov.sh            # install what requirements-checkov.lock pins
#     bash scripts/setup_checkov.sh --relock   # install CHECKOV_VERSION afresh and rewrite the lock
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
CHECKOV_VERSION=${CHECKOV_VERSION:-3.3.30}
venv=.venv-checkov
lock=requirements-checkov.lock
stamp="$venv/.safeguard-installed"

if [ "${1:-}" = "--relock" ]; then
    rm -rf "$venv"
    echo "setup-checkov: installing checkov $CHECKOV_VERSION in $venv (a few minutes)" >&2
    "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
    {
        echo "# checkov's own environment (.venv-checkov), written by scripts/setup_checkov.sh --relock"
        "$venv/bin/python" -m pip freeze --disable-pip-version-check
    } >"$lock"
    touch "$stamp"
    exit 0
fi

if [ -x "$venv/bin/checkov" ] && [ -f "$stamp" ] && [ ! "$lock" -nt "$stamp" ]; then
    exit 0
fi
echo "setup-checkov: installing the pinned checkov ($lock) in $venv" >&2
[ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock"
touch "$stamp"
