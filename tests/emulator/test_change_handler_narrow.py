"""The change-triggered audit reads only the changed resource where a collector can (a bucket, a
security group, a KMS key, a database), and the whole type when the narrow read cannot settle
the change. A narrow read must only save calls: the findings are those a full read gives."""

from __future__ import annotations

import json
from typing import Any

import pytest

import scripts.handler.entry as entry
from checks.sources.aws.emulator import EMULATED_ACCOUNT
from scripts.handler.entry import handle
from tests.emulator.test_change_handler import (
    bucket_encryption_deleted,
    database_made_public,
    key_rotation_disabled,
    open_database_port,
    recorded,
    trail_stopped,
)

NARROWABLE = {
    "AuthorizeSecurityGroupIngress": open_database_port,
    "ModifyDBInstance": database_made_public,
    "DisableKeyRotation": key_rotation_disabled,
}


FEWER_CALLS = ("DisableKeyRotation",)


@pytest.fixture
def account(aws, monkeypatch):
    """The emulated account with other resources of every narrowable type beside the change."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)
    monkeypatch.delenv(entry.TOPIC_VARIABLE, raising=False)
    s3, kms, ec2 = aws.client("s3"), aws.client("kms"), aws.client("ec2")
    for n in range(4):
        s3.create_bucket(Bucket=f"bystander-{n}")
        kms.create_key(Description=f"bystander {n}")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    for n in range(4):
        ec2.create_security_group(GroupName=f"bystander-{n}", Description="x", VpcId=vpc)
    return aws


def _verdicts(answer: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["check"], f["status"], f["resource"]) for f in answer["findings"])


def _read_whole(monkeypatch) -> None:
    monkeypatch.setattr(entry, "narrowing", lambda change: {})


@pytest.mark.parametrize("name", list(NARROWABLE))
def test_a_narrow_read_gives_the_full_reads_findings_with_fewer_calls(account, monkeypatch, name):
    scenario = NARROWABLE[name](account)
    narrow = handle(json.loads(json.dumps(scenario.event)), None)
    with monkeypatch.context() as patch:
        _read_whole(patch)
        whole = handle(json.loads(json.dumps(scenario.event)), None)

    assert narrow["read_narrowly"] is True
    assert whole["read_narrowly"] is False
    assert narrow["status"] == whole["status"] == "audited"
    assert _verdicts(narrow) == _verdicts(whole)
    assert (scenario.check, "FAIL", scenario.resource) in _verdicts(narrow)
    # Four bystander buckets and keys are not read; a group or a database is one call either way.
    calls = (narrow["api_calls"], whole["api_calls"])
    assert calls[0] < calls[1] if name in FEWER_CALLS else calls[0] == calls[1], calls
    # The rest of the type, deliberately not read, is no gap worth naming.
    assert narrow["not_collected"] == whole["not_collected"] == {}


def _governed_bucket(aws, name: str) -> None:
    """A bucket whose checks need no other bucket: classified internal (an ePHI or unclassified
    bucket's data-events check first asks whether any other bucket logs into it, which only a
    read of every bucket tells), encrypted with a key of the account, access-logged into
    another bucket, its object events recorded by a logging trail."""
    s3, kms, ct = aws.client("s3"), aws.client("kms"), aws.client("cloudtrail")
    for bucket in (name, "access-logs", "trail-logs"):
        s3.create_bucket(Bucket=bucket)
    internal = {"TagSet": [{"Key": "data-classification", "Value": "internal"}]}
    s3.put_bucket_tagging(Bucket=name, Tagging=internal)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": default}]})  # fmt: skip
    delivery = 'uri="http://acs.amazonaws.com/groups/s3/LogDelivery"'
    s3.put_bucket_acl(Bucket="access-logs", GrantWrite=delivery, GrantReadACP=delivery)
    s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": f"{name}/"}})  # fmt: skip
    ct.create_trail(Name="audit", S3BucketName="trail-logs", IsMultiRegionTrail=True)
    ct.put_event_selectors(TrailName="audit", EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])  # fmt: skip
    ct.start_logging(Name="audit")


def test_a_governed_bucket_made_public_is_read_alone_with_the_full_reads_findings(
    account, monkeypatch
):
    _governed_bucket(account, "claims-archive")
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "PartnerRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::claims-archive/*"}]}  # fmt: skip
    account.client("s3").put_bucket_policy(Bucket="claims-archive", Policy=json.dumps(policy))
    event = recorded("put_bucket_policy", bucketName="claims-archive", bucketPolicy=policy)

    narrow = handle(json.loads(json.dumps(event)), None)
    with monkeypatch.context() as patch:
        _read_whole(patch)
        whole = handle(json.loads(json.dumps(event)), None)

    assert narrow["read_narrowly"] is True
    assert _verdicts(narrow) == _verdicts(whole)
    bucket = "arn:aws:s3:::claims-archive"
    assert ("s3_bucket_policy_not_public", "FAIL", bucket) in _verdicts(narrow)
    assert {f["resource"] for f in narrow["findings"]} == {bucket}
    # Six other buckets' dozen settings each are not read.
    assert narrow["api_calls"] < whole["api_calls"] - 30, (narrow["api_calls"], whole["api_calls"])


def test_an_ungoverned_bucket_needs_every_bucket_to_be_judged(account):
    """Whether an unencrypted, unlogged bucket is exempt as a log destination depends on every
    other bucket's logging: the narrow read cannot tell, so the whole type is read."""
    scenario = bucket_encryption_deleted(account)
    answer = handle(scenario.event, None)
    assert answer["read_narrowly"] is False
    assert (scenario.check, "FAIL", scenario.resource) in _verdicts(answer)


