"""The audit bench's comparison with Prowler: each Prowler FAIL is met with what our checks of
the same control say on the same resource, and classed; "we PASS" is the parity figure."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "prowler_peer.py"
ACCOUNT = "123456789012"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/billing-trail"
BUCKET = "arn:aws:s3:::billing-access-logs"
ACCOUNT_TRAIL = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail"  # Prowler's account pseudo-ARN
FRESH = "no CloudWatch Logs delivery of billing-trail is on record yet"


@pytest.fixture(scope="module")
def peer():
    spec = importlib.util.spec_from_file_location("prowler_peer_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture
def mapping(peer):
    return peer.PeerMap(
        checks={
            "cloudtrail_cloudwatch_logging_enabled": frozenset({"cloudtrail_cloudwatch_logs"}),
            "cloudtrail_multi_region_enabled": frozenset(
                {"cloudtrail_multi_region", "cloudtrail_enabled_multi_region"}
            ),
            "s3_bucket_server_access_logging_enabled": frozenset({"s3_bucket_access_logging"}),
            "cloudtrail_kms_encryption_enabled": frozenset({"cloudtrail_kms_encrypted"}),
        },
        account=frozenset({"cloudtrail_enabled_multi_region"}),
    )


def ours(check_id, status, message, arn=None):
    resource = {"arn": arn, "id": arn, "name": "x"} if arn else None
    return {"check_id": check_id, "status": status, "message": message, "resource": resource}


def theirs(peer, check, resource, status="FAIL", detail="it fails"):
    return peer.ProwlerFinding(check, status, resource, "x", detail)


DOCUMENT = {
    "findings": [
        ours("cloudtrail_cloudwatch_logs", "NOT_EVALUATED", FRESH, TRAIL),
        ours("cloudtrail_kms_encrypted", "FAIL", "the trail has no KMS key", TRAIL),
        ours("cloudtrail_multi_region", "PASS", "the trail is multi-region", TRAIL),
        ours("s3_bucket_access_logging", "PASS", "access logging is on", BUCKET),
        ours("cloudtrail_enabled_multi_region", "FAIL", "no trail is multi-region"),
        ours("s3_bucket_sse_kms", "FAIL", "not KMS-encrypted", "arn:aws:s3:::scratch"),
    ]
}


def test_each_prowler_fail_is_classed_with_our_words(peer, mapping):
    run = peer.ProwlerRun(
        "5.46.0",
        (
            theirs(peer, "cloudtrail_cloudwatch_logging_enabled", TRAIL, detail="not in 24h"),
            theirs(peer, "cloudtrail_kms_encryption_enabled", TRAIL, detail="no key"),
            theirs(peer, "cloudtrail_kms_encryption_enabled", BUCKET, status="PASS"),
            theirs(peer, "s3_bucket_server_access_logging_enabled", BUCKET, detail="no logs"),
            theirs(peer, "cloudtrail_multi_region_enabled", ACCOUNT_TRAIL, detail="none"),
            theirs(peer, "iam_password_policy_reuse_24", f"arn:aws:iam::{ACCOUNT}:root"),
        ),
        0,
    )
    assert peer.comparison(run, DOCUMENT, mapping) == [
        "Each Prowler FAIL, and what our checks mapped to its check say on the resource:",
        f"  cloudtrail_cloudwatch_logging_enabled: {TRAIL}: we say NOT_EVALUATED/NOT_APPLICABLE",
        "    Prowler: not in 24h",
        f"    ours: cloudtrail_cloudwatch_logs NOT_EVALUATED: {FRESH}",
        f"  cloudtrail_kms_encryption_enabled: {TRAIL}: we FAIL",
        "    Prowler: no key",
        "    ours: cloudtrail_kms_encrypted FAIL: the trail has no KMS key",
        f"  cloudtrail_multi_region_enabled: {ACCOUNT_TRAIL}: we FAIL",
        "    Prowler: none",
        "    ours: cloudtrail_enabled_multi_region FAIL: no trail is multi-region",
        f"  iam_password_policy_reuse_24: arn:aws:iam::{ACCOUNT}:root: we say nothing",
        "    Prowler: it fails",
        "    ours: no check of ours is mapped to this Prowler check",
        f"  s3_bucket_server_access_logging_enabled: {BUCKET}: we PASS",
        "    Prowler: no logs",
        "    ours: s3_bucket_access_logging PASS: access logging is on",
        "Prowler FAILs by what we say: 2 we FAIL, 1 we say NOT_EVALUATED/NOT_APPLICABLE, "
        "1 we say nothing, 1 we PASS",
        "Parity: 1 Prowler FAIL(s) that we PASS",
        "We FAIL and Prowler does not:",
        "  s3_bucket_sse_kms: arn:aws:s3:::scratch",
    ]


def test_a_mapped_check_with_no_finding_on_the_resource_is_said_so(peer, mapping):
    run = peer.ProwlerRun("5.46.0", (theirs(peer, "cloudtrail_kms_encryption_enabled", BUCKET),), 0)
    lines = peer.comparison(run, {"findings": []}, mapping)
    assert lines[1:4] == [
        f"  cloudtrail_kms_encryption_enabled: {BUCKET}: we say nothing",
        "    Prowler: it fails",
        "    ours: no finding of cloudtrail_kms_encrypted on this resource (a type we do not "
        "read?)",
    ]
    assert lines[4:] == [
        "Prowler FAILs by what we say: 0 we FAIL, 0 we say NOT_EVALUATED/NOT_APPLICABLE, "
        "1 we say nothing, 0 we PASS",
        "Parity: 0 Prowler FAIL(s) that we PASS",
        "We FAIL and Prowler does not:",
        "  none",
    ]


@pytest.mark.parametrize(
    ("statuses", "verdict"),
    [
        (["PASS", "FAIL"], "we FAIL"),
        (["WAIVED", "PASS"], "we FAIL"),
        (["NOT_EVALUATED", "PASS"], "we PASS"),
        (["NOT_APPLICABLE", "NOT_EVALUATED"], "we say NOT_EVALUATED/NOT_APPLICABLE"),
        ([], "we say nothing"),
    ],
)
def test_a_failure_of_ours_catches_and_a_pass_of_ours_misses(peer, statuses, verdict):
    assert peer.classify([{"status": s} for s in statuses]) == verdict


def test_the_library_maps_prowler_checks_through_the_controls(peer):
    mapping = peer.PeerMap.of_library()
    assert mapping.checks["cloudtrail_cloudwatch_logging_enabled"] == {"cloudtrail_cloudwatch_logs"}
    assert "cloudtrail_enabled_multi_region" in mapping.account
    assert "cloudtrail_cloudwatch_logs" not in mapping.account
