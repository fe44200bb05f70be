"""`safeguard scan --baseline`, run as a user would: only what a change adds fails the gate.

The baseline is a scan of tests/programs/insecure (22 failures). Scanned again unchanged, it
passes; a copy that adds one more unrotated KMS key fails with exactly that finding, and the 22
old ones stay in every format, marked existing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from policies.run_identity import assessment_id

REPO = Path(__file__).resolve().parents[2]
INSECURE = REPO / "tests" / "programs" / "insecure"
SAFEGUARD = Path(sys.executable).with_name("safeguard")
FORMATS = "json,md,sarif,junit,csv,html"
NEW_KEY = """
# Added by the change under review: one more key that is never rotated.
aws.kms.Key("second-unrotated-key", enable_key_rotation=False, deletion_window_in_days=7)
"""
NEW_URN = "urn:pulumi:dev::insecure::aws:kms/key:Key::second-unrotated-key"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SAFEGUARD), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1796083200"},
        check=False,
    )


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A scratch folder with the program, a changed copy, and the baseline scan of the first."""
    root = tmp_path_factory.mktemp("baseline")
    shutil.copytree(INSECURE, root / "prog")
    shutil.copytree(INSECURE, root / "changed")
    main = root / "changed" / "__main__.py"
    main.write_text(main.read_text() + NEW_KEY)
    proc = run("scan", "prog", "--format", "json", "--out", "base", "-q", cwd=root)
    assert proc.returncode == 1, proc.stderr
    return root


def record(folder: Path) -> dict:
    return json.loads((folder / "safeguard-scan.json").read_text())


@pytest.fixture(scope="module")
def unchanged(work):
    proc = run(
        "scan", "prog", "--baseline", "base/safeguard-scan.json", "--format", FORMATS,
        "--out", "same", cwd=work,
    )  # fmt: skip
    return proc, work / "same"


@pytest.fixture(scope="module")
def changed(work):
    proc = run(
        "scan", "changed", "--baseline", "base/safeguard-scan.json", "--format", FORMATS,
        "--out", "head", "-q", cwd=work,
    )  # fmt: skip
    return proc, work / "head"


def test_the_baseline_run_fails_on_its_own_22_findings(work):
    doc = record(work / "base")
    assert doc["gate"]["blocking_failures"] == 22
    assert "baseline" not in doc["gate"]
    assert all("baseline" not in f for f in doc["findings"])


def test_an_unchanged_program_with_old_findings_passes(unchanged):
    proc, out = unchanged
    assert proc.returncode == 0, proc.stderr
    doc = record(out)
    assert doc["summary"]["findings"]["FAIL"] == 22
    assert doc["gate"]["exit_code"] == 0
    assert doc["gate"]["blocking_failures"] == 0
    base = doc["gate"]["baseline"]
    assert (base["new"], base["existing"], base["set_aside"]) == (0, 22, 22)
    assert base["file"] == "base/safeguard-scan.json"
    assert base["assessment_id"] == assessment_id(record(out.parent / "base"))
    assert {f["baseline"] for f in doc["findings"] if f["status"] == "FAIL"} == {"existing"}
    assert {f["baseline"] for f in doc["findings"] if f["status"] == "PASS"} == {None}
    assert "baseline base/safeguard-scan.json: 22 finding(s) it already had set aside" in (
        proc.stderr
    )


def test_one_new_failure_fails_the_gate_with_exactly_that_finding(changed):
    proc, out = changed
    assert proc.returncode == 1, proc.stderr
    doc = record(out)
    new = [f for f in doc["findings"] if f.get("baseline") == "new"]
    assert [(f["check_id"], f["resource"]["urn"]) for f in new] == [
        ("kms_key_rotation_enabled", NEW_URN)
    ]
    assert doc["gate"]["blocking_failures"] == 1
    base = doc["gate"]["baseline"]
    assert (base["new"], base["existing"], base["set_aside"]) == (1, 22, 22)


def test_the_backlog_stays_visible_in_markdown_and_html(changed):
    _, out = changed
    md = (out / "safeguard-scan.md").read_text()
    assert "❌ **1 blocking failure(s)** (fail-on `low`) · baseline: 🆕 **new** 1, " in md
    assert "📋 existing 22 (22 set aside from the gate;" in md
    failures = md.split("### Failures")[1].split("\n\n")[1].splitlines()
    rows = [line for line in failures if "`kms_key_rotation_enabled`" in line]
    assert len(rows) == 2
    assert "🆕 **new** `kms_key_rotation_enabled`" in rows[0]  # the new one listed first
    assert "**second-unrotated-key**" in rows[0]
    assert sum("🆕" in line for line in failures) == 1
    assert sum("📋 existing" in line for line in failures) == 22
    assert "📋 existing `kms_key_rotation_enabled`" in rows[1]
    html = (out / "safeguard-report.html").read_text()
    assert '<span class="badge">baseline</span> <b>1 new</b> and 22 existing open findings' in html