def test_a_type_no_collector_narrows_is_read_whole(account):
    answer = handle(trail_stopped(account).event, None)
    assert answer["read_narrowly"] is False
    assert answer["status"] == "audited"


def test_a_check_needing_every_bucket_makes_the_handler_read_them_all(account):
    """An ePHI bucket that receives another bucket's access logs is exempt from logging its own
    access: telling that needs every bucket's logging, so the narrow read cannot decide and
    the handler reads the type whole (never FAILs the log bucket on a narrow view)."""
    s3 = account.client("s3")
    tags = {"TagSet": [{"Key": "data-classification", "Value": "ephi"}]}
    for name in ("phi-logs", "phi-claims"):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_tagging(Bucket=name, Tagging=tags)
    delivery = 'uri="http://acs.amazonaws.com/groups/s3/LogDelivery"'
    s3.put_bucket_acl(Bucket="phi-logs", GrantWrite=delivery, GrantReadACP=delivery)
    logging = {"LoggingEnabled": {"TargetBucket": "phi-logs", "TargetPrefix": "claims/"}}
    s3.put_bucket_logging(Bucket="phi-claims", BucketLoggingStatus=logging)
    s3.delete_bucket_encryption(Bucket="phi-logs")
    event = recorded("delete_bucket_encryption", bucketName="phi-logs")

    answer = handle(event, None)
    with pytest.MonkeyPatch.context() as patch:
        _read_whole(patch)
        whole = handle(recorded("delete_bucket_encryption", bucketName="phi-logs"), None)

    assert answer["read_narrowly"] is False  # the narrow read was tried, then the whole type
    logging_verdicts = [
        (f["status"], f["message"]) for f in answer["findings"]
        if f["check"] == "s3_bucket_access_logging"
    ]  # fmt: skip
    assert logging_verdicts == [
        ("NOT_APPLICABLE", "the bucket is itself an access-log destination")
    ]
    assert _verdicts(answer) == _verdicts(whole)
    # Both reads are counted: the narrow one that could not decide, then the whole one.
    assert answer["api_calls"] > whole["api_calls"]


def test_a_changed_resource_named_nowhere_is_still_said_unjudged(account):
    event = recorded("put_bucket_policy", bucketName="no-such-bucket", bucketPolicy={})
    answer = handle(event, None)
    assert answer["status"] == "not_evaluated"
    assert answer["resource_seen"] is False
    assert answer["why"] == "the changed resource was not found where the event says it is"


def test_a_security_group_named_instead_of_given_by_id_is_found(account):
    ec2 = account.client("ec2")
    found = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    default_vpc = found[0]["VpcId"] if found else ec2.create_default_vpc()["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="x", VpcId=default_vpc)
    rule = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}  # fmt: skip
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[rule])
    event = recorded("authorize_security_group_ingress", groupName="web")
    event["detail"]["requestParameters"].pop("groupId", None)

    answer = handle(event, None)
    arn = f"arn:aws:ec2:us-east-1:{EMULATED_ACCOUNT}:security-group/{group['GroupId']}"
    assert answer["read_narrowly"] is True
    assert ("sg_no_internet_admin_ports", "FAIL", arn) in _verdicts(answer)
