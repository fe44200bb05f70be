#!/usr/bin/env bash
# Build the folder the change-audit Lambda function is deployed from (stacks/billing/change_audit.py,
# config `changeAuditCodePath`, default build/handler): this project as a wheel plus the pinned
# libraries the handler imports, as Linux x86_64 / CPython 3.11 wheels (the function's runtime),
# whatever machine builds it. Pulumi zips the folder on `pulumi up`.
#
#   scripts/build_handler.sh [OUT_DIR]        # default: build/handler
#
# Only the handler's own imports go in (boto3, PyYAML, cryptography, Jinja2 and what they need,
# at the versions of requirements.lock): Pulumi, moto and the test tools stay out of the function.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build/handler}
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
PIP=("$PYTHON" -m pip --disable-pip-version-check --quiet)

case "$OUT" in
    "" | "/" | ".") echo "build_handler: refusing to build into '$OUT'" >&2; exit 2 ;;
esac
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT

echo "build_handler: building the hipaa-safeguard wheel" >&2
# From a clean copy: setuptools leaves build/lib in the tree it builds, and a stale one would
# put deleted modules into the next wheel.
mkdir "$wheels/src"
cp -R pyproject.toml README.md checks policies reports scripts safeguard "$wheels/src/"
find "$wheels/src" -name __pycache__ -prune -exec rm -rf {} +
"${PIP[@]}" wheel --no-deps --wheel-dir "$wheels" "$wheels/src"

rm -rf "$OUT"
mkdir -p "$OUT"
echo "build_handler: installing the handler's libraries into $OUT" >&2
"${PIP[@]}" install --target "$OUT" --constraint requirements.lock \
    --platform manylinux2014_x86_64 --implementation cp --python-version 3.11 \
    --only-binary=:all: boto3 PyYAML cryptography Jinja2
"${PIP[@]}" install --target "$OUT" --no-deps "$wheels"/hipaa_safeguard-*.whl
# The entry point the function's `handler` setting names must import from the folder's root.
test -f "$OUT/scripts/handler/entry.py"
echo "build_handler: done; handler scripts.handler.entry.handle in $OUT" >&2
