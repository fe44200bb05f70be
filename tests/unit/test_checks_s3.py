"""S3 bucket encryption and versioning, joined with the bucket's companion resources. (Public
access and TLS-only policies: test_checks_s3_exposure.py.)"""

from __future__ import annotations

import pytest

from checks.aws.s3 import s3_bucket_sse_kms, s3_bucket_versioning_enabled
from checks.model import UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

NAME = "phi-records-1a2b3c"
ARN = f"arn:aws:s3:::{NAME}"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_2 = "arn:aws:kms:us-east-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab"
LOGS = "access-logs-1a2b"


def bucket(**props) -> Resource:
    return Resource("aws:s3/bucket:Bucket", "phi", {"bucket": NAME, **props}, id=NAME, arn=ARN)


def log_bucket(**props) -> Resource:
    return Resource("aws:s3/bucket:Bucket", "logs", {"bucket": LOGS, **props}, id=LOGS)


def companion(kind: str, name: str, **props) -> Resource:
    token = f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}"
    return Resource(token, name, {"bucket": NAME, **props}, id=f"{name}-id", urn=f"urn:{name}")


def default(algorithm: str, key: str | None = None) -> dict:
    found = {"sse_algorithm": algorithm, **({"kms_master_key_id": key} if key else {})}
    return {"apply_server_side_encryption_by_default": found, "bucket_key_enabled": True}


def sse(*rules: dict, bucket_name: str = NAME) -> Resource:
    return companion(
        "BucketServerSideEncryptionConfiguration", "phi-sse", bucket=bucket_name, rules=list(rules)
    )


def logging_into_logs() -> Resource:
    return companion("BucketLogging", "phi-logging", target_bucket=LOGS)


def judge(fn, target: Resource, *others: Resource) -> tuple:
    result = fn(target, Inventory([target, *others]))
    return result.status, dict(result.evidence)


def encryption(algorithm, key=None, **more) -> dict:
    return {"sse_algorithm": algorithm, "kms_master_key_id": key, **more}


# -- s3_bucket_sse_kms --------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["aws:kms", "aws:kms:dsse"])
def test_sse_kms_companion_passes(algorithm):
    result = judge(s3_bucket_sse_kms, bucket(), sse(default(algorithm, KEY)))
    assert result == (Status.PASS, encryption(algorithm, KEY))


def test_sse_s3_companion_fails():
    result = judge(s3_bucket_sse_kms, bucket(), sse(default("AES256")))
    assert result == (Status.FAIL, encryption("AES256"))


def test_no_encryption_config_fails_naming_sse_s3():
    result = s3_bucket_sse_kms(bucket(), Inventory([bucket()]))
    assert (result.status, dict(result.evidence)) == (Status.FAIL, encryption(None))
    assert "SSE-S3" in result.message


def test_every_default_must_be_sse_kms():
    both_kms = sse(default("aws:kms", KEY), default("aws:kms:dsse", KEY_2))
    assert judge(s3_bucket_sse_kms, bucket(), both_kms) == (
        Status.PASS,
        encryption(["aws:kms", "aws:kms:dsse"], [KEY, KEY_2]),
    )
    mixed = sse(default("aws:kms", KEY), default("AES256"))
    assert judge(s3_bucket_sse_kms, bucket(), mixed) == (
        Status.FAIL,
        encryption(["aws:kms", "AES256"], [KEY, None]),
    )


@pytest.mark.parametrize(
    ("config", "algorithm"),
    [((), None), ((sse(default("AES256"), bucket_name=LOGS),), "AES256")],
    ids=["s3-default", "declared-sse-s3"],
)
def test_sse_s3_on_an_access_log_target_passes_naming_the_delivery(config, algorithm):
    result = judge(s3_bucket_sse_kms, log_bucket(), bucket(), logging_into_logs(), *config)
    assert result == (Status.PASS, encryption(algorithm, log_delivery=["urn:phi-logging"]))


def test_sse_kms_on_a_log_target_passes_as_sse_kms():
    kms = sse(default("aws:kms", KEY), bucket_name=LOGS)
    result = judge(s3_bucket_sse_kms, log_bucket(), bucket(), logging_into_logs(), kms)
    assert result == (Status.PASS, encryption("aws:kms", KEY))


def test_a_log_target_with_a_mixed_default_is_neither_excused_nor_sse_kms():
    mixed = sse(default("AES256"), default("aws:kms", KEY), bucket_name=LOGS)
    result = judge(s3_bucket_sse_kms, log_bucket(), bucket(), logging_into_logs(), mixed)
    assert result == (Status.FAIL, encryption(["AES256", "aws:kms"], [None, KEY]))


