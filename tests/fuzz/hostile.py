"""What the fuzz tests share: running the command in process, and hostile documents.

`documents(bases, dump)` draws random documents, mutations of real ones (keys dropped, values
swapped for others of another type, nesting far past the limit, huge strings) and byte-level
damage (bytes that are not UTF-8, cut files, surrogate escapes, a BOM, stray text, deep
brackets). `check_run` writes one to a file, runs the command on it and asserts what every run
must end in: exit 0-3, one error line naming the file for exit 2, never a traceback.

CI runs `EXAMPLES` (40) examples per file kind, the same ones each time;
`SAFEGUARD_FUZZ_EXAMPLES=2000` runs that many, drawn afresh, for a longer search.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from scripts.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pulumi"
PREVIEW = FIXTURES / "preview_billing_update.json"
EPOCH = "1796083200"  # 2026-12-01: the waivers and attestations below are in force
SEARCH = "SAFEGUARD_FUZZ_EXAMPLES"
EXAMPLES = int(os.environ.get(SEARCH) or 40)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=SEARCH not in os.environ,  # CI: the same examples on every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- running the command ---------------------------------------------------------------------


def safeguard(*args: str) -> tuple[int, str]:
    """Run the command in process; its exit code and what it wrote to stderr."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(list(args))
    return int(code), err.getvalue()


def check_run(scratch: Path, content: bytes, command: list[str], suffix: str) -> None:
    """Write `content` to a fresh file, run `command` on it ("FILE" and "OUT" filled in)."""
    folder = Path(tempfile.mkdtemp(dir=scratch))
    path = folder / f"input{suffix}"
    path.write_bytes(content)
    args = [str(path) if a == "FILE" else str(folder / "out") if a == "OUT" else a for a in command]
    code, err = safeguard(*args)
    assert code in (0, 1, 2, 3), (code, err)
    assert "Traceback" not in err
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("safeguard: error: "), err
        assert str(path) in lines[0], err


# -- documents -------------------------------------------------------------------------------

# Strings that other parsers read again: JSON in a secret's plaintext, a policy document, a CIDR.
_TEXT = st.text(max_size=12) | st.sampled_from(
    ["", "*", "[secret]", "0.0.0.0/0", "\x1b[2J", "✓", "9" * 5000, "[" * 3000, '{"a": NaN}']
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([2**63, -(2**63) - 1, 10**40, 16**45, 10**400])
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
# YAML holds more than JSON: dates and times (a value people write unquoted), keys of any kind.
YAML_VALUES = st.recursive(
    _SCALARS | st.dates() | st.datetimes(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_SCALARS, inner, max_size=4),
    max_leaves=12,
)


def _spots(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in `doc`, without recursion."""
    spots, stack = [], [doc]
    while stack:
        value = stack.pop()
        keys = list(value) if isinstance(value, dict) else range(len(value))
        for key in keys:
            spots.append((value, key))
            if isinstance(value[key], (dict, list)):
                stack.append(value[key])
    return spots


def _nested(value: Any, depth: int, mapping: bool) -> Any:
    for _ in range(depth):
        value = {"a": value} if mapping else [value]
    return value


@st.composite
def mutated(draw: st.DrawFn, bases: list[Any], values: st.SearchStrategy) -> Any:
    """A real document with one to three of its values dropped, swapped, buried or bloated."""
    doc = copy.deepcopy(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(1, 3))):
        spots = _spots(doc)
        if not spots:
            break
        parent, key = draw(st.sampled_from(spots))
        how = draw(st.sampled_from(["drop", "swap", "swap", "bury", "bloat", "empty"]))
        if how == "drop":
            del parent[key]
        elif how == "swap":
            parent[key] = draw(values)
        elif how == "bury":
            parent[key] = _nested(parent[key], draw(st.integers(95, 160)), draw(st.booleans()))
        elif how == "bloat":
            parent[key] = "x" * draw(st.integers(10_000, 200_000))
        else:
            parent[key] = (
                type(parent[key])() if isinstance(parent[key], (dict, list, str)) else None
            )
    return doc


@st.composite
def damaged(draw: st.DrawFn, text: str) -> bytes:
    """The text of a real document with its bytes broken."""
    raw = text.encode()
    at = draw(st.integers(0, len(raw)))
    how = draw(st.sampled_from(["cut", "bytes", "surrogate", "bom", "junk", "deep"]))
    if how == "cut":
        return raw[:at]
    if how == "bytes":
        return raw[:at] + draw(st.binary(min_size=1, max_size=6)) + raw[at:]
    if how == "surrogate":
        quote = raw.find(b'"', at)
        return raw if quote < 0 else raw[: quote + 1] + b"\\udc80" + raw[quote + 1 :]
    if how == "bom":
        return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + raw
    if how == "junk":
        return draw(st.binary(max_size=40)) + b"\n" + raw
    depth = draw(st.integers(100, 20_000))
    return raw[:at] + b"[" * depth + b"]" * depth + raw[at:]


def as_json(doc: Any) -> str:
    return json.dumps(doc, default=str)


def as_yaml(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def documents(bases: list[Any], dump: Any) -> st.SearchStrategy[bytes]:
    """Random documents, mutated real ones and damaged real ones, as bytes."""
    values = YAML_VALUES if dump is as_yaml else JSON_VALUES
    return st.one_of(
        values.map(lambda d: dump(d).encode()),
        mutated(bases, values).map(lambda d: dump(d).encode()),
        st.sampled_from(bases).flatmap(lambda d: damaged(dump(d))),
    )


# -- what the file kinds share ----------------------------------------------------------------

# A scan of the preview fixture, writing the formats that show what a policy file changes.
WITH_PREVIEW = ["scan", "--out", "OUT", "--format", "json,md,csv", "-q", "--preview", str(PREVIEW)]
DB_URN = (
    "urn:pulumi:dev::billing::acme:billing:Database$aws:rds/instance:Instance::billing-db-instance"
)
WAIVERS = {
    "waivers": [
        {
            "id": "W-1",
            "check": "rds_multi_az",
            "resources": [DB_URN],
            "type": "risk_acceptance",
            "justification": "dev holds synthetic data only",
            "approver": "Dana Lee, Security Official",
            "approved": dt.date(2026, 11, 1),
            "expires": dt.date(2027, 1, 31),
        },
        {
            "id": "W-2",
            "check": "rds_iam_authentication",
            "resource_pattern": "urn:pulumi:dev::billing::*$aws:rds/instance:Instance::billing-*",
            "type": "compensating_control",
            "justification": "password rotation every 30 days",
            "approver": "Dana Lee, Security Official",
            "approved": dt.date(2026, 6, 1),
            "expires": dt.date(2026, 10, 31),
        },
    ]
}
