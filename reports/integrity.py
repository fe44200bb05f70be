"""What `safeguard verify` can prove about a run folder, and what it says it did not check.

Three layers, each closing a gap the one before leaves open:

1. the manifest (`reports.manifest`): every listed artifact has its recorded SHA-256 and size,
   nothing is missing or added, and the manifest lists something;
2. the printed digest: the HTML report (and the PDF, through poppler's `pdftotext`, and the
   Markdown summary) prints the SHA-256 of the run document it was rendered from; it must be the
   digest of the JSON record beside it, so a record edited after its reports were rendered is
   caught even when the manifest was rewritten to match;
3. the signature (`reports.signing`): with the signer's public key, the manifest is shown to be
   the one the key holder signed. Only this layer holds against someone who rewrites every file
   consistently (re-rendering the reports from an edited record); without a key it is reported
   as not checked.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from policies.run_identity import RECORD_FILE, document_sha256
from reports.manifest import verify
from reports.renderers import build_renderers
from reports.signing import read_signature, signature_problems

_RENDERERS = build_renderers()
HTML_FILE = _RENDERERS["html"].filename
MD_FILE = _RENDERERS["md"].filename
PDF_FILE = _RENDERERS["pdf"].filename
PDFTOTEXT_TIMEOUT = 300.0
# Where the reports carry the digest. In the HTML: its meta tag and every `<code class="hash">`
# (markup no escaped value can forge). In the PDF's text: the cover's document control, which
# comes before anything a program or a finding could print.
_META = re.compile(r'<meta name="document-sha256" content="([^"]*)"')
_HASH_CODE = re.compile(r'<code class="hash">([^<]*)</code>')
_COVER_TEXT = re.compile(r"Document SHA-256\s+([0-9a-fA-F]{64})\b")
# In the Markdown: its last line (a value in the summary has its backticks escaped).
_MD_DIGEST = re.compile(r"^<sub>run document SHA-256 `([^`\n]*)`</sub>$", re.M)


@dataclass(frozen=True)
class RunCheck:
    problems: tuple[str, ...]  # each one means the run is not as it was written
    notes: tuple[str, ...]  # what was not checked, and why


def _printed_problems(name: str, printed: list[str], digest: str) -> list[str]:
    if not printed:
        return [f"{name}: prints no SHA-256 of the run document"]
    return [
        f"{name}: prints the run document's SHA-256 as {value}, but {RECORD_FILE} has {digest}"
        for value in sorted(set(printed))
        if value.lower() != digest
    ]


def _html_digests(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    meta = _META.findall(text)
    return [*meta, *_HASH_CODE.findall(text)] if meta else []


def _pdf_text(path: Path) -> str | None:
    """The PDF's text through `pdftotext`, or None when poppler is not installed."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    done = subprocess.run(
        [tool, str(path), "-"], capture_output=True, timeout=PDFTOTEXT_TIMEOUT, check=False
    )
    if done.returncode != 0:
        raise ValueError("pdftotext could not read it")
    return done.stdout.decode("utf-8", errors="replace")


def digest_problems(directory: Path) -> tuple[list[str], list[str]]:
    """Problems and notes of the printed-digest cross-check (layer 2)."""
    html, pdf, md = directory / HTML_FILE, directory / PDF_FILE, directory / MD_FILE
    if not (html.is_file() or pdf.is_file() or md.is_file()):
        return [], ["no HTML, PDF or Markdown report: there is no printed digest to cross-check"]
    record = directory / RECORD_FILE
    if not record.is_file():
        return [], [f"no {RECORD_FILE}: the digest the reports print was not cross-checked"]
    try:
        digest = document_sha256(json.loads(record.read_text(encoding="utf-8")))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return [f"{RECORD_FILE}: not valid JSON, so its digest cannot be compared"], []
    problems: list[str] = []
    notes: list[str] = []
    if html.is_file():
        problems += _printed_problems(HTML_FILE, _html_digests(html), digest)
    if md.is_file():
        named = _MD_DIGEST.findall(md.read_text(encoding="utf-8", errors="replace"))
        if named:
            problems += _printed_problems(MD_FILE, named, digest)
        else:  # written before summaries named their record, or the line was taken out
            notes.append(f"{MD_FILE} names no run document digest: it was not cross-checked")
    if pdf.is_file():
        try:
            text = _pdf_text(pdf)
        except (ValueError, OSError, subprocess.TimeoutExpired):
            problems.append(f"{PDF_FILE}: its text cannot be read, so its digest cannot be")
        else:
            if text is None:
                notes.append(
                    f"pdftotext (poppler-utils) is not installed: the digest {PDF_FILE} prints "
                    "was not cross-checked"
                )
            else:
                problems += _printed_problems(PDF_FILE, _COVER_TEXT.findall(text)[:1], digest)
    return problems, notes


def verify_run(directory: Path, public_key: Ed25519PublicKey | None) -> RunCheck:
    """Every layer this folder allows. Raises ManifestMissing when there is no manifest."""
    problems = list(verify(directory))
    printed, notes = digest_problems(directory)
    problems += printed
    if public_key is not None:
        problems += signature_problems(directory, public_key)
    else:
        try:
            claimed = read_signature(directory)
        except ValueError as exc:
            claimed = None
            problems.append(str(exc))
        if claimed is not None:
            notes.append(
                f"signed by key {claimed.get('public_key_fingerprint')}, but authenticity was "
                "NOT checked: pass --public-key with the signer's public key"
            )
        else:
            notes.append(
                "not signed: authenticity was NOT checked (a manifest alone can be rewritten "
                "by whoever edits the files)"
            )
    return RunCheck(tuple(problems), tuple(notes))