def test_sse_s3_on_a_load_balancer_log_bucket_passes():
    alb = Resource(
        "aws:lb/loadBalancer:LoadBalancer",
        "web",
        {"access_logs": {"bucket": LOGS, "enabled": True}},
        urn="urn:web",
    )
    aes = sse(default("AES256"), bucket_name=LOGS)
    assert judge(s3_bucket_sse_kms, log_bucket(), alb, aes) == (
        Status.PASS,
        encryption("AES256", log_delivery=["urn:web"]),
    )


def test_sse_s3_on_a_bucket_logs_go_elsewhere_from_fails():
    elsewhere = companion("BucketLogging", "phi-logging", target_bucket="other-logs")
    assert judge(s3_bucket_sse_kms, log_bucket(), bucket(), elsewhere) == (
        Status.FAIL,
        encryption(None),
    )


def test_deprecated_inline_encryption_is_honoured():
    for key in ("rule", "rules"):
        inline = {key: default("aws:kms", KEY)}
        passing = judge(s3_bucket_sse_kms, bucket(server_side_encryption_configuration=inline))
        assert passing == (Status.PASS, encryption("aws:kms", KEY))
    aes = {"rule": default("AES256")}
    failing = judge(s3_bucket_sse_kms, bucket(server_side_encryption_configuration=aes))
    assert failing == (Status.FAIL, encryption("AES256"))


def test_the_companion_wins_over_the_inline_setting():
    inline = {"rule": default("aws:kms", KEY)}
    result = judge(
        s3_bucket_sse_kms,
        bucket(server_side_encryption_configuration=inline),
        sse(default("AES256")),
    )
    assert result == (Status.FAIL, encryption("AES256"))


@pytest.mark.parametrize(
    ("target", "others"),
    [
        (bucket(), (companion("BucketServerSideEncryptionConfiguration", "s", bucket=UNKNOWN),)),
        (bucket(), (companion("BucketServerSideEncryptionConfiguration", "s", rules=UNKNOWN),)),
        (bucket(server_side_encryption_configuration=MadeUp({})), ()),
        (log_bucket(), (companion("BucketLogging", "phi-logging", target_bucket=UNKNOWN),)),
    ],
    ids=["companion-bucket", "rules", "inline", "log-target"],
)
def test_encryption_that_cannot_be_seen_is_undecidable(target, others):
    with pytest.raises(Undecidable):
        judge(s3_bucket_sse_kms, target, *others)


# -- s3_bucket_versioning_enabled ---------------------------------------------------------------


def versioning(status) -> Resource:
    return companion("BucketVersioning", "phi-ver", versioning_configuration={"status": status})


def test_versioning_enabled_passes():
    result = judge(s3_bucket_versioning_enabled, bucket(), versioning("Enabled"))
    assert result == (Status.PASS, {"versioning_status": "Enabled", "declared_by": "urn:phi-ver"})


@pytest.mark.parametrize("status", ["Suspended", "Disabled", "enabled"])
def test_versioning_other_than_enabled_fails(status):
    result = judge(s3_bucket_versioning_enabled, bucket(), versioning(status))
    assert result == (Status.FAIL, {"versioning_status": status, "declared_by": "urn:phi-ver"})


def test_versioning_absent_fails():
    result = judge(s3_bucket_versioning_enabled, bucket())
    assert result == (Status.FAIL, {"versioning_status": None, "declared_by": None})


@pytest.mark.parametrize(
    ("enabled", "expected", "status"),
    [
        (True, Status.PASS, "Enabled"),
        ("true", Status.PASS, "Enabled"),
        (False, Status.FAIL, "Suspended"),
        ("false", Status.FAIL, "Suspended"),
    ],
)
def test_deprecated_inline_versioning_is_honoured(enabled, expected, status):
    result = judge(s3_bucket_versioning_enabled, bucket(versioning={"enabled": enabled}))
    assert result == (expected, {"versioning_status": status, "declared_by": ARN})


def test_the_versioning_companion_wins_over_the_inline_setting():
    result = judge(
        s3_bucket_versioning_enabled, bucket(versioning={"enabled": True}), versioning("Suspended")
    )
    assert result == (Status.FAIL, {"versioning_status": "Suspended", "declared_by": "urn:phi-ver"})


@pytest.mark.parametrize(
    "others",
    [(versioning(UNKNOWN),), (companion("BucketVersioning", "v", bucket=UNKNOWN),)],
    ids=["status", "bucket"],
)
def test_versioning_that_cannot_be_seen_is_undecidable(others):
    with pytest.raises(Undecidable):
        judge(s3_bucket_versioning_enabled, bucket(), *others)
