"""The CrossGuard pack: policies built from the check registry, validated the way the policy SDK's
analyzer calls them (properties deserialized and wrapped in its unknown-checking proxy)."""

from __future__ import annotations

import dataclasses
import json
import re
import runpy
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
import yaml
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status, passed
from checks.sources.state import load_state
from policies.crossguard.pack import (
    NotKnownDuringPreview,
    build_policies,
    resource_validation,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pulumi"
CMK = "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
DB_URN = "urn:pulumi:dev::billing::aws:rds/instance:Instance::phi-db"
PROVIDER_URN = "urn:pulumi:dev::billing::pulumi:providers:aws::default_7_51_1"

INSECURE_DB = {
    "allocatedStorage": 20,
    "backupRetentionPeriod": 1,
    "deletionProtection": False,
    "engine": "postgres",
    "engineVersion": "16.3",
    "instanceClass": "db.t4g.micro",
    "password": "plaintext-as-the-analyzer-receives-it",
    "publiclyAccessible": True,
    "storageEncrypted": False,
}
SECURE_DB = {
    **INSECURE_DB,
    "backupRetentionPeriod": 35,
    "deletionProtection": True,
    "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
    "iamDatabaseAuthenticationEnabled": True,
    "kmsKeyId": CMK,
    "monitoringInterval": 60,
    "monitoringRoleArn": "arn:aws:iam::111122223333:role/rds-monitoring",
    "publiclyAccessible": False,
    "storageEncrypted": True,
    "tags": {"data-classification": "ePHI"},
}


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def _provider() -> PolicyProviderResource:
    props = unknown_checking_proxy({"region": "us-east-1", "version": "7.51.1"})
    return PolicyProviderResource("pulumi:providers:aws", props, PROVIDER_URN, "default_7_51_1")


def resource_args(type_: str, props: dict[str, Any], urn: str = DB_URN) -> ResourceValidationArgs:
    """Arguments as the analyzer builds them from the engine's request."""
    wrapped = unknown_checking_proxy(deserialize_properties(props))
    return ResourceValidationArgs(
        type_, wrapped, urn, urn.rsplit("::", 1)[1], _opts(), _provider(), None, {}
    )


def stack_args(resources: list[tuple[str, str, dict[str, Any]]]) -> StackValidationArgs:
    return StackValidationArgs(
        [
            PolicyResource(
                type_,
                unknown_checking_proxy(deserialize_properties(props)),
                urn,
                urn.rsplit("::", 1)[1],
                _opts(),
                _provider(),
                None,
                [],
                {},
            )
            for urn, type_, props in resources
        ]
    )


def run_resource_policies(policies, args) -> dict[str, list[str]]:
    """Violation messages by policy name."""
    found: dict[str, list[str]] = {}
    for policy in policies:
        if isinstance(policy, ResourceValidationPolicy):

            def report(message: str, urn: str | None = None, name: str = policy.name) -> None:
                found.setdefault(name, []).append(message)

            policy.validate(args, report)
    return found


def run_stack_policies(policies, args) -> list[tuple[str, str | None]]:
    """(check id, urn) of every stack violation."""
    found: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        check_id = re.search(r"check (\w+)\)", message) or re.match(r"(\w+):", message)
        found.append((check_id.group(1), urn))

    for policy in policies:
        if isinstance(policy, StackValidationPolicy):
            policy.validate(args, report)
    return found


LEVELS = ("mandatory", "advisory")


@pytest.fixture(scope="module")
def policies():
    return build_policies()


# -- resource policies -----------------------------------------------------------------------


def test_insecure_instance_is_reported_with_observed_values_and_citations(policies):
    found = run_resource_policies(policies, resource_args("aws:rds/instance:Instance", INSECURE_DB))
    assert {
        "rds_storage_encrypted_cmk",
        "rds_instance_not_public",
        "rds_backup_retention_7_days",
        "rds_instance_deletion_protection",
    } <= set(found)
    (message,) = found["rds_storage_encrypted_cmk"]
    assert message.startswith("Storage is not encrypted at rest.")
    assert "Observed: storage_encrypted=False, kms_key_id=None." in message
    assert "HIPAA 45 CFR 164.312(a)(2)(iv), 164.312(e)(2)(ii)" in message
    assert "plaintext-as-the-analyzer-receives-it" not in json.dumps(found)


def test_secure_instance_has_no_violation(policies):
    found = run_resource_policies(policies, resource_args("aws:rds/instance:Instance", SECURE_DB))
    assert found == {}


def test_other_resource_types_are_left_alone(policies):
    bucket = resource_args("aws:s3/bucket:Bucket", {"bucket": "b"}, "urn:pulumi:d::p::t::b")
    rds_policies = [p for p in policies if p.name.startswith("rds_")]
    assert run_resource_policies(rds_policies, bucket) == {}


def test_unknown_value_during_preview_is_an_advisory_message_not_a_pass(policies):
    policy = next(p for p in policies if p.name == "rds_storage_encrypted_cmk")
    props = {**SECURE_DB, "kmsKeyId": UNKNOWN_STRING_VALUE}
    reported: list[str] = []
    with pytest.raises(UnknownValueError) as err:
        policy.validate(
            resource_args("aws:rds/instance:Instance", props), lambda m, u=None: reported.append(m)
        )
    assert isinstance(err.value, NotKnownDuringPreview)
    assert "kms_key_id of phi-db is not known yet" in err.value.message
    assert "never a pass" in err.value.message
    assert reported == []


def test_aurora_member_is_not_applicable(policies):
    policy = next(p for p in policies if p.name == "rds_storage_encrypted_cmk")
    props = {**INSECURE_DB, "clusterIdentifier": "aurora-1"}
    with pytest.raises(Exception) as err:  # noqa: B017 - the SDK's exception is private
        policy.validate(resource_args("aws:rds/instance:Instance", props), lambda m, u=None: None)
    assert type(err.value).__name__ == "_NotApplicableError"
    assert "cluster's setting decides" in err.value.reason


def test_a_check_that_reaches_past_its_resource_is_reported_not_passed():
    def needs_key(res, inv):
        key = inv.get(res.props.get("kms_key_id"), "aws:kms/key:Key")
        return passed(f"key {key.name} exists")

    rds = build_registry().get("rds_storage_encrypted_cmk")
    chk = dataclasses.replace(rds, id="rds_key_exists", fn=needs_key)
    reported: list[str] = []
    validate = resource_validation(chk)
    validate(
        resource_args("aws:rds/instance:Instance", SECURE_DB), lambda m, u=None: reported.append(m)
    )
    assert len(reported) == 1
    assert "could not be evaluated" in reported[0] and "cannot see" in reported[0]


# -- stack policies, and the same verdicts as the scanner ------------------------------------


def _state_resources(part: str) -> list[tuple[str, str, dict[str, Any]]]:
    doc = json.loads((FIXTURES / "state_same_verdict.json").read_text())
    return [
        (r["urn"], r["type"], r.get(part, {}))
        for r in doc["deployment"]["resources"]
        if r["custom"] and not r["type"].startswith("pulumi:")
    ]


def test_stack_policies_report_join_failures_on_the_right_resource(policies):
    found = run_stack_policies(policies, stack_args(_state_resources("outputs")))
    bucket = "urn:pulumi:dev::verdict::aws:s3/bucket:Bucket::verdict-records"
    assert ("s3_bucket_versioning_enabled", bucket) in found
    assert ("s3_bucket_sse_kms", bucket) not in found
    assert ("s3_bucket_tls_only", bucket) not in found


def test_undecided_joins_during_preview_are_advisory_messages(policies):
    doc = json.loads((FIXTURES / "preview_first_create.json").read_text())
    planned = [
        (step["urn"], step["newState"]["type"], step["newState"].get("inputs", {}))
        for step in doc["steps"]
        if step["newState"]["custom"] and not step["newState"]["type"].startswith("pulumi:")
    ]
    mandatory = next(p for p in policies if p.name == "hipaa_stack_mandatory")
    reported: list[str] = []
    with pytest.raises(NotKnownDuringPreview) as err:
        mandatory.validate(stack_args(planned), lambda m, u=None: reported.append(m))
    assert "s3_bucket_sse_kms: logs-bucket: could not be evaluated" in err.value.message
    assert "names a bucket not known yet" in err.value.message
    # failures that are decided are still reported, before the advisory message
    assert not any("check s3_bucket_sse_kms)" in m for m in reported)


def test_the_pack_fails_exactly_what_the_scanner_fails(policies):
    scanner = {
        (f.check.id, f.resource.urn if f.resource else None)
        for f in evaluate(
            Inventory(load_state(FIXTURES / "state_same_verdict.json").resources), build_registry()
        ).findings
        if f.status is Status.FAIL
    }
    pack: set[tuple[str, str | None]] = set()
    for urn, type_, inputs in _state_resources("inputs"):
        for name in run_resource_policies(policies, resource_args(type_, inputs, urn)):
            pack.add((name, urn))
    pack |= set(run_stack_policies(policies, stack_args(_state_resources("outputs"))))
    # Stack policies see only outputs (all the engine gives them); the bucket's computed
    # `grants` output holds the owner's own FULL_CONTROL grant, which is not a declared ACL.
    assert pack == scanner
    assert (
        "rds_storage_encrypted_cmk",
        "urn:pulumi:dev::verdict::aws:rds/instance:Instance::verdict-db",
    ) in pack


# -- the pack folder ---------------------------------------------------------------------------


def test_pack_project_file_and_entry_point(monkeypatch):
    project = yaml.safe_load((REPO / "policies" / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    venv = REPO / "policies" / project["runtime"]["options"]["virtualenv"]
    assert (venv / "bin" / "python").exists()
    assert project["description"]

    served: dict[str, Any] = {}

    class FakePack:
        def __init__(self, **kwargs: Any) -> None:
            served.update(kwargs)

    monkeypatch.setattr(pulumi_policy, "PolicyPack", FakePack)
    runpy.run_path(str(REPO / "policies" / "__main__.py"), run_name="__main__")
    assert served["name"] == "hipaa-safeguard"
    assert {p.name for p in served["policies"]} >= {
        "rds_storage_encrypted_cmk",
        "hipaa_stack_mandatory",
    }


def test_the_pack_serves_its_policies_as_the_cli_starts_it():
    """`python -m pulumi.policy <engine> .` in the pack folder, as pulumi-analyzer-policy-python
    runs it; then the engine's two calls: GetAnalyzerInfo and Analyze."""
    from google.protobuf import empty_pb2, json_format, struct_pb2
    from pulumi.runtime.proto import analyzer_pb2

    from tests.unit.test_crossguard_analyze import served_pack

    with served_pack() as analyzer:
        info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
        assert info.name == "hipaa-safeguard"
        assert "rds_storage_encrypted_cmk" in {p.name for p in info.policies}
        props = json_format.ParseDict(INSECURE_DB, struct_pb2.Struct())
        response = analyzer.Analyze(
            analyzer_pb2.AnalyzeRequest(
                urn=DB_URN, type="aws:rds/instance:Instance", name="phi-db", properties=props
            ),
            timeout=30,
        )
    by_policy = {d.policyName: d for d in response.diagnostics}
    assert by_policy["rds_storage_encrypted_cmk"].enforcementLevel == analyzer_pb2.MANDATORY
    assert "Observed: storage_encrypted=False" in by_policy["rds_storage_encrypted_cmk"].message
