"""S3 bucket checks, joined with the bucket's companion resources."""

from __future__ import annotations

import json

import pytest

from checks.aws.s3 import (
    s3_bucket_public_access_blocked,
    s3_bucket_sse_kms,
    s3_bucket_tls_only,
    s3_bucket_versioning_enabled,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

NAME = "phi-records-1a2b3c"
ARN = f"arn:aws:s3:::{NAME}"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def bucket(**props) -> Resource:
    return Resource("aws:s3/bucket:Bucket", "phi", {"bucket": NAME, **props}, id=NAME, arn=ARN)


def companion(kind: str, name: str, **props) -> Resource:
    token = f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}"
    return Resource(token, name, {"bucket": NAME, **props}, id=f"{name}-id", urn=f"urn:{name}")


def sse(algorithm: str, key: str | None = None) -> Resource:
    default = {"sse_algorithm": algorithm, **({"kms_master_key_id": key} if key else {})}
    rules = [{"apply_server_side_encryption_by_default": default, "bucket_key_enabled": True}]
    return companion("BucketServerSideEncryptionConfiguration", "phi-sse", rules=rules)


def pab(**flags) -> Resource:
    return companion("BucketPublicAccessBlock", "phi-pab", **flags)


ALL_BLOCKED = dict.fromkeys(
    ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"),
    True,
)


def tls_policy(resources: list[str], value: object = "false") -> str:
    statement = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": resources,
        "Condition": {"Bool": {"aws:SecureTransport": value}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- s3_bucket_sse_kms --------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["aws:kms", "aws:kms:dsse"])
def test_sse_kms_companion_passes(algorithm):
    result = run(s3_bucket_sse_kms, bucket(), sse(algorithm, KEY))
    assert result.status is Status.PASS
    assert result.evidence == {"sse_algorithm": algorithm, "kms_master_key_id": KEY}


def test_sse_s3_companion_fails():
    result = run(s3_bucket_sse_kms, bucket(), sse("AES256"))
    assert result.status is Status.FAIL
    assert result.evidence == {"sse_algorithm": "AES256", "kms_master_key_id": None}


def test_no_encryption_config_fails_naming_sse_s3():
    result = run(s3_bucket_sse_kms, bucket())
    assert result.status is Status.FAIL
    assert "SSE-S3" in result.message
    assert result.evidence == {"sse_algorithm": None, "kms_master_key_id": None}


def log_bucket(**props) -> Resource:
    return Resource(
        "aws:s3/bucket:Bucket",
        "logs",
        {"bucket": "access-logs-1a2b", **props},
        id="access-logs-1a2b",
    )


def test_sse_s3_on_an_access_log_target_passes_naming_the_delivery():
    logging = companion("BucketLogging", "phi-logging", target_bucket="access-logs-1a2b")
    result = s3_bucket_sse_kms(log_bucket(), Inventory([bucket(), log_bucket(), logging]))
    assert result.status is Status.PASS
    assert result.evidence == {
        "sse_algorithm": None,
        "kms_master_key_id": None,
        "log_delivery": ["urn:phi-logging"],
    }


def test_sse_s3_on_a_load_balancer_log_bucket_passes():
    alb = Resource(
        "aws:lb/loadBalancer:LoadBalancer",
        "web",
        {"access_logs": {"bucket": "access-logs-1a2b", "enabled": True}},
        urn="urn:web",
    )
    aes = Resource(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "logs-sse",
        {
            "bucket": "access-logs-1a2b",
            "rules": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
        },
    )
    result = s3_bucket_sse_kms(log_bucket(), Inventory([log_bucket(), alb, aes]))
    assert (result.status, result.evidence["log_delivery"]) == (Status.PASS, ["urn:web"])


def test_log_target_that_is_not_known_yet_makes_an_sse_s3_bucket_undecidable():
    pending = companion("BucketLogging", "phi-logging", target_bucket=UNKNOWN)
    with pytest.raises(Undecidable):
        s3_bucket_sse_kms(log_bucket(), Inventory([log_bucket(), pending]))


