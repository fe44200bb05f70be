"""The Systems Manager collectors: parameters are read by their metadata only (never a value),
in the shape the Pulumi sources give, and judged by the secrets check; the managed-instance and
patch facts of EC2-03 are read as AWS answers them, and are NOT_EVALUATED where the emulator
cannot answer."""

from __future__ import annotations

import datetime as dt

import boto3
from botocore.stub import Stubber

from checks.registry import Status
from checks.sources.aws.services import ec2_network, ssm
from checks.sources.aws.services.ssm import MANAGED_INSTANCE, PARAMETER
from tests.emulator.live_audit import (
    audit,
    by_id,
    collect,
    deny,
    findings,
    program_resources,
    record_calls,
    run_with,
    shape_differences,
    verdicts,
)

(PARAMETERS,) = [c for c in ssm.COLLECTORS if c.types == (PARAMETER,)]
(MANAGED,) = [c for c in ssm.COLLECTORS if c.types == (MANAGED_INSTANCE,)]
TOKEN_VALUE = "tok-4f1d9a-never-read"
PASSWORD_VALUE = "pw-8c2e77-never-read"


def _parameters(aws) -> str:
    """A SecureString token, a password stored as plain String (the console change), and a
    parameter that holds no secret. Returns the customer key's ARN."""
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    client = aws.client("ssm")
    client.put_parameter(Name="/claims/clearinghouse/api-token", Value=TOKEN_VALUE,
                         Type="SecureString", KeyId=key)  # fmt: skip
    client.put_parameter(Name="/claims/db/password", Value=PASSWORD_VALUE, Type="String")
    client.put_parameter(Name="/claims/feature-flags", Value="batch=on", Type="StringList")
    return key


def test_parameters_are_read_by_their_metadata_in_the_programs_shape(aws, monkeypatch):
    key = _parameters(aws)
    calls = record_calls(monkeypatch)
    collected = collect(aws, [PARAMETERS])
    assert collected.gaps == {}
    assert set(calls) == {"ssm:DescribeParameters"}  # never GetParameter(s), never a value
    assert TOKEN_VALUE not in repr(collected.resources)
    assert PASSWORD_VALUE not in repr(collected.resources)
    token = by_id(collected, "/claims/clearinghouse/api-token")
    assert token.props == {"name": "/claims/clearinghouse/api-token", "type": "SecureString",
                           "key_id": key, "tier": "Standard", "data_type": "text"}  # fmt: skip
    assert token.arn == (
        "arn:aws:ssm:us-east-1:123456789012:parameter/claims/clearinghouse/api-token"
    )
    (program,) = [r for r in program_resources() if r.type == PARAMETER]
    # The value is never read; tags are not read (no check needs them, and each is a call).
    assert sorted(shape_differences(program.props, token.props)) == [
        "tags: missing",
        "value: missing",
    ]


def test_a_secret_kept_as_a_plain_string_fails(aws):
    _parameters(aws)
    judged = verdicts(audit(aws, [PARAMETERS]), "ssm_parameter_secrets_secure")
    assert judged == {
        "/claims/clearinghouse/api-token": Status.PASS,
        "/claims/db/password": Status.FAIL,
        "/claims/feature-flags": Status.NOT_APPLICABLE,
    }


def test_a_refused_call_hides_only_the_parameters(aws, monkeypatch):
    _parameters(aws)
    collectors = [PARAMETERS, *ec2_network.COLLECTORS]
    before = audit(aws, collectors)
    deny(monkeypatch, "ssm", "DescribeParameters")
    after = audit(aws, collectors)
    (finding,) = findings(after, "ssm_parameter_secrets_secure")
    assert finding.status is Status.NOT_EVALUATED and finding.resource is None
    assert "access denied to DescribeParameters (AccessDenied)" in finding.message
    assert set(after.inventory.gaps) == {PARAMETER}

    def others(evaluation):
        return sorted(
            (f.check.id, f.resource.address if f.resource else "", f.status.value)
            for f in evaluation.findings
            if f.check.id != "ssm_parameter_secrets_secure"
        )

    assert others(before) == others(after) and others(before)


def test_managed_instances_and_patch_states_are_read_as_aws_answers_them():
    client = boto3.client("ssm", region_name="us-east-1", aws_access_key_id="stub",
                          aws_secret_access_key="stub")  # fmt: skip
    stub = Stubber(client)
    seen = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
    stub.add_response("describe_instance_information", {"InstanceInformationList": [
        {"InstanceId": "i-0abc", "PingStatus": "Online", "LastPingDateTime": seen,
         "AgentVersion": "3.3.987.0", "IsLatestVersion": True, "PlatformType": "Linux",
         "PlatformName": "Amazon Linux", "PlatformVersion": "2023", "ResourceType": "EC2Instance",
         "ComputerName": "ip-10-40-1-4.ec2.internal", "IPAddress": "10.40.1.4"},
        {"InstanceId": "i-0def", "PingStatus": "ConnectionLost", "ResourceType": "EC2Instance"},
    ]})  # fmt: skip
    stub.add_response(
        "describe_instance_patch_states",
        {"InstancePatchStates": [
            {"InstanceId": "i-0abc", "PatchGroup": "billing", "BaselineId": "pb-0123456789abcdef0",
             "OwnerInformation": "billing-platform", "MissingCount": 2, "FailedCount": 0,
             "InstalledCount": 41, "CriticalNonCompliantCount": 1, "Operation": "Scan",
             "OperationStartTime": seen, "OperationEndTime": seen},
        ]},
        {"InstanceIds": ["i-0abc", "i-0def"]},
    )  # fmt: skip
    with stub:
        found = {r.id: r for r in run_with(MANAGED, client)}
    stub.assert_no_pending_responses()
    online, lost = found["i-0abc"], found["i-0def"]
    assert online.type == MANAGED_INSTANCE and online.region == "us-east-1"
    assert online.props == {
        "instance_id": "i-0abc", "resource_type": "EC2Instance", "ping_status": "Online",
        "last_ping_date_time": "2026-12-01T08:30:00+00:00", "agent_version": "3.3.987.0",
        "is_latest_version": True, "platform_type": "Linux", "platform_name": "Amazon Linux",
        "platform_version": "2023",
        "patch_state": {
            "patch_group": "billing", "baseline_id": "pb-0123456789abcdef0", "operation": "Scan",
            "operation_start_time": "2026-12-01T08:30:00+00:00",
            "operation_end_time": "2026-12-01T08:30:00+00:00", "installed_count": 41,
            "missing_count": 2, "failed_count": 0, "critical_non_compliant_count": 1,
        },
    }  # fmt: skip
    # No host name, address or owner text is kept; a node never patched says so.
    assert "ip-10-40" not in repr(online.props) and "billing-platform" not in repr(online.props)
    assert lost.props == {"instance_id": "i-0def", "resource_type": "EC2Instance",
                          "ping_status": "ConnectionLost", "patch_state": None}  # fmt: skip


def test_moto_does_not_answer_for_managed_instances_so_they_are_a_gap(aws):
    collected = collect(aws, [MANAGED])
    assert collected.resources == ()
    assert collected.gaps == {
        MANAGED_INSTANCE: "us-east-1 (123456789012): the endpoint does not implement "
        "DescribeInstanceInformation (500)"
    }
