"""Hostile JSON files through the command: `pulumi preview --json` and `pulumi stack export`
files, and run documents re-rendered (`report`) or compared with (`--previous`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.hostile import (
    FIXTURES,
    FUZZ,
    PREVIEW,
    WAIVERS,
    WITH_PREVIEW,
    as_json,
    as_yaml,
    check_run,
    documents,
    safeguard,
)

SCAN = ["scan", "--out", "OUT", "--format", "json", "-q"]
REPORT = ["report", "FILE", "--out", "OUT", "--format", "json,md,csv,sarif,junit,ocsf,html"]


def _fixtures(pattern: str) -> list[Any]:
    return [
        json.loads(p.read_text())
        for p in sorted(FIXTURES.glob(pattern))
        if "malformed" not in p.name
    ]


@FUZZ
@given(content=documents(_fixtures("preview_*.json"), as_json))
def test_preview_files(scratch, content):
    check_run(scratch, content, [*SCAN, "--preview", "FILE"], ".json")


@FUZZ
@given(content=documents(_fixtures("state_*.json"), as_json))
def test_state_files(scratch, content):
    check_run(scratch, content, [*SCAN, "--state", "FILE"], ".json")


@pytest.fixture(scope="module")
def runs(scratch) -> list[dict]:
    """Real run documents of the preview: with waivers and risks, and with a trend."""
    waivers = scratch / "waivers.yaml"
    waivers.write_text(as_yaml(WAIVERS))
    first, second = scratch / "first", scratch / "second"
    options = ["--format", "json", "-q", "--preview", str(PREVIEW), "--waivers", str(waivers)]
    assert safeguard("scan", "--out", str(first), *options)[0] in (0, 1, 3)
    code, err = safeguard("scan", "--out", str(second), "--previous", str(first), *options)
    assert code in (0, 1, 3), err
    return [json.loads((run / "safeguard-scan.json").read_text()) for run in (first, second)]


def test_the_run_documents_to_break_are_whole(runs):
    assert any(f["status"] == "WAIVED" for f in runs[0]["findings"])
    assert runs[0]["risks"] and runs[1]["trend"]["history"]


@FUZZ
@given(data=st.data())
def test_run_documents_re_rendered(scratch, runs, data):
    check_run(scratch, data.draw(documents(runs, as_json)), REPORT, ".json")


@FUZZ
@given(data=st.data())
def test_run_documents_as_the_previous_run(scratch, runs, data):
    content = data.draw(documents(runs, as_json))
    check_run(scratch, content, [*WITH_PREVIEW, "--previous", "FILE"], ".json")
