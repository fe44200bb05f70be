"""Chromium writes a PDF's objects in the order its worker threads finish them; the report's PDF
is rewritten in object-number order so the same document always gives the same bytes."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess

import pytest

from reports.pdf import in_object_order, pin_dates

OBJECTS = {
    1: b"<</Title (t) /CreationDate (D:20260101000000+00'00')>>",
    2: b"<</Type /Catalog /Pages 3 0 R>>",
    3: b"<</Type /Pages /Kids [5 0 R] /Count 1>>",
    5: b"<</Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] /Contents 6 0 R>>",
    6: b"<</Length 30>>\nstream\nBT /F1 12 Tf (endobj) Tj ET\nendstream",
}


def _pdf(order, *, size=7, trailer_extra=b""):
    """A PDF with `OBJECTS` written in `order` and a table that points at each (4 is free)."""
    out = bytearray(b"%PDF-1.4\n%\xd3\xeb\xe9\xe1\n")
    offsets = {}
    for number in order:
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, OBJECTS[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (
            b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 00001 f \n"
        )
    out += b"trailer\n<</Size %d /Root 2 0 R /Info 1 0 R%s>>\n" % (size, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _offsets(pdf: bytes) -> dict[int, int]:
    start = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    lines = pdf[start:].split(b"\n")[2:]
    return {n: int(line[:10]) for n, line in enumerate(lines) if line.endswith(b"n ")}


def test_every_order_of_the_same_objects_gives_the_same_bytes():
    results = {in_object_order(_pdf(order)) for order in itertools.permutations(OBJECTS)}
    assert len(results) == 1
    (canonical,) = results
    assert canonical == _pdf(sorted(OBJECTS))
    assert len(canonical) == len(_pdf([6, 2, 5, 1, 3]))


def test_the_rebuilt_table_points_at_each_object():
    pdf = in_object_order(_pdf([6, 3, 1, 5, 2]))
    for number, offset in _offsets(pdf).items():
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    assert b"0000000000 00001 f \n" in pdf  # the free entry is kept as it was
    assert in_object_order(pdf) == pdf


def test_a_stream_holding_the_word_endobj_is_kept_whole():
    pdf = in_object_order(_pdf([6, 5, 3, 2, 1]))
    assert b"(endobj) Tj ET\nendstream\nendobj\n" in pdf


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda pdf: pdf.replace(b"startxref", b"startxrefs"), id="no-startxref"),
        pytest.param(lambda pdf: pdf.replace(b"xref\n0 7", b"xref\n0 9"), id="short-table"),
        pytest.param(lambda pdf: pdf.replace(b"%010d" % 0, b"000000000x", 1), id="bad-entry"),
    ],
)
def test_a_file_laid_out_otherwise_is_returned_as_it_is(spoil):
    pdf = spoil(_pdf([6, 5, 3, 2, 1]))
    assert in_object_order(pdf) == pdf


def test_an_incremental_update_is_returned_as_it_is():
    pdf = _pdf([6, 5, 3, 2, 1], trailer_extra=b" /Prev 9")
    assert in_object_order(pdf) == pdf


def test_a_table_pointing_at_the_wrong_object_is_returned_as_it_is():
    pdf = _pdf([6, 5, 3, 2, 1])
    wrong = pdf.replace(b"5 0 obj", b"8 0 obj")
    assert len(wrong) == len(pdf)
    assert in_object_order(wrong) == wrong


def test_dates_are_pinned_after_the_reordering():
    pdf = pin_dates(in_object_order(_pdf([3, 1, 2, 6, 5])), "2026-09-21T14:13:20Z")
    assert b"(D:20260921141320+00'00')" in pdf
    assert _offsets(pdf) == _offsets(_pdf(sorted(OBJECTS)))


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils not installed")
def test_poppler_reads_the_rewritten_file_without_complaint(tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(in_object_order(_pdf([6, 5, 3, 2, 1])))
    proc = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert re.search(r"^Pages:\s+1$", proc.stdout, re.M)
