#!/usr/bin/env bash
# Mutation testing of the check library, the evaluator, the waiver/profile gate and the assessment
# (the [tool.mutmut] section of pyproject.toml), then the score per module and every survivor.
#
#   scripts/mutation.sh [--target 90] [mutant names...]
#
# Runs in its own environment (.venv-mutation: requirements.lock plus requirements-mutation.lock),
# writes mutmut's copy and results under mutants/, and the summary to mutants/mutation-report.json.
# It takes about an hour on two cores; CI runs it weekly (.github/workflows/mutation.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
target=90
if [ "${1:-}" = "--target" ]; then target=$2; shift 2; fi
venv=.venv-mutation
stamp=$venv/.safeguard-installed
if [ ! -x $venv/bin/python ]; then
    echo "mutation: creating $venv" >&2
    "$PYTHON" -m venv $venv
fi
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ requirements-mutation.lock -nt "$stamp" ]; then
    echo "mutation: installing pinned dependencies" >&2
    $venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock \
        -r requirements-mutation.lock
    touch "$stamp"
fi
# The project is not installed into this environment: its code is imported from mutmut's copy
# (and the program scanner's worker processes need to find it there too).
site=$($venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$PWD/mutants" > "$site/safeguard_mutants.pth"
# mutmut regenerates the mutated copies of changed .py files but keeps its first copy of every
# other file of the source paths (the framework YAML, the threat catalogue...): refresh those,
# or an incremental run tests today's code against yesterday's data.
if [ -d mutants ]; then
    find checks policies -type f ! -name '*.py' ! -name '*.pyc' ! -path '*/__pycache__/*' \
        | while read -r data; do
            cmp -s "$data" "mutants/$data" || { mkdir -p "mutants/$(dirname "$data")"; cp "$data" "mutants/$data"; }
        done
    # A test file moved or deleted since would still run from the old copy.
    if [ -d mutants/tests ]; then
        (cd mutants && find tests -type f -name '*.py') | while read -r old; do
            [ -e "$old" ] || rm -f "mutants/$old"
        done
    fi
fi
$venv/bin/mutmut run --max-children "${MUTATION_JOBS:-$(nproc)}" "$@" </dev/null | tr '\r' '\n' \
    | grep -v '^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Generating' | awk 'NR % 200 == 1 || !/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] [0-9]/'
$venv/bin/python bench/mutation_report.py --target "$target" --json mutants/mutation-report.json
