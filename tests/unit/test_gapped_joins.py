"""A type the source could not collect is unknown even when a check reaches it through a join
(a bucket's companion settings, a group's separate rules): never read as "there are none"."""

from __future__ import annotations

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Status

BUCKET = "aws:s3/bucket:Bucket"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"


def _statuses(resources, gaps) -> dict[str, Status]:
    findings = evaluate(Inventory(resources, gaps=gaps), build_registry()).findings
    return {f.check.id: f.status for f in findings if f.resource is not None}


def _bucket() -> list[Resource]:
    bucket = Resource(BUCKET, "records", {"bucket": "records"}, id="records", region="us-east-1")
    versioning = Resource(
        VERSIONING, "records-versioning",
        {"bucket": "records", "versioning_configuration": [{"status": "Enabled"}]},
        id="records", region="us-east-1",
    )  # fmt: skip
    return [bucket, versioning]


def test_a_bucket_whose_policy_could_not_be_read_is_not_judged_on_having_none():
    gaps = {POLICY: "AccessDenied on GetBucketPolicy"}
    statuses = _statuses(_bucket(), gaps)
    assert statuses["s3_bucket_policy_not_public"] is Status.NOT_EVALUATED
    # Only the checks of the unread setting: versioning was read, and is judged.
    assert statuses["s3_bucket_versioning_enabled"] is Status.PASS


def test_without_the_gap_the_same_bucket_is_judged():
    assert _statuses(_bucket(), {})["s3_bucket_policy_not_public"] is Status.PASS


def test_a_group_whose_separate_rules_could_not_be_read_is_not_judged_closed():
    group = Resource(
        GROUP, "app", {"vpc_id": "vpc-1", "ingress": [], "egress": []}, id="sg-1",
        region="us-east-1",
    )  # fmt: skip
    for gapped in (INGRESS, RULE):
        statuses = _statuses([group], {gapped: "ThrottlingException outlasted the retries"})
        assert statuses["sg_no_internet_admin_ports"] is Status.NOT_EVALUATED, gapped
    assert _statuses([group], {})["sg_no_internet_admin_ports"] is Status.PASS


def test_a_reference_to_a_type_that_could_not_be_read_is_not_resolved_as_missing():
    from checks.model import Undecidable
    from checks.support.joins import resolve

    key = "aws:kms/key:Key"
    inv = Inventory([], gaps={key: "AccessDenied on ListKeys"})
    try:
        resolve(inv, "arn:aws:kms:us-east-1:123456789012:key/k", (key,), "the key")
    except Undecidable as exc:
        assert "could not be collected" in str(exc)
    else:
        raise AssertionError("a reference into an uncollected type resolved to nothing")
    assert resolve(Inventory([]), "arn:aws:kms:us-east-1:1:key/k", (key,), "the key") is None
