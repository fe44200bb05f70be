"""`safeguard drift` end to end: the billing stack deployed into the emulator, its stack export
written from the same deploy, console changes made through boto3, then the command as a user
runs it. Each change must appear in the drift with its property and both values, or as gone or
unmanaged.

The scenario runs once per module, in a process of its own (`python -m
tests.emulator.test_drift_emulated OUT`): moto's backends belong to the process, and the other
emulator tests of this process empty them before each test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = Path(sys.executable).with_name("safeguard")
REGION = "us-east-1"
BY_HAND_GROUP = "debug-from-home"
BY_HAND_USER = "alice"


# -- the changes, each with what the drift must say of it --------------------------------------
# An expectation: (kind, type token, what names the resource: id or ARN, property or None).

Expect = tuple[str, str, str, str | None]
SG = "aws:ec2/securityGroup:SecurityGroup"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
TRAIL = "aws:cloudtrail/trail:Trail"
KEY = "aws:kms/key:Key"
DB = "aws:rds/instance:Instance"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TOPIC = "aws:sns/topic:Topic"
TABLE = "aws:dynamodb/table:Table"
DETECTOR = "aws:guardduty/detector:Detector"
USER = "aws:iam/user:User"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _ssh_open(acct: Any) -> list[Expect]:
    from tests.emulator import changes_network

    changes_network._open_to_world(acct, "app-security-group", 22, "sg_no_internet_admin_ports")
    return [("changed", SG, acct.group("app-security-group"), "ingress (every rule)")]


def _encryption_removed(acct: Any) -> list[Expect]:
    from tests.emulator import changes_network

    changes_network.encryption_removed(acct)
    return [("changed-or-gone", SSE, acct.bucket("billing-documents"), None)]


def _versioning_suspended(acct: Any) -> list[Expect]:
    from tests.emulator import changes_network

    changes_network.versioning_suspended(acct)
    return [("changed", VERSIONING, acct.bucket("access-logs"), "versioning_configuration")]


def _trail_stopped(acct: Any) -> list[Expect]:
    acct("cloudtrail").stop_logging(Name=acct.trail)
    return [("changed", TRAIL, acct.trail, "enable_logging")]


def _log_validation_off(acct: Any) -> list[Expect]:
    acct("cloudtrail").update_trail(Name=acct.trail, EnableLogFileValidation=False)
    return [("changed", TRAIL, acct.trail, "enable_log_file_validation")]


def _rotation_off(acct: Any) -> list[Expect]:
    from tests.emulator import changes_network

    changes_network.rotation_off(acct)
    return [("changed", KEY, acct.key("documents-key"), "enable_key_rotation")]


def _database_public(acct: Any) -> list[Expect]:
    from tests.emulator import changes_identity

    changes_identity.database_public(acct)
    return [("changed", DB, str(acct.database.arn), "publicly_accessible")]


def _instance_class_changed(acct: Any) -> list[Expect]:
    from tests.emulator import changes_identity

    changes_identity._modify_database(acct, DBInstanceClass="db.r6g.xlarge")
    return [("changed", DB, str(acct.database.arn), "instance_class")]


def _tag_removed(acct: Any) -> list[Expect]:
    group = acct.group("alb-security-group")
    acct("ec2").delete_tags(Resources=[group], Tags=[{"Key": "owner"}])
    return [("changed", SG, group, "tags")]


def _retention_cut(acct: Any) -> list[Expect]:
    from tests.emulator import changes_network

    changes_network.trail_logs_retention_cut(acct)
    group = acct.created(LOG_GROUP, "cloudtrail-logs").id
    return [("changed", LOG_GROUP, group, "retention_in_days")]


def _alerts_unencrypted(acct: Any) -> list[Expect]:
    from tests.emulator import changes_identity

    changes_identity.alerts_unencrypted(acct)
    topic = str(acct.created(TOPIC, "security-alerts").arn)
    return [("changed", TOPIC, topic, "kms_master_key_id")]


def _guardduty_suspended(acct: Any) -> list[Expect]:
    from tests.emulator import changes_identity

    changes_identity.guardduty_suspended(acct)
    return [("changed", DETECTOR, acct.created(DETECTOR, "guardduty").id, "enable")]


def _log_group_deleted(acct: Any) -> list[Expect]:
    group = acct.created(LOG_GROUP, "db-logs-upgrade").id
    acct("logs").delete_log_group(logGroupName=group)
    return [("gone", LOG_GROUP, group, None)]


def _bucket_by_hand(acct: Any) -> list[Expect]:
    from tests.emulator import changes_network

    changes_network.bucket_by_hand(acct)
    return [("unmanaged", BUCKET, f"billing-exports-by-hand-{acct.report.account}", None)]


def _group_by_hand(acct: Any) -> list[Expect]:
    vpc = acct.created("aws:ec2/vpc:Vpc", "vpc").id
    ec2 = acct("ec2")
    made = ec2.create_security_group(GroupName=BY_HAND_GROUP, Description="by hand", VpcId=vpc)
    return [("unmanaged", SG, made["GroupId"], None)]


def _user_by_hand(acct: Any) -> list[Expect]:
    from tests.emulator import changes_identity

    changes_identity.console_user_without_mfa(acct)
    return [("unmanaged", USER, BY_HAND_USER, None)]


def _inline_policy(acct: Any) -> list[Expect]:
    from tests.emulator import changes_identity

    changes_identity.inline_admin_policy(acct)
    role = acct.created("aws:iam/role:Role", "app-role").id
    return [("unmanaged", ROLE_POLICY, f"{role}:debug-everything", None)]


CHANGES: dict[str, Callable[[Any], list[Expect]]] = {
    "SSH opened to 0.0.0.0/0 on the app group": _ssh_open,
    "default encryption removed from the documents bucket": _encryption_removed,
    "versioning suspended on the access-log bucket": _versioning_suspended,
    "CloudTrail logging stopped": _trail_stopped,
    "CloudTrail log file validation turned off": _log_validation_off,
    "rotation turned off on the documents key": _rotation_off,
    "the database made publicly accessible": _database_public,
    "the database's instance class changed": _instance_class_changed,
    "the owner tag removed from the ALB group": _tag_removed,
    "the trail's log group kept 30 days": _retention_cut,
    "the alerts topic's encryption removed": _alerts_unencrypted,
    "GuardDuty suspended": _guardduty_suspended,
    "a log group of the stack deleted": _log_group_deleted,
    "a bucket made by hand": _bucket_by_hand,
    "a security group made by hand": _group_by_hand,
    "an IAM user made by hand": _user_by_hand,
    "an inline policy put on the app role": _inline_policy,
}


# -- the scenario, in its own process ----------------------------------------------------------


def _environment() -> dict[str, str]:
    from checks.sources.aws.emulator import CREDENTIALS

    dropped = ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, **CREDENTIALS, "AWS_DEFAULT_REGION": REGION}


def _drift(endpoint: str, state: Path, out: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [str(SAFEGUARD), "drift", "--state", str(state), "--endpoint-url", endpoint,
         "--out", str(out), "--force", "--format", "json,md", "--quiet"],
        env=_environment(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return {"exit_code": proc.returncode, "stderr": proc.stderr}


def run(out: Path) -> dict[str, Any]:
    from checks.sources.aws.emulator import Emulator
    from scripts.emulate.baseline import prepare_account
    from scripts.emulate.clients import Clients
    from scripts.emulate.deploy import deploy
    from scripts.emulate.export import write_export
    from tests.emulator.console_account import Account

    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    out.mkdir(parents=True, exist_ok=True)
    with Emulator() as emu:
        prepare_account(emu, [REGION])
        report = deploy(REPO, "prod", emu.endpoint)
        state = write_export(report, out / "state.json")
        before = _drift(emu.endpoint, state, out / "before")
        account = Account(emu, report, Clients(emu.endpoint, REGION))
        expected = {what: change(account) for what, change in CHANGES.items()}
        after = _drift(emu.endpoint, state, out / "after")
    scenario = {"before": before, "after": after, "expected": expected}
    (out / "scenario.json").write_text(json.dumps(scenario, indent=1), encoding="utf-8")
    return scenario


# -- the tests ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    out = tmp_path_factory.mktemp("drift")
    proc = subprocess.run(
        [sys.executable, "-m", "tests.emulator.test_drift_emulated", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads((out / "scenario.json").read_text(encoding="utf-8"))
    for side in ("before", "after"):
        found[side]["doc"] = json.loads((out / side / "safeguard-scan.json").read_text())
        found[side]["md"] = (out / side / "safeguard-scan.md").read_text()
    yield found


def _names(ref: dict[str, Any] | None, token: str, ident: str) -> bool:
    if not ref or ref.get("type") not in (token, token.replace("securityGroup", "default")):
        return False
    return ident in (ref.get("id"), ref.get("arn"), ref.get("name"))


def _rows(drift: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    if kind == "changed-or-gone":
        return drift["changed"] + drift["gone"]
    return drift[kind]


def test_the_unchanged_deploy_has_no_drift(scenario: dict[str, Any]) -> None:
    drift = scenario["before"]["doc"]["drift"]
    assert drift["changed"] == []
    assert drift["gone"] == []
    assert drift["unmanaged"] == []
    assert drift["summary"]["matched"] >= 180
    assert [v for v in drift["verdicts"] if v["live"] == "FAIL"] == []


@pytest.mark.parametrize("what", list(CHANGES))
def test_each_console_change_is_in_the_drift(scenario: dict[str, Any], what: str) -> None:
    drift = scenario["after"]["doc"]["drift"]
    for kind, token, ident, prop in scenario["expected"][what]:
        rows = [r for r in _rows(drift, kind) if _names(r["resource"], token, ident)]
        if prop is not None:
            rows = [r for r in rows if r.get("property") == prop]
        assert rows, f"{what}: no {kind} {token} {ident} {prop or ''} in the drift"
        for row in rows:
            if "declared" in row:
                assert row["declared"] != row["live"], row


def test_breaking_drift_fails_the_run_and_says_so(scenario: dict[str, Any]) -> None:
    after = scenario["after"]
    assert after["exit_code"] == 1, after["stderr"][-2000:]
    drift = after["doc"]["drift"]
    assert drift["exit_code"] == 1
    ssh = [r for r in drift["changed"] if r["property"] == "ingress (every rule)"]
    assert "sg_no_internet_admin_ports" in ssh[0]["breaks"]
    assert ssh[0]["live"] == ["tcp 22-22 from 0.0.0.0/0", "tcp 8443-8443 from other groups"]
    assert "drift: " in after["stderr"] and "breaking a check" in after["stderr"]


def test_a_property_no_check_reads_is_reported_as_affecting_none(
    scenario: dict[str, Any],
) -> None:
    drift = scenario["after"]["doc"]["drift"]
    (row,) = [r for r in drift["changed"] if r["property"] == "instance_class"]
    assert (row["declared"], row["live"], row["checks"]) == ("db.r6g.large", "db.r6g.xlarge", [])
    assert "affects no check" in scenario["after"]["md"]


def test_the_summary_has_a_table_per_kind(scenario: dict[str, Any]) -> None:
    md = scenario["after"]["md"]
    for heading in ("### Drift from the stacks", "#### Changed", "#### Gone", "#### Unmanaged"):
        assert heading in md
    assert "| resource | property | declared | live | checks affected |" in md
    assert f"`{BY_HAND_USER}`" in md


if __name__ == "__main__":
    run(Path(sys.argv[1]))
