"""The S3 collectors against the emulator: buckets and the companions pulumi_aws splits off them
collect with the props the program scan gives, a secure bucket passes, each console change fails
the right check naming the bucket, and a call denied for one bucket hides only that bucket's
checks that needed it."""

from __future__ import annotations

import json

import pytest

from checks.model import Resource
from checks.registry import Status
from checks.sources.aws.services import s3 as s3_collectors
from checks.sources.aws.services.s3_settings import (
    ACCOUNT_PUBLIC_ACCESS_BLOCK,
    BUCKET,
    ENCRYPTION,
    LIFECYCLE,
    LOGGING,
    OBJECT_LOCK,
    OWNERSHIP,
    POLICY,
    PUBLIC_ACCESS_BLOCK,
    REPLICATION,
    VERSIONING,
)
from checks.sources.aws.session import AwsOptions, accounts
from tests.emulator.datastore_checks import by_name, deny_when, message, sdk_name_errors
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"
DOCS = f"hipaa-billing-prod-documents-{ACCOUNT}"
LOGS = f"hipaa-billing-prod-access-logs-{ACCOUNT}"
COLLECTORS = s3_collectors.COLLECTORS
BUCKET_CHECKS = (
    "s3_bucket_sse_kms",
    "s3_bucket_versioning_enabled",
    "s3_bucket_public_access_blocked",
    "s3_bucket_tls_only",
    "s3_bucket_acls_disabled",
    "s3_bucket_policy_not_public",
    "s3_bucket_access_logging",
    "s3_bucket_lifecycle_or_replication",
    "s3_audit_bucket_object_lock",
    "s3_bucket_data_events_logged",
    "data_store_classification_tagged",
)
# What a program gives that AWS does not keep (an input of the provider's delete), and what the
# emulator drops (it keeps no TargetObjectKeyFormat of a bucket's logging).
NOT_READ_BACK = {BUCKET: {"force_destroy"}, LOGGING: {"target_object_key_format"}}


def _tls_deny(name: str) -> dict:
    arn = f"arn:aws:s3:::{name}"
    return {
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }  # fmt: skip


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PUBLIC_READ = {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
               "Resource": f"arn:aws:s3:::{DOCS}/*"}  # fmt: skip
LOG_DELIVERY = {
    "Sid": "S3ServerAccessLogDelivery", "Effect": "Allow", "Action": "s3:PutObject",
    "Principal": {"Service": "logging.s3.amazonaws.com"},
    "Resource": f"arn:aws:s3:::{LOGS}/*",
    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
}  # fmt: skip
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}  # fmt: skip


def s3control(aws):
    """The framework's own S3 Control client (it reaches the emulator's host as it is)."""
    return accounts(AwsOptions(endpoint_url=aws.endpoint))[0].client("s3control", "us-east-1")


def _harden(s3, name: str, encryption: dict, policy: list | None, *lifecycle: dict) -> None:
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [encryption]})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=BLOCK_ALL)
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    if policy is not None:
        s3.put_bucket_policy(Bucket=name, Policy=_policy(_tls_deny(name), *policy))
    s3.put_bucket_lifecycle_configuration(
        Bucket=name, LifecycleConfiguration={"Rules": list(lifecycle)}
    )


@pytest.fixture
def secured(aws):
    """The billing program's documents bucket and its access-log bucket, deployed by hand as
    the program declares them, and the account's public access block fully on."""
    s3 = aws.client("s3")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    tags = [{"Key": "data-classification", "Value": "internal"}]
    s3.create_bucket(Bucket=LOGS)
    s3.put_bucket_policy(Bucket=LOGS, Policy=_policy(LOG_DELIVERY))
    _harden(
        s3, LOGS, {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                   "BucketKeyEnabled": False},
        None,
        {"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": ""},
         "Expiration": {"Days": 2192}, "NoncurrentVersionExpiration": {"NoncurrentDays": 30}},
        {"ID": "abort-incomplete-uploads", "Status": "Enabled", "Filter": {"Prefix": ""},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
    )  # fmt: skip
    s3.put_bucket_tagging(Bucket=LOGS, Tagging={"TagSet": tags})
    s3.create_bucket(Bucket=DOCS)
    _harden(
        s3, DOCS, {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                   "KMSMasterKeyID": key}, "BucketKeyEnabled": True},
        [],
        {"ID": "superseded-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
         "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}],
         "NoncurrentVersionExpiration": {"NoncurrentDays": 2192}},
        {"ID": "abort-incomplete-uploads", "Status": "Enabled", "Filter": {"Prefix": ""},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
    )  # fmt: skip
    s3.put_bucket_logging(
        Bucket=DOCS,
        BucketLoggingStatus={"LoggingEnabled": {
            "TargetBucket": LOGS, "TargetPrefix": "s3-access/documents/",
            "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}},
        }},
    )  # fmt: skip
    s3.put_bucket_tagging(
        Bucket=DOCS, Tagging={"TagSet": [{"Key": "data-classification", "Value": "ePHI"}]}
    )
    # The emulator reads a log bucket's policy to allow logging into it, and cannot read one
    # with a "*" principal: the TLS statement joins it once the logging is set.
    s3.put_bucket_policy(Bucket=LOGS, Policy=_policy(_tls_deny(LOGS), LOG_DELIVERY))
    s3control(aws).put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration=BLOCK_ALL
    )
    return aws


