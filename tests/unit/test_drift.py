"""Drift on hand-built inventories: what changed, what is gone, what no stack declares, and
what cannot be compared (secret or unknown values, types the audit did not read)."""

from __future__ import annotations

import json

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Secret
from policies.drift import DeclaredState, LiveView, combined_exit, compare
from policies.drift_values import same
from policies.exit_codes import ExitCode
from policies.run_shape import DRIFT
from reports.markdown import _code, _text
from reports.markdown_drift import drift_lines

ACCOUNT = "111122223333"
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUCKET = "aws:s3/bucket:Bucket"
SUBNET = "aws:ec2/subnet:Subnet"
DEFAULT_SUBNET = "aws:ec2/defaultSubnet:DefaultSubnet"
ROUTE = "aws:ec2/route:Route"
COLLECTED = frozenset({KEY, LOG_GROUP, BUCKET, SUBNET, DEFAULT_SUBNET})
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k-1"


@pytest.fixture(scope="module")
def registry():
    return build_registry()


def declared(token: str, name: str, props: dict, ident: str, arn: str | None = None) -> Resource:
    urn = f"urn:pulumi:prod::billing::{token}::{name}"
    return Resource(token, name, props, urn=urn, id=ident, arn=arn, source="state")


def live(token: str, props: dict, ident: str, arn: str | None = None) -> Resource:
    return Resource(
        token, ident, props, id=ident, arn=arn, source="aws", region="us-east-1", account=ACCOUNT
    )


def key_props(rotation: bool) -> dict:
    return {
        "enable_key_rotation": rotation,
        "is_enabled": True,
        "key_usage": "ENCRYPT_DECRYPT",
        "customer_master_key_spec": "SYMMETRIC_DEFAULT",
        "description": "documents",
    }


def run(registry, states, live_resources, gaps=None, collected=COLLECTED):
    inventory = Inventory(live_resources, gaps=gaps or {})
    findings = evaluate(inventory, registry).findings
    view = LiveView(inventory, collected, findings, frozenset({ACCOUNT}), frozenset({"us-east-1"}))
    return compare(states, view, registry)


def state(*resources: Resource, file: str = "prod.json", stack: str = "prod") -> DeclaredState:
    return DeclaredState(file, "billing", stack, resources)


def test_a_changed_property_names_both_values_and_the_check_it_breaks(registry) -> None:
    d = declared(KEY, "docs-key", key_props(True), "k-1", KEY_ARN)
    drift = run(registry, [state(d)], [live(KEY, key_props(False), "k-1", KEY_ARN)])
    (row,) = drift.changed
    assert (row["property"], row["declared"], row["live"]) == ("enable_key_rotation", True, False)
    assert row["checks"] == ["kms_key_rotation_enabled"]
    assert row["breaks"] == ["kms_key_rotation_enabled"]
    assert row["resource"]["name"] == "docs-key" and row["resource"]["id"] == "k-1"
    assert drift.exit_code is ExitCode.FAILED
    assert drift.verdicts[0]["check_id"] == "kms_key_rotation_enabled"


def test_a_property_no_check_reads_is_reported_as_affecting_none(registry) -> None:
    d = declared(KEY, "docs-key", key_props(True), "k-1", KEY_ARN)
    changed = {**key_props(True), "description": "renamed by hand"}
    drift = run(registry, [state(d)], [live(KEY, changed, "k-1", KEY_ARN)])
    (row,) = drift.changed
    assert (row["property"], row["checks"], row["breaks"]) == ("description", [], [])
    assert drift.exit_code is ExitCode.OK


def test_a_setting_removed_live_is_compared_where_a_check_reads_it(registry) -> None:
    props = {"retention_in_days": 365, "kms_key_id": KEY_ARN, "skip_destroy": True}
    d = declared(LOG_GROUP, "app-logs", props, "/app")
    drift = run(registry, [state(d)], [live(LOG_GROUP, {"retention_in_days": 365}, "/app")])
    (row,) = drift.changed
    assert (row["property"], row["declared"], row["live"]) == ("kms_key_id", KEY_ARN, None)
    assert row["checks"] == ["log_group_kms_encrypted"]


def test_the_same_value_in_another_spelling_is_no_drift() -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*"}]}
    assert same(json.dumps(policy), json.dumps(policy, indent=4))
    assert same([{"protocol": "tcp", "rule_no": 100}], [{"protocol": "6", "rule_no": 100}])
    assert same(["b", "a"], ["a", "b"])
    assert same({"interval": None, "path": "/health"}, {"path": "/health", "interval": 30})
    assert not same(["a"], ["a", "b"])
    assert not same({"status": "Enabled"}, {"status": "Suspended"})


def test_a_declared_resource_not_live_is_gone(registry) -> None:
    d = declared(LOG_GROUP, "app-logs", {"retention_in_days": 365}, "/app")
    drift = run(registry, [state(d)], [])
    (row,) = drift.gone
    assert (row["resource"]["id"], row["stack"]) == ("/app", "prod")
    assert "log_group_retention" in row["checks"]
    assert drift.not_seen == [] and drift.exit_code is ExitCode.OK


