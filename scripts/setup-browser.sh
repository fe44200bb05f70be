#!/usr/bin/env bash
# Install what the PDF report and the browser tests need: headless Chromium (Debian `chromium`)
# and poppler-utils (pdftotext, pdftoppm), and cmark-gfm for the Markdown test. Safe to run
# again: it does nothing when all are there.
# Needs root (or sudo) and apt-get; elsewhere it says what to install and exits non-zero.
set -euo pipefail

missing=()
# fonts-liberation: metric-compatible fonts so pages render (and paginate) the same everywhere.
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-liberation)
command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
    || missing+=(poppler-utils)
# cmark-gfm: GitHub's own Markdown parser, for the test that the PR summary escapes every value.
command -v cmark-gfm >/dev/null 2>&1 || missing+=(cmark-gfm)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-browser: install ${missing[*]} with your package manager (no apt-get here)" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "setup-browser: run as root to install ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "setup-browser: installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup-browser: apt-get could not install ${missing[*]}" >&2
    exit 1
fi
