"""The pull-request summary renders every value of the record as the text it is.

A run record is built by the real pipeline (`pipeline_document()`), given a waived finding, an
expired waiver and an uncovered type, and then every string in it is prefixed with a hostile
value: HTML that would end the table and print a false verdict, pipes that add table cells,
backticks, emphasis, links, images, autolinks, mentions, issue references, entities, line breaks,
a fence that would close a code block early, and terminal escape sequences. Each time the
Markdown must keep the shape of the clean summary, and nothing of the value may act.

The properties are checked twice: on the text itself, with GitHub's rules (a `|` is a cell
boundary unless a backslash precedes it, a backslash before ASCII punctuation shows the
character, code spans and fenced blocks are literal); and through `cmark-gfm`, GitHub's own
parser with its table, autolink and strikethrough extensions (Debian's `cmark-gfm`, installed by
scripts/setup-browser.sh): the HTML of a hostile summary has exactly the elements of the clean
one, so no value made a heading, a link, an image, emphasis or a tag.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from checks.text import safe_text
from reports.markdown import render_markdown
from tests.unit.test_report_formats import pipeline_document

HEADING = "</table><h1>ALL CHECKS PASSED</h1>"
HOSTILE = [
    HEADING,
    "a | b || c \\| d \\",
    "``code`` and `x` and ```",
    "*bold* **strong** _em_ __em__ ~~gone~~ $x^2$",
    "[click](https://evil.example/x) ![img](https://evil.example/i.png) [ref][1] [^note]",
    "<https://evil.example> www.evil.example https://evil.example/p ftp://evil.example",
    "@security-team cc @octocat, fixes #123 and org/repo#45, mail dana@example.com",
    "line one\nline two\r\n| x | y |\n# heading\n> quote\n- item\n\n1. first",
    "&lt;script&gt; &#60;b&#62; &amp; &copy;",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "```\n</details>\n# injected\n```",
    "\x1b[2J\x1b[31mred\x1b[0m\x07\x08\x00 \u202eevil",
]
# Our own markup outside code, the only places a special character may stand unescaped.
_MARKUP = (
    "**",
    "<details>",
    "</details>",
    "<summary>",
    "</summary>",
    "<sub>",
    "</sub>",
    "&#8203;",
)
_SPECIAL = set("\\`*_[]#!|<>&~$")
_FENCE = re.compile(r"^(`{3,})")


def _strings_prefixed(value: Any, prefix: str, key: str = "") -> Any:
    """Every string of the record with `prefix` before it; statuses stay (they are keys)."""
    if isinstance(value, dict):
        return {k: _strings_prefixed(v, prefix, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings_prefixed(v, prefix, key) for v in value]
    if isinstance(value, str) and key not in ("status", "severity"):
        return prefix + value
    return value


def _record() -> dict[str, Any]:
    """The pipeline's record, with a waived finding, both kinds of waiver and uncovered types."""
    doc = copy.deepcopy(pipeline_document())
    waived = next(f for f in doc["findings"] if f["status"] == "FAIL" and f["resource"])
    waived["status"], waived["waiver_id"] = "WAIVED", "W-1"
    waiver = {
        "check": waived["check_id"],
        "type": "risk_acceptance",
        "justification": "synthetic data only",
        "approver": "Dana Lee, Security Official",
        "approved": "2026-11-01",
    }
    doc["waivers"] = [
        {
            **waiver,
            "id": "W-1",
            "expires": "2027-05-31",
            "status": "active",
            "covers_findings": [waived["id"]],
        },
        {
            **waiver,
            "id": "W-2",
            "expires": "2026-10-31",
            "status": "expired",
            "covers_findings": [],
        },
    ]
    doc["inventory"]["not_covered_types"] = ["aws:foo/bar:Baz"]
    for f in doc["findings"]:
        f["evidence"] = {**f["evidence"], "note": "observed"}
    return doc


def _hostile(payload: str) -> dict[str, Any]:
    return _strings_prefixed(_record(), payload)


