"""The HTML report printed to PDF by headless Chromium (Debian `chromium`).

The page's print stylesheet does the layout (paper size, running header, page numbers, a page
of its own for the sign-off). Chromium runs with a fresh, empty profile and every network path
closed: the report needs nothing from outside, and a renderer that could fetch would be a leak.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from checks.errors import InputError

INSTALL_HINT = "run scripts/setup-browser.sh (it installs Debian's chromium and poppler-utils)"
# Printing took ~12 s per MB of HTML on a busy two-core machine (10,000 findings: 23 MB, 3,333
# pages, under five minutes).
TIMEOUT_SECONDS = 120.0
TIMEOUT_SECONDS_PER_MB = 20.0
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    # No structure tree: under load Chromium has written two prints of one page with different
    # tags (a table cell's attributes present in one, not the other), and the PDF is evidence
    # whose SHA-256 the manifest and the run history record, so it must print the same bytes
    # every time. The HTML report is the accessible version (headings, tables, landmarks).
    "--disable-pdf-tagging",
    # Nothing may leave the page: no name resolves, and any proxy use goes to a closed port.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
)


def find_chromium() -> str:
    """The Chromium executable, or an InputError saying how to install it."""
    found = shutil.which("chromium")
    if not found:
        raise InputError(
            f"the PDF report needs headless Chromium, which is not installed: {INSTALL_HINT}"
        )
    return found


def chromium_command(chromium: str, profile: Path, *args: str) -> list[str]:
    """A headless Chromium command line with an empty profile and no network."""
    return [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]


def run_chromium(command: list[str], profile: Path, timeout: float) -> subprocess.CompletedProcess:
    """Run Chromium in its own process group, so a timeout ends its helpers too."""
    env = {
        **os.environ,
        "HOME": str(profile),
        "XDG_CONFIG_HOME": str(profile / "config"),
        "XDG_CACHE_HOME": str(profile / "cache"),
    }
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}\+00'00'\)")


def pin_dates(pdf: bytes, moment: str) -> bytes:
    """The PDF with Chromium's wall-clock creation and modification dates set to `moment` (an ISO
    time in UTC, the run's own), so the same run document prints the same bytes. Each date keeps
    its length, so the cross-reference offsets stay right."""
    when = dt.datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(dt.UTC)
    stamp = when.strftime("%Y%m%d%H%M%S").encode()
    return _PDF_DATE.sub(lambda m: b"/" + m.group(1) + b" (D:" + stamp + b"+00'00')", pdf)


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")
_XREF_HEAD = re.compile(rb"xref\s*\n0 (\d+)\s*\n")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])\s{2}")


def in_object_order(pdf: bytes) -> bytes:
    """The PDF with its objects written in object-number order and the cross-reference table
    rebuilt to match.

    Chromium's PDF writer finishes fonts and images on worker threads and writes each object when
    it is done, so under load the same document comes out with its objects in another order (same
    size, other bytes). Each object's bytes are kept as they are; only their order and the table
    change. A file not laid out as Chromium lays it out (one classic cross-reference table, no
    incremental update) is returned as it is: the PDF is still right, only not canonical, and the
    determinism test would say so.
    """
    end = _STARTXREF.search(pdf)
    if not end:
        return pdf
    xref_at = int(end.group(1))
    head = _XREF_HEAD.match(pdf, xref_at)
    if not head:
        return pdf
    count, pos, spans, entries = int(head.group(1)), head.end(), {}, []
    for number in range(count):
        entry = _XREF_ENTRY.match(pdf, pos)
        if not entry:
            return pdf
        pos = entry.end()
        entries.append(entry)
        if entry.group(3) == b"n":
            spans[number] = int(entry.group(1))
    trailer = pdf.find(b"trailer", pos)
    if trailer != pos or not spans or b"/Prev" in pdf[trailer : end.start()]:
        return pdf
    starts = sorted(spans.values())
    bounds = dict(zip(starts, [*starts[1:], xref_at], strict=True))
    body = {}
    for number, start in spans.items():
        chunk = pdf[start : bounds[start]]
        if not chunk.startswith(b"%d 0 obj" % number):
            return pdf
        body[number] = chunk
    out = bytearray(pdf[: starts[0]])
    offsets = {}
    for number in sorted(body):
        offsets[number] = len(out)
        out += body[number]
    table = bytearray(b"xref\n0 %d\n" % count)
    for number, entry in enumerate(entries):
        if number in offsets:
            table += b"%010d %s n \n" % (offsets[number], entry.group(2))
        else:
            table += entry.group(0)
    start_table = len(out)
    out += table + pdf[trailer : end.start()] + b"startxref\n%d\n%%%%EOF\n" % start_table
    return bytes(out)


def render_pdf(
    html_path: Path, pdf_path: Path, *, timeout: float | None = None, moment: str | None = None
) -> None:
    """Print `html_path` to `pdf_path`; InputError with one line if Chromium is missing or fails.

    `timeout` defaults to two minutes plus 20 seconds per MB of HTML. `moment` (the run's
    `generated_at`) replaces the print time in the PDF's dates.
    """
    chromium = find_chromium()
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    if not html_path.is_file():
        raise InputError(f"{html_path}: no such HTML report to print")
    if timeout is None:
        timeout = TIMEOUT_SECONDS + TIMEOUT_SECONDS_PER_MB * html_path.stat().st_size / 1e6
    partial = pdf_path.with_name(pdf_path.name + ".tmp")
    with tempfile.TemporaryDirectory(prefix="safeguard-chromium-") as tmp:
        profile = Path(tmp)
        command = chromium_command(
            chromium,
            profile,
            "--no-pdf-header-footer",
            f"--print-to-pdf={partial.resolve()}",
            html_path.as_uri(),
        )
        try:
            proc = run_chromium(command, profile, timeout)
        except subprocess.TimeoutExpired:
            partial.unlink(missing_ok=True)
            raise InputError(
                f"{html_path}: Chromium did not finish printing the PDF in {timeout:g}s"
            ) from None
        except OSError as exc:
            raise InputError(f"{chromium}: cannot run Chromium: {exc.strerror}") from None
    if proc.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(
            f"{html_path}: Chromium could not print the PDF (exit {proc.returncode}): "
            f"{lines[-1] if lines else 'no message'}"
        )
    printed = in_object_order(partial.read_bytes())
    partial.write_bytes(pin_dates(printed, moment) if moment else printed)
    partial.replace(pdf_path)