def test_deprecated_inline_encryption_is_honoured():
    inline = {"rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}}
    passing = run(s3_bucket_sse_kms, bucket(server_side_encryption_configuration=inline))
    assert passing.status is Status.PASS
    aes = {"rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}}
    failing = run(s3_bucket_sse_kms, bucket(server_side_encryption_configuration=aes))
    assert (failing.status, failing.evidence["sse_algorithm"]) == (Status.FAIL, "AES256")


def test_companion_naming_an_unknown_bucket_is_undecidable():
    pending = companion("BucketServerSideEncryptionConfiguration", "phi-sse", bucket=UNKNOWN)
    with pytest.raises(Undecidable):
        run(s3_bucket_sse_kms, bucket(), pending)


def test_unknown_encryption_rules_are_undecidable():
    pending = companion("BucketServerSideEncryptionConfiguration", "phi-sse", rules=UNKNOWN)
    with pytest.raises(Undecidable, match="rules of phi-sse"):
        run(s3_bucket_sse_kms, bucket(), pending)


# -- s3_bucket_versioning_enabled ---------------------------------------------------------------


def versioning(status) -> Resource:
    return companion("BucketVersioning", "phi-ver", versioning_configuration={"status": status})


def test_versioning_enabled_passes():
    result = run(s3_bucket_versioning_enabled, bucket(), versioning("Enabled"))
    assert result.status is Status.PASS
    assert result.evidence == {"versioning_status": "Enabled", "declared_by": "urn:phi-ver"}


def test_versioning_suspended_fails():
    result = run(s3_bucket_versioning_enabled, bucket(), versioning("Suspended"))
    assert (result.status, result.evidence["versioning_status"]) == (Status.FAIL, "Suspended")


def test_versioning_absent_fails():
    result = run(s3_bucket_versioning_enabled, bucket())
    assert result.status is Status.FAIL
    assert result.evidence == {"versioning_status": None, "declared_by": None}


def test_deprecated_inline_versioning_is_honoured():
    result = run(s3_bucket_versioning_enabled, bucket(versioning={"enabled": True}))
    assert result.status is Status.PASS


def test_versioning_unknown_is_undecidable():
    with pytest.raises(Undecidable):
        run(s3_bucket_versioning_enabled, bucket(), versioning(UNKNOWN))


# -- s3_bucket_public_access_blocked -----------------------------------------------------------


def test_all_four_public_access_flags_pass():
    result = run(s3_bucket_public_access_blocked, bucket(), pab(**ALL_BLOCKED))
    assert result.status is Status.PASS
    assert result.evidence == {**ALL_BLOCKED, "public_acl": None}


def test_a_missing_flag_fails_naming_it():
    flags = {**ALL_BLOCKED, "restrict_public_buckets": False}
    result = run(s3_bucket_public_access_blocked, bucket(), pab(**flags))
    assert result.status is Status.FAIL
    assert "restrict_public_buckets" in result.message
    assert result.evidence["restrict_public_buckets"] is False


def test_no_public_access_block_fails():
    result = run(s3_bucket_public_access_blocked, bucket())
    assert result.status is Status.FAIL
    assert result.message == "no bucket-level public access block is declared"


def test_inline_public_read_acl_fails_even_with_the_block():
    result = run(s3_bucket_public_access_blocked, bucket(acl="public-read"), pab(**ALL_BLOCKED))
    assert result.status is Status.FAIL
    assert result.evidence["public_acl"] == "public-read"


def test_bucket_acl_grant_to_all_users_fails():
    grant = {
        "grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"},
        "permission": "READ",
    }
    acl = companion("BucketAcl", "phi-acl", access_control_policy={"grants": [grant]})
    result = run(s3_bucket_public_access_blocked, bucket(), pab(**ALL_BLOCKED), acl)
    assert result.status is Status.FAIL
    assert result.evidence["public_acl"] == "http://acs.amazonaws.com/groups/global/AllUsers"


def test_private_acl_passes():
    result = run(s3_bucket_public_access_blocked, bucket(acl="private"), pab(**ALL_BLOCKED))
    assert result.status is Status.PASS


def test_unknown_flag_is_undecidable():
    flags = {**ALL_BLOCKED, "block_public_policy": UNKNOWN}
    with pytest.raises(Undecidable, match="block_public_policy"):
        run(s3_bucket_public_access_blocked, bucket(), pab(**flags))


# -- s3_bucket_tls_only -------------------------------------------------------------------------


def policy(document) -> Resource:
    return companion("BucketPolicy", "phi-policy", policy=document)


def test_tls_deny_policy_passes():
    result = run(s3_bucket_tls_only, bucket(), policy(tls_policy([ARN, f"{ARN}/*"])))
    assert result.status is Status.PASS
    assert result.evidence == {"bucket_policy": "urn:phi-policy", "denies_insecure_transport": True}


def test_tls_deny_as_dict_with_boolean_and_snake_case_keys_passes():
    document = {
        "version": "2012-10-17",
        "statement": {
            "effect": "Deny",
            "principal": {"AWS": "*"},
            "action": ["s3:*"],
            "resource": [f"{ARN}*"],
            "condition": {"BoolIfExists": {"aws:SecureTransport": False}},
        },
    }
    assert run(s3_bucket_tls_only, bucket(), policy(document)).status is Status.PASS


def test_tls_deny_covering_only_objects_fails():
    result = run(s3_bucket_tls_only, bucket(), policy(tls_policy([f"{ARN}/*"])))
    assert result.status is Status.FAIL
    assert result.evidence["denies_insecure_transport"] is False


def test_tls_deny_requiring_true_is_not_a_tls_deny():
    result = run(s3_bucket_tls_only, bucket(), policy(tls_policy([ARN, f"{ARN}/*"], "true")))
    assert result.status is Status.FAIL


def test_no_bucket_policy_fails():
    result = run(s3_bucket_tls_only, bucket())
    assert result.status is Status.FAIL
    assert result.evidence == {"bucket_policy": None}


def test_inline_bucket_policy_in_govcloud_is_honoured():
    gov_arn = f"arn:aws-us-gov:s3:::{NAME}"
    res = Resource(
        "aws:s3/bucket:Bucket",
        "phi",
        {"bucket": NAME, "policy": tls_policy([gov_arn, f"{gov_arn}/*"])},
        region="us-gov-west-1",
    )
    assert run(s3_bucket_tls_only, res).status is Status.PASS


def test_unknown_policy_is_undecidable():
    with pytest.raises(Undecidable, match="policy of phi-policy"):
        run(s3_bucket_tls_only, bucket(), policy(UNKNOWN))


def test_unparsable_policy_is_undecidable():
    with pytest.raises(Undecidable, match="not valid JSON"):
        run(s3_bucket_tls_only, bucket(), policy("{not json"))