def test_a_type_the_audit_could_not_collect_is_never_called_gone(registry) -> None:
    d = declared(LOG_GROUP, "app-logs", {"retention_in_days": 365}, "/app")
    gaps = {LOG_GROUP: "us-east-1: AccessDenied (logs:DescribeLogGroups)"}
    drift = run(registry, [state(d)], [], gaps=gaps)
    assert drift.gone == []
    (row,) = drift.not_seen
    assert row["reason"] == f"{LOG_GROUP} could not be collected: {gaps[LOG_GROUP]}"
    assert drift.exit_code is ExitCode.NOT_EVALUATED


def test_a_type_no_collector_reads_is_not_compared(registry) -> None:
    d = declared(ROUTE, "default-route", {"destination_cidr_block": "0.0.0.0/0"}, "r-1")
    drift = run(registry, [state(d)], [])
    assert (drift.gone, drift.not_seen) == ([], [])
    assert drift.not_compared == [
        {"type": ROUTE, "count": 1, "reason": "the live audit reads no resource of this type"}
    ]


def test_a_region_the_audit_did_not_read_is_not_seen(registry) -> None:
    d = Resource(
        LOG_GROUP, "eu-logs", {}, urn="urn:pulumi:eu::b::x::eu-logs", id="/eu", region="eu-west-1"
    )
    drift = run(registry, [state(d)], [])
    assert [r["reason"] for r in drift.not_seen] == ["region eu-west-1 was not read"]


def test_live_resources_no_state_declares_are_unmanaged(registry) -> None:
    by_hand = live(BUCKET, {"bucket": "exports-by-hand"}, "exports-by-hand")
    default = live(DEFAULT_SUBNET, {"cidr_block": "172.31.0.0/20"}, "subnet-default")
    drift = run(registry, [state()], [by_hand, default])
    assert [r["resource"]["id"] for r in drift.unmanaged] == ["exports-by-hand"]
    assert "s3_bucket_sse_kms" in drift.unmanaged[0]["failing"]
    assert [r["resource"]["id"] for r in drift.made_by_aws] == ["subnet-default"]


def test_a_subnet_aws_marks_default_still_matches_its_declaration(registry) -> None:
    d = declared(SUBNET, "app-subnet", {"cidr_block": "10.0.1.0/24"}, "subnet-1")
    drift = run(
        registry, [state(d)], [live(DEFAULT_SUBNET, {"cidr_block": "10.0.1.0/24"}, "subnet-1")]
    )
    assert (drift.matched, drift.unmanaged, drift.made_by_aws, drift.gone) == (1, [], [], [])


def test_several_state_files_share_one_account(registry) -> None:
    a = declared(KEY, "docs-key", key_props(True), "k-1", KEY_ARN)
    b = declared(LOG_GROUP, "app-logs", {"retention_in_days": 365}, "/app")
    found = [
        live(KEY, key_props(True), "k-1", KEY_ARN),
        live(LOG_GROUP, {"retention_in_days": 30}, "/app"),
    ]
    drift = run(registry, [state(a), state(b, file="app.json", stack="app")], found)
    assert drift.matched == 2 and drift.unmanaged == []
    assert [s["file"] for s in drift.states] == ["prod.json", "app.json"]
    (row,) = drift.changed
    assert (row["resource"]["name"], row["declared"], row["live"]) == ("app-logs", 365, 30)


@pytest.mark.parametrize("value", [SECRET, Secret("hunter2-plaintext"), UNKNOWN])
def test_a_secret_or_unknown_value_is_not_comparable_and_never_shown(registry, value) -> None:
    d = declared(KEY, "docs-key", {**key_props(True), "policy": value}, "k-1", KEY_ARN)
    found = live(KEY, {**key_props(True), "policy": "live-policy-text"}, "k-1", KEY_ARN)
    drift = run(registry, [state(d)], [found])
    assert drift.changed == []
    (row,) = drift.not_comparable
    assert row["property"] == "policy"
    kind = "unknown" if value is UNKNOWN else "secret"
    assert row["why"] == f"the value is {kind} on one side"
    text = json.dumps(drift.as_record())
    assert "live-policy-text" not in text and "hunter2" not in text


def test_exit_codes_combine_failure_first() -> None:
    assert combined_exit(ExitCode.OK, ExitCode.FAILED) is ExitCode.FAILED
    assert combined_exit(ExitCode.NOT_EVALUATED, ExitCode.FAILED) is ExitCode.FAILED
    assert combined_exit(ExitCode.FAILED, ExitCode.NOT_EVALUATED) is ExitCode.FAILED
    assert combined_exit(ExitCode.OK, ExitCode.NOT_EVALUATED) is ExitCode.NOT_EVALUATED
    assert combined_exit(ExitCode.OK, ExitCode.OK) is ExitCode.OK


def test_the_run_shape_accepts_the_drift_section_and_names_a_wrong_key(registry) -> None:
    d = declared(KEY, "docs-key", key_props(True), "k-1", KEY_ARN)
    record = run(registry, [state(d)], [live(KEY, key_props(False), "k-1", KEY_ARN)]).as_record()
    DRIFT.check(record, "drift")  # raises when the shape is wrong
    record["changed"][0]["checks"] = "kms_key_rotation_enabled"
    with pytest.raises(Exception, match=r"drift\.changed\[0\]\.checks: expected a list"):
        DRIFT.check(record, "drift")


