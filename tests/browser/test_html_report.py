"""The HTML report in headless Chromium (Debian `chromium`): it renders, its script runs, nothing
is fetched, and it prints to a PDF with the sign-off on a page of its own.

Chromium runs with no network (unresolvable names, a closed proxy) and an empty profile, on
the file:// page. These tests skip only when Chromium is absent outside CI; in CI (CI is set)
they must run: scripts/setup-browser.sh installs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from reports.html import render_html
from reports.pdf import chromium_command, render_pdf, run_chromium

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = Path(sys.executable).with_name("safeguard")
TIMEOUT = 120.0


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("insecure")
    proc = subprocess.run(
        [str(SAFEGUARD), "scan", str(REPO / "tests/programs/insecure"), "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1790000000"},
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    return json.loads((out / "safeguard-scan.json").read_text())


@pytest.fixture(scope="module")
def report(document, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(document), encoding="utf-8")
    return path


def browse(chromium: str, tmp_path: Path, page: Path, *args: str) -> str:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = chromium_command(chromium, profile, *args, page.resolve().as_uri())
    proc = run_chromium(command, profile, TIMEOUT)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc.stdout.decode()


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(dom: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(dom)
    return parser.elements


def test_report_renders_and_its_script_runs(chromium, report, document, tmp_path):
    dom = browse(chromium, tmp_path, report, "--dump-dom")
    assert '<section class="sheet" id="summary">' in dom
    assert "Executive summary" in dom
    assert re.search(r'<svg id="heatmap"[^>]*>.*?<rect ', dom, flags=re.S)
    assert re.search(r'<svg id="safeguard-chart"[^>]*>.*?<rect ', dom, flags=re.S)
    rows = re.findall(r'<div class="gt-row f" role="row" data-status="(\w+)"', dom)
    settled = ("PASS", "NOT_APPLICABLE")  # appendix F, not the findings section
    assert rows == [f["status"] for f in document["findings"] if f["status"] not in settled]
    # The script ran: it showed the filter bar and collapsed the evidence.
    assert '<div class="filters" id="findings-filters">' in dom
    assert 'class="gt findings collapsible"' in dom
    assert "Review and sign-off" in dom and "</footer>" in dom


def test_no_element_references_anything_outside_the_page(chromium, report, tmp_path):
    dom = browse(chromium, tmp_path, report, "--dump-dom")
    linking = ("src", "href", "action", "formaction", "poster", "srcset", "data", "xlink:href")
    for tag, attrs in elements(dom):
        for name in linking:
            value = (attrs.get(name) or "").strip()
            assert not value or value.startswith("#"), (tag, name, value)
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
    assert "http://" not in dom and "https://" not in dom


def test_search_and_filters_hide_rows_without_a_server(chromium, report, document, tmp_path):
    # The same page with a little driver appended (and its policy dropped, so the driver runs):
    # type a search, untick a severity, and the dumped DOM shows which rows are hidden.
    listed = [f for f in document["findings"] if f["status"] not in ("PASS", "NOT_APPLICABLE")]
    target = listed[0]["resource"]["name"]
    driver = f"""<script>
      var search = document.getElementById("f-search");
      search.value = {json.dumps(target)};
      var box = document.querySelector('input[name=severity][value=medium]');
      box.checked = false;
      box.dispatchEvent(new Event("change", {{bubbles: true}}));
      document.querySelector(".f .ev-toggle").click();
    </script></body>"""
    html = report.read_text()
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    page = tmp_path / "driven.html"
    page.write_text(html.replace("</body>", driver), encoding="utf-8")
    dom = browse(chromium, tmp_path, page, "--dump-dom")
    shown = re.findall(
        r'<div class="gt-row f[^"]*" role="row" data-status="\w+"[^>]*id="([^"]+)"', dom
    )
    hidden = re.findall(r'<div class="gt-row f[^"]*" role="row"[^>]*id="([^"]+)" hidden=""', dom)
    expected = [
        f["id"]
        for f in listed
        if f["severity"] != "medium" and f["resource"] and f["resource"]["name"] == target
    ]
    assert 0 < len(expected) < len([f for f in listed if f["resource"]["name"] == target])
    assert sorted(set(shown) - set(hidden)) == sorted(expected)
    assert f"{len(expected)} of {len(listed)} findings" in dom
    assert 'class="gt-row f open"' in dom  # the first row's evidence was opened


def _png_colours(path: Path, rows: int) -> tuple[int, int, int]:
    """(width, height, distinct colours in the top `rows` rows) of an 8-bit RGB(A) PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
    bpp = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    previous, colours = bytearray(stride), set()
    for y in range(min(rows, height)):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = previous[x], previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 255
        colours.update(bytes(line[i : i + 3]) for i in range(0, stride, bpp * 4))
        previous = line
    return width, height, len(colours)


def test_screenshot_is_a_drawn_page(chromium, report, tmp_path):
    shot = tmp_path / "report.png"
    browse(chromium, tmp_path, report, "--window-size=1280,2000", f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000
    width, height, colours = _png_colours(shot, rows=300)
    assert (width, height) == (1280, 2000)
    assert colours > 20, colours  # sidebar, cover band, tags, text: not a blank page


def _pdf_pages(pdf: Path) -> list[str]:
    """Each page's text, whitespace collapsed (so wrapped lines read as one)."""
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f")]


@pytest.fixture(scope="module")
def pdf(chromium, document, tmp_path_factory) -> Path:
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        if os.environ.get("CI"):
            pytest.fail("CI is set but poppler-utils is missing: run scripts/setup-browser.sh")
        pytest.skip("poppler-utils is not installed (scripts/setup-browser.sh installs it)")
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    printed = path.with_name("printed.html")  # what `--format pdf` prints (--pdf-scope failing)
    printed.write_text(render_html(document, pdf_scope="failing"), encoding="utf-8")
    render_pdf(printed, path)
    return path


def test_pdf_has_the_summary_first_and_numbered_pages(pdf, document):
    pages = [p for p in _pdf_pages(pdf) if p.strip()]
    assert len(pages) >= 6
    assert "Document control" in pages[0] and "Executive summary" not in pages[0]
    assert "Executive summary" in pages[1]
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert "Confidential: contains no ePHI" in pages[1]


def test_pdf_sign_off_is_the_last_page_after_the_appendices(pdf):
    pages = [p for p in _pdf_pages(pdf) if p.strip()]
    signoff = [i for i, p in enumerate(pages) if "Review and sign-off" in p and "Prepared by" in p]
    assert signoff == [len(pages) - 1]
    page = pages[-1]
    assert "Approved by the Security Official" in page and "164.308(a)(2)" in page
    assert "Glossary" not in page and "Appendices" not in page
    assert "G. Full resource inventory" in pages[-2]


def test_pdf_pages_rasterise(pdf, tmp_path):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 3
    _, _, colours = _png_colours(pngs[1], rows=200)  # the executive summary: cards, heat map
    assert colours > 20, colours
