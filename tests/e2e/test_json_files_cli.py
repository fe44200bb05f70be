"""Every JSON file the command reads (previews, state exports, run documents), broken: exit 2,
one line naming the file and the problem, never a traceback (issue 9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pulumi"
PREVIEW = FIXTURES / "preview_first_create.json"
SAFEGUARD = Path(sys.executable).with_name("safeguard")

DEEP = 100_000
NO_STEPS = (
    "no steps: this is not the output of `pulumi preview --json`, or the preview listed nothing"
)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SAFEGUARD), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
        check=False,
    )


def one_error_line(proc: subprocess.CompletedProcess, path: Path, problem: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"safeguard: error: {path}: {problem}"]


def scan(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    return run("scan", "--out", str(tmp_path / "out"), "-q", *options)


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> dict:
    """A real run document, to break."""
    out = tmp_path_factory.mktemp("run")
    proc = run("scan", "--preview", str(PREVIEW), "--out", str(out), "--format", "json", "-q")
    assert proc.returncode in (0, 1, 3), proc.stderr
    return json.loads((out / "safeguard-scan.json").read_text())


# -- not text, nested too deep ---------------------------------------------------------------

NOT_UTF8 = b'{"steps": ["caf\xe9"]}\n'
NOT_UTF8_PROBLEM = "not UTF-8 text (byte 0xe9 at offset 15)"


@pytest.mark.parametrize(
    "how", ["--preview", "--state", "--previous", "report"], ids=lambda h: h.strip("-")
)
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(NOT_UTF8, NOT_UTF8_PROBLEM, id="not-utf8"),
        pytest.param(
            ('{"steps": ' + "[" * DEEP + "]" * DEEP + "}\n").encode(),
            "nested more than 100 levels",
            id="deep",
        ),
    ],
)
def test_a_broken_json_file(tmp_path, how, content, problem):
    path = tmp_path / "input.json"
    path.write_bytes(content)
    if how == "report":
        proc = run("report", str(path), "--out", str(tmp_path / "out"))
    elif how == "--previous":
        proc = scan(tmp_path, "--preview", str(PREVIEW), "--previous", str(path))
    else:
        proc = scan(tmp_path, how, str(path))
    one_error_line(proc, path, problem)


# -- run documents of the wrong shape --------------------------------------------------------


def _without(doc: dict, dotted: str) -> dict:
    copy = json.loads(json.dumps(doc))
    *parents, last = dotted.split(".")
    target = copy
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    del target[last]
    return copy


def _with(doc: dict, dotted: str, value) -> dict:
    copy = json.loads(json.dumps(doc))
    *parents, last = dotted.split(".")
    target = copy
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    target[int(last) if isinstance(target, list) else last] = value
    return copy


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: _without(d, "findings"), "'findings' is missing"),
        (lambda d: _without(d, "gate"), "'gate' is missing"),
        (lambda d: _without(d, "findings.0.status"), "findings[0]: 'status' is missing"),
        (lambda d: _with(d, "findings", {}), "findings: expected a list, found a mapping"),
        (
            lambda d: _with(d, "findings.0", "F-1"),
            "findings[0]: expected a mapping, found a string",
        ),
        (
            lambda d: _with(d, "findings.0.status", "MAYBE"),
            "findings[0].status: 'MAYBE' is not one of",
        ),
        (
            lambda d: _with(d, "summary.findings", []),
            "summary.findings: expected a mapping, found a list",
        ),
        (
            lambda d: _with(d, "gate.exit_code", "0"),
            "gate.exit_code: '0' is not one of 0, 1, 2, 3",
        ),
        (
            lambda d: _with(d, "checks.0.results", None),
            "checks[0].results: expected a mapping, found nothing",
        ),
        (lambda d: _with(d, "safeguards", [[]]), "safeguards[0]: expected a mapping, found a list"),
    ],
)
def test_report_refuses_a_run_document_of_the_wrong_shape(tmp_path, record, change, problem):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(change(record)))
    proc = run("report", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"safeguard: error: {path}: ")
    assert problem in line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_previous_run_of_the_wrong_shape_is_refused_too(tmp_path, record):
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(_without(record, "findings")))
    proc = scan(tmp_path, "--preview", str(PREVIEW), "--previous", str(path))
    one_error_line(proc, path, "not a safeguard run document: 'findings' is missing")


# -- previews that list no steps -------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        {"duration": 1},
        {"changeSummary": {"same": 12}},
        {"config": {"aws:region": "us-east-1"}, "duration": 5, "changeSummary": {}},
        {"steps": [], "duration": 1},
    ],
    ids=["duration", "change-summary", "config", "empty-steps"],
)
def test_a_preview_without_steps_is_an_input_error(tmp_path, doc):
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(doc))
    one_error_line(scan(tmp_path, "--preview", str(path)), path, NO_STEPS)


def _linked(doc: dict) -> int:
    return next(i for i, s in enumerate(doc["safeguards"]) if s.get("links"))


def test_a_specification_link_without_its_check_is_refused(tmp_path, record):
    at = _linked(record)
    path = tmp_path / "run.json"
    path.write_text(json.dumps(_without(record, f"safeguards.{at}.links.0.id")))
    proc = run("report", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"safeguard: error: {path}: ")
    assert f"safeguards[{at}].links[0]: 'id' is missing" in line


def test_a_part_the_reports_read_but_the_shape_check_does_not_is_one_error_line(tmp_path, record):
    doc = json.loads(json.dumps(record))
    doc["asset_map"]["network"]["nodes"][0].pop("label")
    path = tmp_path / "run.json"
    path.write_text(json.dumps(doc))
    proc = run("report", str(path), "--out", str(tmp_path / "out"), "--format", "html")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"safeguard: error: {path}: the run document lacks or mistypes a part")