def _blocks(markdown: str) -> Iterator[tuple[str, str]]:
    """The document as ("line", text) and ("fenced", content) parts, closing a fenced block
    where CommonMark closes it: the first line that is only a run of at least as many
    backticks."""
    lines = iter(markdown.split("\n"))
    for line in lines:
        opened = _FENCE.match(line)
        if not opened:
            yield "line", line
            continue
        content = []
        for inner in lines:
            if re.fullmatch(rf"`{{{len(opened.group(1))},}}\s*", inner):
                break
            content.append(inner)
        yield "fenced", "\n".join(content)


def _outside_code(line: str) -> Iterator[tuple[int, str]]:
    """The characters of an inline line outside code spans, with their positions, skipping the
    character after each backslash (it shows as itself)."""
    i = 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] == "`":
            run = re.match(r"`+", line[i:]).group()
            close = re.compile(rf"(?<!`){run}(?!`)").search(line, i + len(run))
            assert close, f"unclosed code span in: {line}"
            i = close.end()
            continue
        yield i, line[i]
        i += 1


def _unescaped_specials(line: str) -> list[str]:
    bad = []
    skip_to = 0
    for i, ch in _outside_code(line):
        if i < skip_to:
            continue
        token = next((t for t in _MARKUP if line.startswith(t, i)), None)
        if token:
            skip_to = i + len(token)
            continue
        if ch == "_" and 0 < i < len(line) - 1 and line[i - 1].isalnum() and line[i + 1].isalnum():
            continue  # intraword: never emphasis in CommonMark
        if ch in _SPECIAL:
            bad.append(f"{ch!r} at {i}: …{line[max(0, i - 30) : i + 30]}…")
    return bad


def _cells(row: str) -> list[str]:
    """A table row's cells, split where GitHub splits them: on `|` without a backslash."""
    return re.split(r"(?<!\\)\|", row)


def _skeleton(markdown: str) -> list[str]:
    """What gives the document its shape: each line's kind, and a table row's cell count."""
    shape = []
    for kind, text in _blocks(markdown):
        if kind == "fenced":
            shape.append("fenced")
        elif text.startswith("|"):
            shape.append(f"row of {len(_cells(text))}")
        else:
            shape.append(re.match(r"(#+ |> |- |<[a-z/]+>|\*\*|\S?)", text).group())
    return shape


@pytest.fixture(scope="module")
def clean() -> str:
    return render_markdown(_record())


