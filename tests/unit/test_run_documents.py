"""Run documents and the hostile files the fuzz tests found, read by the one loader: a shape
the renderers rely on, or one InputError naming the file and the key."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from checks.errors import InputError
from checks.inputfiles import load_yaml
from policies import run_shape
from policies.run_identity import load_run_document
from scripts.cli import main
from tests.unit.test_input_files import write, yaml_error

# -- run documents ---------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pulumi"


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("run")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(
            [
                "scan",
                "--preview",
                str(FIXTURES / "preview_billing_update.json"),
                "--out",
                str(out),
                "--format",
                "json",
                "-q",
            ]
        )
    return json.loads((out / "safeguard-scan.json").read_text())


def test_a_real_run_document_has_the_shape_the_renderers_read(tmp_path, record):
    assert run_shape.problem(record) is None
    path = write(tmp_path, json.dumps(record), "run.json")
    assert load_run_document(path) == record
    folder = tmp_path / "folder"
    folder.mkdir()
    write(folder, json.dumps(record), "safeguard-scan.json")
    assert load_run_document(folder) == record


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.pop("checks"), "'checks' is missing"),
        (lambda d: d["findings"][0].pop("evidence"), "findings[0]: 'evidence' is missing"),
        (
            lambda d: d["findings"][0].update(severity="urgent"),
            "findings[0].severity: 'urgent' is not one of critical, high, medium, low, info",
        ),
        (
            lambda d: d["findings"][0].update(citations="164.312"),
            "findings[0].citations: expected a list, found a string",
        ),
        (
            lambda d: d["findings"][0].update(resource=[]),
            "findings[0].resource: expected a mapping, found a list",
        ),
        (
            lambda d: d["gate"].update(blocking_failures=True),
            "gate.blocking_failures: expected a whole number, found a boolean",
        ),
        (
            lambda d: d.update(generated_at="yesterday"),
            "generated_at: expected an ISO 8601 time, found a string",
        ),
        (lambda d: d["summary"]["findings"].pop("PASS"), "summary.findings: 'PASS' is missing"),
        (
            lambda d: d["inventory"]["by_type"].update({"x": "1"}),
            "inventory.by_type.x: expected a whole number, found a string",
        ),
        (
            lambda d: d["findings"][0].update(check_id="no_such_check"),
            "findings[0].check_id: 'no_such_check' is not in 'checks'",
        ),
        (
            lambda d: d["findings"][0].update(status="WAIVED", waiver_id="W-9"),
            "findings[0].waiver_id: a WAIVED finding must name a waiver in 'waivers', found 'W-9'",
        ),
        (lambda d: d.update(risks={}), "risks: expected a list, found a mapping"),
        (lambda d: d.update(trend={"history": 3}), "trend: 'previous' is missing"),
    ],
)
def test_a_run_document_of_another_shape_names_the_key(tmp_path, record, change, problem):
    document = json.loads(json.dumps(record))
    change(document)
    path = write(tmp_path, json.dumps(document), "run.json")
    with pytest.raises(InputError) as err:
        load_run_document(path)
    assert str(err.value) == f"{path}: not a safeguard run document: {problem}"


def test_a_run_document_that_is_not_one_at_all(tmp_path):
    with pytest.raises(InputError, match=r": no such run document$"):
        load_run_document(tmp_path / "absent.json")
    with pytest.raises(InputError, match=r": not a safeguard run document \(no schema_version\)$"):
        load_run_document(write(tmp_path, "[1]", "list.json"))
    with pytest.raises(InputError, match=r"schema_version \['1'\] is not supported"):
        load_run_document(write(tmp_path, '{"schema_version": ["1"]}', "odd.json"))


# -- crashes the fuzz tests found (tests/fuzz), kept as plain examples ----------------------


def _report(path: Path, out: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["report", str(path), "--out", str(out), "--format", "html,md"])
    return int(code), err.getvalue()


def test_a_trend_entry_without_its_keys_is_refused_not_a_template_error(tmp_path, record):
    document = json.loads(json.dumps(record))
    document["trend"] = {
        "previous": {"assessment_id": "SA-1", "generated_at": "2026-11-01T00:00:00Z"},
        "current": {"assessment_id": "SA-2", "generated_at": "2026-12-01T00:00:00Z"},
        "counts": {"persisting": 1},
        "findings": {"persisting": [{}]},
        "resolved_earlier": [],
        "history": [],
    }
    path = write(tmp_path, json.dumps(document), "run.json")
    code, err = _report(path, tmp_path / "out")
    assert (code, err.strip()) == (
        2,
        f"safeguard: error: {path}: not a safeguard run document: "
        "trend.findings.persisting[0]: 'id' is missing",
    )


def test_an_attestation_whose_evidence_is_not_text_is_refused_not_a_json_error(tmp_path):
    path = write(
        tmp_path,
        "attestations:\n"
        '  - citation: "164.308(a)(1)(ii)(C)"\n'
        "    statement: Sanction policy HR-7 is applied.\n"
        "    attested_by: Dana Lee\n"
        "    attested_on: 2026-10-01\n"
        "    expires: 2027-10-01\n"
        "    evidence: {signed: [2026-01-01]}\n",
        "attestations.yaml",
    )
    err = io.StringIO()
    preview = str(FIXTURES / "preview_billing_update.json")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(
            [
                "scan",
                "--preview",
                preview,
                "--attestations",
                str(path),
                "--out",
                str(tmp_path / "out"),
                "-q",
            ]
        )
    assert (code, err.getvalue().strip()) == (
        2,
        f"safeguard: error: {path}: line 2: 'evidence' must be text, found a mapping",
    )


def test_yaml_integers_too_long_to_mean_anything_are_refused(tmp_path):
    assert yaml_error(tmp_path, "high: " + "9" * 5000 + "\n") == (
        "line 1: malformed YAML: a number longer than 40 digits"
    )
    assert yaml_error(tmp_path, "high: 0x" + "f" * 5000 + "\n", pulumi=True) == (
        "line 1: malformed YAML: a number longer than 40 digits"
    )
    assert load_yaml(write(tmp_path, "port: 65535\nbig: 0x" + "f" * 16 + "\n")) == {
        "port": 65535,
        "big": 2**64 - 1,
    }


def test_pulumi_files_refuse_an_explicit_timestamp_tag_as_the_cli_reads_none(tmp_path):
    assert yaml_error(tmp_path, "config:\n  p:at: !!timestamp 2020-01-01\n", pulumi=True) == (
        "line 2: malformed YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:timestamp'"
    )


def test_an_sla_of_more_days_than_a_calendar_holds_is_refused_not_an_overflow(tmp_path):
    path = write(tmp_path, "high: 14\nlow: " + str(10**30) + "\n", "sla.yaml")
    err = io.StringIO()
    preview = str(FIXTURES / "preview_billing_update.json")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(
            ["scan", "--preview", preview, "--sla", str(path), "--out", str(tmp_path / "out"), "-q"]
        )
    assert (code, err.getvalue().strip()) == (
        2,
        f"safeguard: error: {path}: line 1: SLA for 'low' is more than 36500 days",
    )


def test_a_state_secret_whose_plaintext_is_a_number_too_long_to_read_stays_a_secret(tmp_path):
    state = json.loads((FIXTURES / "state_v4_billing_show_secrets.json").read_text())
    text = json.dumps(state)
    start = text.index('"plaintext": "') + len('"plaintext": "')
    end = text.index('"', start + 2) if text[start] != "\\" else text.index('\\""', start + 2) + 2
    path = write(tmp_path, text[:start] + "9" * 5000 + text[end:], "state.json")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["scan", "--state", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert code in (1, 3) and err.getvalue() == ""
