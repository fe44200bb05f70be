"""The check tests can fail: each test that calls a check and gets a PASS or FAIL verdict fails
when the check returns the opposite status on that fixture (tests/meta/flip_plugin.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "tests.meta.flip_plugin"


def _flipped_run(tmp_path: Path, *args: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Run pytest with the flip plugin; its report, and its per-test records by test name."""
    report = tmp_path / "flips.json"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    command = [sys.executable, "-m", "pytest", "-p", PLUGIN, "-p", "no:cacheprovider", "-n", "0"]
    proc = subprocess.run(
        [*command, "-q", "--no-header", f"--flip-report={report}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    # 0: every judged test failed under its flips; 1: some test failed (a survivor, or as written).
    assert proc.returncode in (0, 1), proc.stdout[-4000:] + proc.stderr[-4000:]
    data = json.loads(report.read_text())
    return data, {t["nodeid"].rpartition("::")[2]: t for t in data["tests"]}


def _survivor_lines(tests: dict[str, dict[str, Any]]) -> list[str]:
    return [
        f"{t['nodeid']}: {s['check']} ({s['verdicts']}) at {s['where']}"
        for t in tests.values()
        for s in t.get("survivors", [])
    ]


def test_every_check_test_fails_when_the_verdict_it_got_is_flipped(tmp_path):
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests/unit").glob("test_checks_*.py"))
    assert files
    data, _ = _flipped_run(tmp_path, *files)
    tests = {t["nodeid"]: t for t in data["tests"]}

    # The flip reached every check, wherever it is held, before the tests imported them.
    assert data["wrapped"] == data["registered"]
    assert data["registry_wrapped"]
    assert data["stale"] == []
    judged = [t for t in tests.values() if t["status"] == "judged"]
    assert judged, "the flip plugin judged no test: did the checks get wrapped?"

    broken = [nodeid for nodeid, t in tests.items() if t["status"] == "failed as written"]
    survivors = _survivor_lines(tests)
    problems = []
    if survivors:
        problems += [
            "These tests still pass when the check verdict they got is flipped (PASS<->FAIL); "
            "assert the status:",
            *survivors,
        ]
    if broken:
        problems += ["These tests fail without any flip, so they could not be judged:", *broken]
    assert not problems, "\n".join(problems)


SAMPLE = """
import pytest

from checks.aws.secrets import (
    secret_encrypted_cmk,
    secret_rotation_enabled,
    ssm_parameter_secrets_secure,
)
from checks.evaluate import evaluate, run_check
from checks.library import build_registry
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

KEY = "arn:aws:kms:us-east-1:1:key/k"


def secret(**props):
    return Resource("aws:secretsmanager/secret:Secret", "db", {"name": "db", **props})


def cmk(target):
    return secret_encrypted_cmk(target, Inventory([target]))


def test_pins_status():
    assert cmk(secret(kms_key_id=KEY)).status is Status.PASS
    assert cmk(secret()).status is Status.FAIL


def test_evidence_only():
    assert cmk(secret(kms_key_id=KEY)).evidence == {"kms_key_id": KEY}


def test_status_on_the_fail_fixture_only():
    assert cmk(secret(kms_key_id=KEY)).evidence == {"kms_key_id": KEY}
    assert cmk(secret()).status is Status.FAIL


def test_statuses_only_differ():
    assert cmk(secret(kms_key_id=KEY)).status != cmk(secret()).status


def test_through_run_check_pins_status():
    target = secret(kms_key_id=KEY)
    chk = build_registry().get("secret_encrypted_cmk")
    [finding] = run_check(chk, Inventory([target]), target)
    assert finding.status is Status.PASS


def test_through_run_check_evidence_only():
    target = secret(kms_key_id=KEY)
    chk = build_registry().get("secret_encrypted_cmk")
    assert run_check(chk, Inventory([target]), target)[0].evidence == {"kms_key_id": KEY}


def test_not_applicable():
    parameter = Resource("aws:ssm/parameter:Parameter", "p", {"name": "/app/log-level"})
    result = ssm_parameter_secrets_secure(parameter, Inventory([parameter]))
    assert result.status is Status.NOT_APPLICABLE


def test_undecidable():
    target = secret()
    rotation = Resource(
        "aws:secretsmanager/secretRotation:SecretRotation",
        "r",
        {"secret_id": "db", "rotation_rules": {"automatically_after_days": UNKNOWN}},
    )
    with pytest.raises(Undecidable):
        secret_rotation_enabled(target, Inventory([target, rotation]))


def test_library_run_by_evaluate():
    assert evaluate(Inventory([secret()]), build_registry()).uncovered_types == ()
"""


def test_the_flip_finds_tests_that_do_not_pin_the_verdict(tmp_path):
    sample = tmp_path / "sample" / "test_sample_checks.py"
    sample.parent.mkdir()
    sample.write_text(textwrap.dedent(SAMPLE))
    (sample.parent / "pytest.ini").write_text("[pytest]\n")
    _, tests = _flipped_run(tmp_path, f"--rootdir={sample.parent}", str(sample))

    def flips_survived(name: str) -> list[Any]:
        return [s["flip"] for s in tests[name]["survivors"]]

    status = {name: t["status"] for name, t in tests.items()}
    assert status == {
        "test_pins_status": "judged",
        "test_evidence_only": "judged",
        "test_status_on_the_fail_fixture_only": "judged",
        "test_statuses_only_differ": "judged",
        "test_through_run_check_pins_status": "judged",
        "test_through_run_check_evidence_only": "judged",
        "test_not_applicable": "not judged",
        "test_undecidable": "not judged",
        "test_library_run_by_evaluate": "not judged",
    }
    assert flips_survived("test_pins_status") == []
    assert flips_survived("test_through_run_check_pins_status") == []
    assert flips_survived("test_evidence_only") == [0]
    assert flips_survived("test_through_run_check_evidence_only") == [0]
    # Flipping the PASS fixture alone goes unnoticed; flipping the FAIL one does not.
    assert flips_survived("test_status_on_the_fail_fixture_only") == [0]
    assert tests["test_status_on_the_fail_fixture_only"]["survivors"][0]["verdicts"] == "PASS"
    # Each flip alone is noticed; both at once are not.
    assert flips_survived("test_statuses_only_differ") == ["all"]
    assert tests["test_library_run_by_evaluate"]["engine_verdicts"] > 0