def test_sarif_junit_and_csv_carry_the_baseline_state(changed):
    _, out = changed
    log = json.loads((out / "safeguard-scan.sarif").read_text())
    schema = json.loads((REPO / "tests/fixtures/sarif/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    states = {}
    for r in results:
        states.setdefault(r["baselineState"], []).append(r)
    assert sorted((k, len(v)) for k, v in states.items()) == [("new", 1), ("unchanged", 22)]
    (only_new,) = states["new"]
    assert only_new["ruleId"] == "kms_key_rotation_enabled"

    root = ET.fromstring((out / "safeguard-scan.junit.xml").read_text())
    marked = {
        (case.get("classname"), case.get("name")): prop.get("value")
        for case in root.iter("testcase")
        for prop in case.iter("property")
    }
    assert marked[("kms_key_rotation_enabled", "second-unrotated-key")] == "new"
    assert marked[("kms_key_rotation_enabled", "unrotated-key")] == "existing"
    assert sorted(marked.values()).count("existing") == 22

    rows = list(csv.DictReader(io.StringIO((out / "safeguard-findings.csv").read_text())))
    assert list(rows[0])[-1] == "baseline"
    by_state = {(r["check_id"], r["resource_name"]): r["baseline"] for r in rows}
    assert by_state[("kms_key_rotation_enabled", "second-unrotated-key")] == "new"
    assert sum(1 for r in rows if r["baseline"] == "existing") == 22


def test_a_file_that_is_not_a_run_record_is_one_line_and_exit_2(work):
    (work / "notes.json").write_text('{"hello": "world"}')
    proc = run("scan", "prog", "--baseline", "notes.json", "--out", "x", "-q", cwd=work)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("safeguard: error: --baseline: notes.json: not a safeguard run")
    assert not (work / "x").exists()


def test_a_baseline_of_another_stack_is_refused_with_exit_2(work):
    other = work / "other"
    shutil.copytree(INSECURE, other)
    shutil.copy(other / "Pulumi.dev.yaml", other / "Pulumi.prod.yaml")
    proc = run(
        "scan", "other", "--stack", "prod", "--baseline", "base/safeguard-scan.json",
        "--out", "y", "-q", cwd=work,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "safeguard: error: --baseline base/safeguard-scan.json: a run of another scope: "
        "project 'insecure' (this run: 'insecure'), stack 'dev' (this run: 'prod')"
    ]


def test_audit_takes_the_same_option(work):
    proc = run("audit", "--help", cwd=work)
    assert proc.returncode == 0
    assert "--baseline RUN_JSON" in proc.stdout


WAIVER = f"""\
waivers:
  - id: W-NEW-KEY
    check: kms_key_rotation_enabled
    resources: ["{NEW_URN}"]
    type: risk_acceptance
    justification: a short-lived key for the migration, deleted in ticket SEC-40
    approver: Dana Lee, Security Official
    approved: 2026-11-20
    expires: 2027-01-31
"""


def test_waivers_apply_before_the_baseline(work):
    (work / "waivers.yaml").write_text(WAIVER)
    proc = run(
        "scan", "changed", "--baseline", "base/safeguard-scan.json", "--waivers", "waivers.yaml",
        "--format", "json", "--out", "waived", "-q", cwd=work,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = record(work / "waived")
    (waived,) = [f for f in doc["findings"] if f["status"] == "WAIVED"]
    assert (waived["resource"]["urn"], waived["baseline"]) == (NEW_URN, "new")
    assert doc["gate"]["baseline"]["set_aside"] == 22


def test_the_profile_threshold_applies_before_the_baseline(work):
    # The new finding is of medium severity: under fail-on high it never blocked, so it is
    # not counted as set aside either; only the old high and critical ones are.
    proc = run(
        "scan", "changed", "--baseline", "base/safeguard-scan.json", "--fail-on", "high",
        "--format", "json", "--out", "high", "-q", cwd=work,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = record(work / "high")
    gate = doc["gate"]
    blocking_before = record(work / "base")["findings"]
    severe = ("high", "critical")
    high_or_worse = sum(
        1 for f in blocking_before if f["status"] == "FAIL" and f["severity"] in severe
    )
    assert (gate["blocking_failures"], gate["baseline"]["set_aside"]) == (0, high_or_worse)
    assert high_or_worse == 9


# The action's scan step (action.yml), run as the runner runs it: bash -e, inputs as env.
ACTION_SCAN = next(
    s for s in yaml.safe_load((REPO / "action.yml").read_text())["runs"]["steps"]
    if s.get("id") == "scan"
)["run"]  # fmt: skip


def action_scan(work: Path, program: str, soft_fail: str, out: str) -> tuple[int, dict]:
    outputs = work / f"{out}.github_output"
    env = {
        **os.environ, "SOURCE_DATE_EPOCH": "1796083200", "GITHUB_OUTPUT": str(outputs),
        "SAFEGUARD_BIN": str(SAFEGUARD), "PROGRAM_DIR": program, "STACK": "dev", "FAIL_ON": "",
        "BASELINE": "base/safeguard-scan.json", "FORMATS": "json,md,sarif", "OUT_DIR": out,
        "SOFT_FAIL": soft_fail,
    }  # fmt: skip
    proc = subprocess.run(
        ["bash", "-e", "-c", ACTION_SCAN], cwd=work, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    pairs = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return proc.returncode, pairs


def test_the_action_passes_the_baseline_and_sets_its_outputs(work):
    code, outputs = action_scan(work, "changed", "true", "act-soft")
    assert code == 0  # soft-fail: the step succeeds, the exit code is an output
    assert outputs == {
        "exit-code": "1",
        "report-dir": "act-soft",
        "json": "act-soft/safeguard-scan.json",
        "markdown": "act-soft/safeguard-scan.md",
        "sarif": "act-soft/safeguard-scan.sarif",
    }
    assert record(work / "act-soft")["gate"]["baseline"]["new"] == 1


def test_the_action_fails_the_step_on_the_gate_unless_soft(work):
    code, outputs = action_scan(work, "changed", "false", "act-hard")
    assert (code, outputs["exit-code"]) == (1, "1")
    code, outputs = action_scan(work, "prog", "false", "act-same")
    assert (code, outputs["exit-code"]) == (0, "0")