def _on(collected, token: str, bucket: str) -> Resource:
    (found,) = [r for r in collected.resources if r.type == token and r.id == bucket]
    return found


def test_buckets_collect_as_the_program_declares_them(secured):
    collected = collect(secured, COLLECTORS)
    assert collected.gaps == {}
    program = program_resources("prod")
    for token in (BUCKET, ENCRYPTION, VERSIONING, PUBLIC_ACCESS_BLOCK, POLICY, LOGGING,
                  OWNERSHIP, LIFECYCLE):  # fmt: skip
        declared = next(r for r in program if r.type == token and DOCS in (r.id, r.name))
        live = _on(collected, token, DOCS)
        skip = NOT_READ_BACK.get(token, set())
        props = {k: v for k, v in declared.props.items() if k not in skip}
        assert shape_differences(props, live.props) == [], token
    assert [e for r in collected.resources for e in sdk_name_errors(r)] == []
    bucket = _on(collected, BUCKET, DOCS)
    assert (bucket.arn, bucket.region, bucket.account) == (f"arn:aws:s3:::{DOCS}", "us-east-1",
                                                           ACCOUNT)  # fmt: skip
    assert bucket.props["tags"] == {"data-classification": "ePHI"}
    assert bucket.props["object_lock_enabled"] is False
    assert [g["permissions"] for g in bucket.props["grants"]] == [["FULL_CONTROL"]]
    rules = _on(collected, ENCRYPTION, DOCS).props["rules"]
    assert rules[0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    assert rules[0]["bucket_key_enabled"] is True
    assert _on(collected, LOGGING, DOCS).props["target_bucket"] == LOGS
    (account_block,) = [r for r in collected.resources if r.type == ACCOUNT_PUBLIC_ACCESS_BLOCK]
    assert account_block.props == {"account_id": ACCOUNT, "block_public_acls": True,
                                   "ignore_public_acls": True, "block_public_policy": True,
                                   "restrict_public_buckets": True}  # fmt: skip


def test_the_secure_buckets_pass(secured):
    evaluation = audit(secured, COLLECTORS)
    for check in BUCKET_CHECKS[:8]:
        assert by_name(evaluation, check)[DOCS] is Status.PASS, check
    assert by_name(evaluation, "s3_bucket_sse_kms")[LOGS] is Status.PASS  # a log destination
    assert by_name(evaluation, "s3_bucket_access_logging")[LOGS] is Status.NOT_APPLICABLE
    assert by_name(evaluation, "s3_account_public_access_block") == {ACCOUNT: Status.PASS}


def _replace_policy(*statements):
    return lambda s3: s3.put_bucket_policy(Bucket=DOCS, Policy=_policy(*statements))


def _public_acl(s3):
    s3.put_bucket_ownership_controls(
        Bucket=DOCS, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    s3.put_bucket_acl(Bucket=DOCS, ACL="public-read")


CONSOLE_CHANGES = {
    "encryption removed": (
        lambda s3: s3.delete_bucket_encryption(Bucket=DOCS), {"s3_bucket_sse_kms"}),
    "policy allows anyone": (
        _replace_policy(_tls_deny(DOCS), PUBLIC_READ), {"s3_bucket_policy_not_public"}),
    "TLS-only statement dropped": (_replace_policy(PUBLIC_READ | {"Principal": {"AWS": ACCOUNT}}),
                                   {"s3_bucket_tls_only"}),
    "public access block removed": (
        lambda s3: s3.delete_public_access_block(Bucket=DOCS),
        {"s3_bucket_public_access_blocked"}),
    "versioning suspended": (
        lambda s3: s3.put_bucket_versioning(
            Bucket=DOCS, VersioningConfiguration={"Status": "Suspended"}),
        {"s3_bucket_versioning_enabled"}),
    "ACL made public": (
        _public_acl, {"s3_bucket_public_access_blocked", "s3_bucket_acls_disabled"}),
    "access logging off": (
        lambda s3: s3.put_bucket_logging(Bucket=DOCS, BucketLoggingStatus={}),
        {"s3_bucket_access_logging"}),
    "lifecycle removed": (
        lambda s3: s3.delete_bucket_lifecycle(Bucket=DOCS), {"s3_bucket_lifecycle_or_replication"}),
}  # fmt: skip


@pytest.mark.parametrize("change", sorted(CONSOLE_CHANGES))
def test_a_console_change_fails_the_right_check(secured, change):
    before = audit(secured, COLLECTORS)
    make, failing = CONSOLE_CHANGES[change]
    make(secured.client("s3"))
    after = audit(secured, COLLECTORS)
    for check in BUCKET_CHECKS:
        expected = Status.FAIL if check in failing else by_name(before, check)[DOCS]
        assert by_name(after, check)[DOCS] is expected, check


def test_the_account_public_access_block_weakened_or_removed_fails(secured):
    control = s3control(secured)
    control.put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration=BLOCK_ALL | {"BlockPublicPolicy": False}
    )
    (finding,) = [f for f in audit(secured, COLLECTORS).findings
                  if f.check.id == "s3_account_public_access_block"]  # fmt: skip
    assert finding.status is Status.FAIL and finding.resource.name == ACCOUNT
    assert "block_public_policy" in finding.message
    control.delete_public_access_block(AccountId=ACCOUNT)
    evaluation = audit(secured, COLLECTORS)
    assert by_name(evaluation, "s3_account_public_access_block") == {"(account)": Status.FAIL}


def test_a_hand_made_bucket_fails_what_it_lacks(aws):
    aws.client("s3").create_bucket(Bucket="scratch-export")
    evaluation = audit(aws, COLLECTORS)
    for check in (
        "s3_bucket_sse_kms",
        "s3_bucket_versioning_enabled",
        "s3_bucket_tls_only",
        "s3_bucket_public_access_blocked",
        "s3_bucket_access_logging",
        "s3_bucket_lifecycle_or_replication",
        "data_store_classification_tagged",
    ):
        assert by_name(evaluation, check)["scratch-export"] is Status.FAIL, check  # fmt: skip
    assert "no default encryption" in message(evaluation, "s3_bucket_sse_kms", "scratch-export")
    assert by_name(evaluation, "s3_bucket_policy_not_public")["scratch-export"] is Status.PASS


def test_a_bucket_is_read_in_its_own_region(aws):
    s3 = aws.client("s3", "eu-west-1")
    s3.create_bucket(
        Bucket="eu-claims", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    s3.put_bucket_versioning(Bucket="eu-claims", VersioningConfiguration={"Status": "Enabled"})
    collected = collect(aws, COLLECTORS)
    bucket = _on(collected, BUCKET, "eu-claims")
    versioning = _on(collected, VERSIONING, "eu-claims")
    assert (bucket.region, versioning.region) == ("eu-west-1", "eu-west-1")
    assert bucket.props["region"] == "eu-west-1" and bucket.arn == "arn:aws:s3:::eu-claims"


def test_object_lock_and_replication_collect_as_the_sdk_names_them(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="audit-evidence", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket="audit-evidence",
        ObjectLockConfiguration={"ObjectLockEnabled": "Enabled",
                                 "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 6}}},
    )  # fmt: skip
    s3.create_bucket(Bucket="replica")
    s3.put_bucket_versioning(Bucket="replica", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket="audit-evidence",
        ReplicationConfiguration={"Role": "arn:aws:iam::123456789012:role/replication", "Rules": [{
            "ID": "all", "Priority": 1, "Filter": {"Prefix": ""}, "Status": "Enabled",
            "DeleteMarkerReplication": {"Status": "Disabled"},
            "Destination": {"Bucket": "arn:aws:s3:::replica", "EncryptionConfiguration": {
                "ReplicaKmsKeyID": "arn:aws:kms:us-east-1:123456789012:key/replica"}}}]},
    )  # fmt: skip
    s3.put_bucket_lifecycle_configuration(
        Bucket="replica",
        LifecycleConfiguration={"Rules": [{"ID": "tagged", "Status": "Enabled", "Filter": {
            "And": {"Prefix": "logs/", "Tags": [{"Key": "k", "Value": "v"}]}},
            "Expiration": {"Days": 30}}]},
    )  # fmt: skip
    collected = collect(aws, COLLECTORS)
    (tagged,) = _on(collected, LIFECYCLE, "replica").props["rules"]
    assert tagged["filter"] == {"and_": {"prefix": "logs/", "tags": {"k": "v"}}}
    assert _on(collected, BUCKET, "audit-evidence").props["object_lock_enabled"] is True
    lock = _on(collected, OBJECT_LOCK, "audit-evidence").props
    assert lock["object_lock_enabled"] == "Enabled"
    assert lock["rule"]["default_retention"]["mode"] == "COMPLIANCE"
    (rule,) = _on(collected, REPLICATION, "audit-evidence").props["rules"]
    assert rule["destination"]["bucket"] == "arn:aws:s3:::replica"
    assert rule["destination"]["encryption_configuration"]["replica_kms_key_id"].endswith("replica")
    assert [e for r in collected.resources for e in sdk_name_errors(r)] == []
    trail = Resource("aws:cloudtrail/trail:Trail", "audit", {"s3_bucket_name": "audit-evidence"})
    evaluation = audit(aws, COLLECTORS, also=[trail])
    assert by_name(evaluation, "s3_audit_bucket_object_lock")["audit-evidence"] is Status.PASS
    assert by_name(evaluation, "s3_bucket_lifecycle_or_replication")["audit-evidence"] is (
        Status.PASS
    )


def _outcomes(evaluation):
    return {
        (f.check.id, f.resource.name if f.resource else "(account)"): (f.status, f.message)
        for f in evaluation.findings
    }


def test_one_bucket_policy_denied_hides_only_that_buckets_policy_checks(secured, monkeypatch):
    before = _outcomes(audit(secured, COLLECTORS))
    deny_when(monkeypatch, "GetBucketPolicy", lambda params: params.get("Bucket") == DOCS)
    collected = collect(secured, COLLECTORS)
    assert set(collected.gaps) == {POLICY}
    assert "access denied to GetBucketPolicy (AccessDenied)" in collected.gaps[POLICY]
    assert f"(bucket {DOCS})" in collected.gaps[POLICY]
    after = _outcomes(audit(secured, COLLECTORS))
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert changed == {("s3_bucket_tls_only", DOCS), ("s3_bucket_policy_not_public", DOCS)}
    for key in changed:
        status, why = after[key]
        assert status is Status.NOT_EVALUATED
        assert "access denied to GetBucketPolicy" in why


def test_one_bucket_tags_denied_hides_only_what_reads_its_tags(secured, monkeypatch):
    before = _outcomes(audit(secured, COLLECTORS))
    deny_when(monkeypatch, "GetBucketTagging", lambda params: params.get("Bucket") == LOGS)
    collected = collect(secured, COLLECTORS)
    assert set(collected.gaps) == {BUCKET} and f"(bucket {LOGS})" in collected.gaps[BUCKET]
    after = _outcomes(audit(secured, COLLECTORS))
    new = {key: after[key] for key in after if before.get(key) != after[key]}
    # The logs bucket's own tag check, and (the bucket type being partly seen) every bucket
    # check's note that it may have missed something, and the account block's, which needs
    # every bucket.
    assert new[("data_store_classification_tagged", LOGS)][0] is Status.NOT_EVALUATED
    assert all(status is Status.NOT_EVALUATED for status, _ in new.values())
    # On another bucket, only a check that looks through every bucket (what logs into this
    # one) cannot decide, and says why.
    elsewhere = {k: why for k, (_, why) in new.items() if k[1] not in (LOGS, "(account)")}
    assert set(elsewhere) == {("s3_bucket_data_events_logged", DOCS)}
    assert all("access denied to GetBucketTagging" in why for why in elsewhere.values())


def test_listing_denied_hides_every_bucket_check_with_the_reason(secured, monkeypatch):
    deny(monkeypatch, "s3", "ListBuckets")
    evaluation = audit(secured, COLLECTORS)
    for check in BUCKET_CHECKS[:8]:
        (finding,) = [f for f in evaluation.findings if f.check.id == check]
        assert finding.status is Status.NOT_EVALUATED and finding.resource is None
        assert "access denied to ListBuckets (AccessDenied)" in finding.message
    assert by_name(evaluation, "s3_account_public_access_block") == {
        "(account)": Status.NOT_EVALUATED
    }
