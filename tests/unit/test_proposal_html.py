"""The report's "Required if the proposal is finalised" section, rendered on its own."""

from __future__ import annotations

import re

from reports.html import _environment
from tests.unit.test_proposal import _section


def _render(doc: dict) -> str:
    return _environment().get_template("proposal.html.j2").render(doc=doc)


def _cells(html: str, row: int) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, flags=re.S).group(1)
    tr = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)[row]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
    ]


def test_gaps_and_requirements_are_laid_out_from_the_record():
    html = _render({"proposal": _section("program")})
    assert '<section class="sheet" id="proposal">' in html
    assert "Addressable today, Required under the proposal (4)" in html
    assert _cells(html, 0) == [
        "A2 T A2 S",
        "Not implemented",
        "Not implemented, and no current Addressable decision is documented",
        "changes A2",
    ]
    assert "Met already: <code>A1</code>, <code>A6</code>." in html
    assert "New and sharper requirements (8)" in html
    assert "judged against the Security Rule in force" in html
    assert "passing checks show a design, not what runs" in html
    # The first requirement: its failing check with counts, the passing one beside it.
    assert "<code>c_fail</code> 0 pass · 2 fail; <code>c_pass</code> 3 pass · 0 fail" in html
    assert "<b>A person&#39;s statement only</b>" in html


def test_a_record_without_the_section_says_so():
    html = _render({"findings": []})
    assert "has no proposed-rule section" in html
    assert "<table" not in html