@pytest.mark.parametrize("payload", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_keep_the_shape_of_the_summary(payload, clean):
    hostile = render_markdown(_hostile(payload))
    assert _skeleton(hostile) == _skeleton(clean)


@pytest.mark.parametrize("payload", HOSTILE, ids=range(len(HOSTILE)))
def test_no_character_of_a_value_acts_as_markdown(payload):
    hostile = render_markdown(_hostile(payload))
    bad = []
    for kind, text in _blocks(hostile):
        if kind == "line" and not re.fullmatch(r"\|(---\|)+", text):
            body = re.sub(r"^(#+ |> |- )", "", text)
            cells = _cells(body)[1:-1] if body.startswith("|") else [body]
            for cell in cells:
                bad += _unescaped_specials(cell)
    assert bad == []


@pytest.mark.parametrize("payload", HOSTILE, ids=range(len(HOSTILE)))
def test_no_value_is_linked_mentioned_or_referenced(payload):
    hostile = render_markdown(_hostile(payload))
    for kind, text in _blocks(hostile):
        if kind == "fenced":
            continue
        # What GitHub links is looked for in the rendered text, where the entity is a character.
        outside = "".join(ch for _, ch in _outside_code(text)).replace("&#8203;", "\u200b")
        assert not re.search(r"@\w|#\d|(?i:www)\.|\w://", outside), text


@pytest.mark.parametrize("payload", HOSTILE, ids=range(len(HOSTILE)))
def test_a_code_block_holds_exactly_its_value(payload):
    doc = _hostile(payload)
    hostile = render_markdown(doc)
    fixes = {f["pulumi_fix"] for f in doc["findings"] if f["status"] == "FAIL"}
    fenced = [text for kind, text in _blocks(hostile) if kind == "fenced"]
    assert fenced and all(text in {safe_text(fix).rstrip("\n") for fix in fixes} for text in fenced)
    assert len(fenced) == len({f["check_id"] for f in doc["findings"] if f["status"] == "FAIL"})


@pytest.mark.parametrize("payload", HOSTILE, ids=range(len(HOSTILE)))
def test_no_control_character_reaches_the_summary(payload):
    hostile = render_markdown(_hostile(payload))
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", hostile)


def _row_of(markdown: str, resource_name: str) -> str:
    return next(line for line in markdown.splitlines() if f"**{resource_name}**" in line)


def test_a_heading_in_a_resource_name_is_shown_as_text():
    hostile = render_markdown(_hostile(HEADING))
    escaped = r"\</table\>\<h1\>ALL CHECKS PASSED\</h1\>"
    row = _row_of(hostile, escaped + "admin")
    assert len(_cells(row)) == 8  # six cells, as in the clean summary
    for kind, line in _blocks(hostile):  # no raw tag outside a code span either
        assert kind == "fenced" or "<h1>" not in "".join(ch for _, ch in _outside_code(line))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("a|b", r"a\|b"),
        ("x\\|y", r"x\\\|y"),
        ("*x* _y_ snake_case_name", r"\*x\* \_y\_ snake_case_name"),
        ("[a](http://e.example)", r"\[a\](http&#8203;://e.example)"),
        ("![i](x)", r"\!\[i\](x)"),
        ("@team #12 www.e.example", "@&#8203;team \\#&#8203;12 www&#8203;.e.example"),
        ("<b>&amp;</b> ~~s~~ $m$", r"\<b\>\&amp;\</b\> \~\~s\~\~ \$m\$"),
        ("two\nlines\tand\x1b[31m colour", "two lines and colour"),
    ],
)
def test_text_is_escaped_exactly(value, shown):
    doc = _record()
    for f in doc["findings"]:
        if f["status"] == "NOT_EVALUATED":
            f["message"] = value
    line = next(line for line in render_markdown(doc).splitlines() if line.startswith("- `"))
    assert line.endswith(f": {shown}")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("aws:s3/bucket:Bucket", "`aws:s3/bucket:Bucket`"),
        ("a`b", "``a`b``"),
        ("``x", "``` ``x ```"),
        ("p|q", r"`p\|q`"),
    ],
)
def test_a_code_span_is_never_closed_early(value, code):
    doc = _record()
    for f in doc["findings"]:
        if f["resource"] and f["resource"]["name"] == "admin":
            f["resource"]["type"] = value
    assert f"**admin** {code} |" in _row_of(render_markdown(doc), "admin")


def test_a_fence_inside_a_fix_gets_a_longer_fence():
    doc = _record()
    fail = next(f for f in doc["findings"] if f["status"] == "FAIL")
    for f in doc["findings"]:
        if f["check_id"] == fail["check_id"]:
            f["pulumi_fix"] = "x = 1\n````\n</details>\n````"
    lines = render_markdown(doc).splitlines()
    start = lines.index("`````python")
    assert lines[start : start + 6] == [
        "`````python",
        "x = 1",
        "````",
        "</details>",
        "````",
        "`````",
    ]


@pytest.fixture(scope="module")
def cmark_gfm() -> str:
    found = shutil.which("cmark-gfm")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI is set but cmark-gfm is missing: run scripts/setup-browser.sh")
    pytest.skip("cmark-gfm is not installed (scripts/setup-browser.sh installs it)")


def _elements(cmark_gfm: str, markdown: str) -> list[str]:
    """The HTML elements GitHub's parser makes of the Markdown, in document order."""
    extensions = ["-e", "table", "-e", "autolink", "-e", "strikethrough"]
    html = subprocess.run(
        [cmark_gfm, *extensions, "--unsafe"],  # --unsafe: show raw HTML as it would pass
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", html)


@pytest.mark.parametrize("payload", HOSTILE, ids=range(len(HOSTILE)))
def test_githubs_parser_sees_no_element_a_value_made(payload, clean, cmark_gfm):
    assert _elements(cmark_gfm, render_markdown(_hostile(payload))) == _elements(cmark_gfm, clean)
