"""The program corpus (tests/programs/corpus): programs in the styles people write — components
and awsx, resource objects as inputs, stack references, data sources, config secrets, loops,
several files and packages, namespaced stack config — each scanned as a user would.

Each ends in a verdict (exit 0 or 1), or in one line naming what the user must give: the
configuration it needs, or what the scanner could not emulate. None hangs (a short --timeout),
none shows a traceback, and none is blamed for a value the scanner made up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "programs" / "corpus"
SAFEGUARD = Path(sys.executable).with_name("safeguard")
TIMEOUT = 60  # seconds a program may run under mocks (--timeout)

# Programs that end in a one-line refusal, and the words that line must hold. Every other
# corpus program ends in a verdict.
REFUSALS = {
    "needs_secret": (
        "the program needs configuration 'partner-feed:partnerToken'",
        "pass --secret partner-feed:partnerToken=VALUE",
    ),
    "secret_json_credentials": (
        "__main__.py:10: the scanner could not emulate `secret_string` of the answer of the "
        "data source aws.secretsmanager.get_secret_version",
        "not the program's error",
        "--preview FILE",
    ),
    # An `apply` feeding a resource's input fails on made-up text: Pulumi re-raises that error
    # "from" itself behind "While processing resource …"; the line still names the program's
    # line and the scanner's value.
    "ssm_json_settings": (
        "__main__.py:14: the scanner could not emulate `value` of the answer of the data source "
        "aws.ssm.get_parameter: the program raised JSONDecodeError",
        "not the program's error",
    ),
    # Programs at fault themselves, with made-up values in their namespace all the same: the
    # line blames the program, and says which installed SDK lacks what it asked for.
    "legacy_subnet_lookup": (
        "placement.py:10: the program raised AttributeError: module 'pulumi_aws.ec2' has no "
        "attribute 'get_subnet_ids' (the installed pulumi_aws ",
        "the program is written for another version of it)",
    ),
    "removed_stage_argument": (
        "__main__.py:17: the program raised TypeError: Deployment._internal_init() got an "
        "unexpected keyword argument 'stage_name' (the installed pulumi_aws ",
    ),
    "program_own_keyerror": ("__main__.py:20: the program raised KeyError: 'medium'",),
    # The scanner's apply watch calls the program's callback: a callback whose signature
    # refuses what Pulumi passes is the program's mistake (at the lambda's line), not ours.
    "apply_two_arguments": (
        "__main__.py:31: the program raised TypeError: <lambda>() missing 1 required positional "
        "argument: 'key_arn'",
    ),
}
# The refusals above that rightly name the program's own error.
PROGRAM_FAULTS = {
    "legacy_subnet_lookup",
    "removed_stage_argument",
    "program_own_keyerror",
    "apply_two_arguments",
}
PROGRAMS = sorted(p.name for p in CORPUS.iterdir() if (p / "Pulumi.yaml").is_file())


def _scan(name: str, out: Path) -> dict:
    started = time.monotonic()
    proc = subprocess.run(
        [str(SAFEGUARD), "scan", str(CORPUS / name), "--timeout", str(TIMEOUT)]
        + ["--format", "json", "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT + 60,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    report = out / "safeguard-scan.json"
    return {
        "code": proc.returncode,
        "stderr": proc.stderr,
        "seconds": time.monotonic() - started,
        "report": json.loads(report.read_text()) if report.is_file() else None,
    }


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, dict]:
    """Every corpus program scanned once, three at a time (each scan is a process of its own)."""
    root = tmp_path_factory.mktemp("corpus")
    with ThreadPoolExecutor(3) as pool:
        results = pool.map(lambda name: (name, _scan(name, root / name)), PROGRAMS)
        return dict(results)


def test_the_corpus_spans_the_styles_people_write():
    assert len(PROGRAMS) >= 30
    assert set(REFUSALS) <= set(PROGRAMS)


@pytest.mark.parametrize("name", PROGRAMS)
def test_each_program_ends_in_a_verdict_or_an_honest_refusal(scans, name):
    result = scans[name]
    assert "Traceback" not in result["stderr"], result["stderr"]
    assert "internal error" not in result["stderr"], result["stderr"]
    assert result["seconds"] < TIMEOUT, f"{name} took {result['seconds']:.0f} s"
    if name in REFUSALS:
        assert result["code"] == 2, result["stderr"]
        line = result["stderr"].strip()
        assert "\n" not in line and line.startswith("safeguard: error: "), line
        for words in REFUSALS[name]:
            assert words in line
        if name in PROGRAM_FAULTS:
            assert "could not emulate" not in line and "not the program's error" not in line
        else:
            # Otherwise no corpus program is at fault: a failure on a made-up value is the
            # scanner's.
            assert "could not emulate" in line or "the program raised" not in line
    else:
        assert result["code"] in (0, 1), result["stderr"]
        report = result["report"]
        assert report is not None and report["findings"], f"{name}: no findings"
        assert report["source"]["kind"] == "program"


def _finding(report: dict, check_id: str, resource: str) -> dict:
    found = [
        f
        for f in report["findings"]
        if f["check_id"] == check_id and (f.get("resource") or {}).get("name") == resource
    ]
    assert len(found) == 1, [(f["check_id"], f.get("resource")) for f in report["findings"]]
    return found[0]


def test_what_comes_from_a_stack_reference_is_not_evaluated(scans):
    claims = _finding(scans["stack_reference"]["report"], "rds_storage_encrypted_cmk", "claims")
    assert claims["status"] == "NOT_EVALUATED"
    assert "not known yet" in claims["message"]
    proxy = _finding(scans["stack_reference_lookup"]["report"], "ec2_instance_in_vpc", "proxy")
    assert proxy["status"] == "NOT_EVALUATED"


def test_a_declared_value_beside_an_awsx_component_is_still_judged(scans):
    db = _finding(scans["awsx_vpc"]["report"], "rds_storage_encrypted_cmk", "db")
    assert db["status"] == "PASS"


def test_the_region_the_program_reads_is_the_scans(scans):
    report = scans["region_from_config"]["report"]
    ids = {(f.get("resource") or {}).get("id") for f in report["findings"]}
    assert "audit-logs-123456789012-us-east-1" in ids


def test_what_an_awsx_component_builds_inside_is_said_not_seen(scans):
    report = scans["awsx_vpc"]["report"]
    (entry,) = report["source"]["unseen"]
    assert entry["what"] == "awsx:ec2:Vpc 'main'"
    assert entry["types"][:2] == ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet"]
    flow = [f for f in report["findings"] if f["check_id"] == "vpc_flow_logs_enabled"]
    assert [(f["status"], f["resource"]) for f in flow] == [("NOT_EVALUATED", None)]
    assert flow[0]["message"] == (
        "aws:ec2/vpc:Vpc could not be collected: created inside the multi-language component "
        "awsx:ec2:Vpc 'main', whose provider a scan under mocks cannot run"
    )


def test_apply_callbacks_that_never_ran_are_named_by_line(scans):
    (entry,) = scans["stack_reference_apply"]["report"]["source"]["unseen"]
    assert entry["what"] == "2 apply callback(s) at __main__.py:12, __main__.py:34"
    assert entry["types"] == []
    assert scans["region_from_config"]["report"]["source"]["unseen"] == []


def test_a_registry_token_the_program_decodes_is_base64_of_user_and_password(scans):
    # aws.ecr.get_credentials documents nothing of its token's form; ECR's is base64(user:pw).
    report = scans["registry_pull_secret"]["report"]
    assert scans["registry_pull_secret"]["code"] in (0, 1)
    repo = _finding(report, "ecr_image_scanning_enabled", "lab-analysers")
    assert repo["status"] == "PASS"
    version = _finding(report, "secret_encrypted_cmk", "lab-pull-secret")
    assert version["status"] == "PASS"