def test_the_markdown_has_a_table_per_kind(registry) -> None:
    d = declared(KEY, "docs-key", key_props(True), "k-1", KEY_ARN)
    gone = declared(LOG_GROUP, "app-logs", {"retention_in_days": 365}, "/app")
    found = [live(KEY, key_props(False), "k-1", KEY_ARN), live(BUCKET, {}, "by-hand")]
    drift = run(registry, [state(d, gone)], found).as_record()
    text = "\n".join(drift_lines({"drift": drift}, _text, _code))
    assert (
        "| Key `docs-key` (`k-1`) | `enable_key_rotation` | `true` | `false` | "
        "`kms_key_rotation_enabled` ⛔ now fails |"
    ) in text
    assert "| LogGroup `app-logs` (`/app`) | `prod` |" in text
    assert "| Bucket `by-hand` |" in text
    assert drift_lines({}, _text, _code) == []


def test_a_malformed_export_is_one_line_naming_the_file_and_exit_2(tmp_path, capsys) -> None:
    from scripts.cli import main

    bad = tmp_path / "stack.json"
    bad.write_text('{"version": 3, "deployment": {"resources": [{"urn": "nope"}]}}')
    code = main(["drift", "--state", str(bad), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == ExitCode.INPUT
    assert err.count("\n") == 1
    assert err.startswith(f"safeguard: error: {bad}: deployment.resources[0]: 'urn'")


# -- held against a hostile review -----------------------------------------------------------

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"},
                   "Action": "kms:Decrypt", "Resource": "*"}],
}  # fmt: skip


def test_a_key_added_inside_a_live_policy_is_drift(registry) -> None:
    widened = json.loads(json.dumps(POLICY))
    widened["Statement"][0]["Principal"]["AWS"] = "arn:aws:iam::666666666666:root"
    d = declared(KEY, "logs-key", {**key_props(True), "policy": json.dumps(POLICY)}, "k-1", KEY_ARN)
    lv = live(KEY, {**key_props(True), "policy": json.dumps(widened)}, "k-1", KEY_ARN)
    (row,) = run(registry, [state(d)], [lv]).changed
    assert row["property"] == "policy"
    assert row["live"]["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::666666666666:root"
    assert same({"Statement": [{"Effect": "Deny"}]}, {"Statement": {"Effect": "Deny"}})


def test_a_tag_added_by_hand_is_drift_and_a_secret_named_tag_hides_its_value(registry) -> None:
    d = declared(KEY, "docs-key", {**key_props(True), "tags": {"owner": "billing"}}, "k-1", KEY_ARN)
    tags = {"owner": "billing", "db_password": "Hunter2-TopSecret-9f8e7d"}
    lv = live(KEY, {**key_props(True), "tags": tags}, "k-1", KEY_ARN)
    drift = run(registry, [state(d)], [lv])
    (row,) = drift.changed
    assert row["property"] == "tags"
    assert row["live"] == {"owner": "billing", "db_password": "[secret]"}
    assert "Hunter2" not in json.dumps(drift.as_record())


def test_a_namesake_in_another_account_is_not_the_resource(registry) -> None:
    other = Resource(
        LOG_GROUP, "app", {"retention_in_days": 365}, urn="urn:pulumi:prod::billing::x::app",
        id="app", source="state", account="999999999999", region="us-east-1",
    )  # fmt: skip
    lv = live(LOG_GROUP, {"retention_in_days": 1}, "app")
    drift = run(registry, [state(other)], [lv])
    assert drift.matched == 0 and not drift.changed
    assert drift.not_seen[0]["reason"] == "account 999999999999 was not read"
    assert drift.exit_code is ExitCode.NOT_EVALUATED


def test_a_resource_declared_twice_is_compared_once_and_said(registry) -> None:
    d = declared(KEY, "docs-key", key_props(True), "k-1", KEY_ARN)
    lv = live(KEY, key_props(False), "k-1", KEY_ARN)
    drift = run(registry, [state(d), state(d, file="again.json")], [lv])
    assert drift.matched == 1 and len(drift.changed) == 1
    assert drift.as_record()["declared_twice"][0]["files"] == ["prod.json", "again.json"]


def test_two_targets_pointing_at_one_topic_are_not_one_resource_declared_twice(registry) -> None:
    token = "aws:cloudwatch/eventTarget:EventTarget"
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
    first = declared(token, "root-use", {"rule": "root-use", "arn": topic}, "root-use-sns", topic)
    second = declared(
        token, "sg-change", {"rule": "sg-change", "arn": topic}, "sg-change-sns", topic
    )
    drift = run(registry, [state(first, second)], [])
    assert drift.duplicates == []
    # The same export given twice still is.
    again = run(registry, [state(first), state(first, file="copy.json")], [])
    assert [d["files"] for d in again.duplicates] == [["prod.json", "copy.json"]]
