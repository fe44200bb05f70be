"""The inventory model: lookups, type aliases and the joins of resources Pulumi splits apart."""

from __future__ import annotations

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import UNKNOWN, Inventory, Resource, Undecidable, canonical_type
from checks.registry import Status

BUCKET = "aws:s3/bucket:Bucket"
SG = "aws:ec2/securityGroup:SecurityGroup"


def test_old_type_tokens_map_to_v7_names():
    assert canonical_type("aws:s3/bucketV2:BucketV2") == BUCKET
    assert (
        canonical_type("aws:s3/bucketVersioningV2:BucketVersioningV2")
        == "aws:s3/bucketVersioning:BucketVersioning"
    )
    assert canonical_type("aws:rds/instance:Instance") == "aws:rds/instance:Instance"


def test_lookup_by_type_id_and_arn():
    db = Resource("aws:rds/instance:Instance", "db", {}, id="db-1", arn="arn:aws:rds:r:1:db:db-1")
    inv = Inventory([db])
    assert inv.by_type("aws:rds/instance:Instance") == [db]
    assert inv.get("db-1") is db
    assert inv.get("arn:aws:rds:r:1:db:db-1") is db
    assert inv.get("db-1", BUCKET) is None


def test_bucket_companions_are_joined_by_bucket_id():
    bucket = Resource(BUCKET, "docs", {}, urn="u:docs", id="docs-1")
    other = Resource(BUCKET, "logs", {}, urn="u:logs", id="logs-1")
    versioning = Resource(
        "aws:s3/bucketVersioning:BucketVersioning",
        "ver",
        {"bucket": "docs-1", "versioning_configuration": {"status": "Enabled"}},
        urn="u:ver",
        id="docs-1",
    )
    policy = Resource("aws:s3/bucketPolicy:BucketPolicy", "pol", {"bucket": "logs-1"}, urn="u:pol")
    inv = Inventory([bucket, other, versioning, policy])
    assert inv.bucket_companions(bucket) == {"versioning": [versioning]}
    assert inv.bucket_companions(other) == {"policy": [policy]}


def test_companion_naming_an_unknown_bucket_makes_bucket_joins_undecidable():
    bucket = Resource(BUCKET, "docs", {}, urn="u:docs", id="docs-1")
    pab = Resource(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {"bucket": UNKNOWN}
    )
    inv = Inventory([bucket, pab])
    with pytest.raises(Undecidable):
        inv.bucket_companions(bucket)
    # ... and so the public-access check is NOT_EVALUATED, never a PASS or a guess.
    findings = evaluate(inv, build_registry()).findings
    pab_findings = [f for f in findings if f.check.id == "s3_bucket_public_access_blocked"]
    assert [f.status for f in pab_findings] == [Status.NOT_EVALUATED]


def test_ingress_rules_merge_inline_blocks_and_rule_resources():
    group = Resource(
        SG,
        "db",
        {
            "ingress": [
                {
                    "from_port": 5432,
                    "to_port": 5432,
                    "protocol": "tcp",
                    "cidr_blocks": ["10.0.0.0/16"],
                }
            ]
        },
        urn="u:sg",
        id="sg-1",
    )
    new_style = Resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "ssh",
        {
            "security_group_id": "sg-1",
            "ip_protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "cidr_ipv6": "::/0",
        },
        urn="u:ssh",
    )
    old_style = Resource(
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "rdp",
        {
            "security_group_id": "sg-1",
            "type": "ingress",
            "protocol": "tcp",
            "from_port": 3389,
            "to_port": 3389,
            "cidr_blocks": ["0.0.0.0/0"],
        },
        urn="u:rdp",
    )
    egress = Resource(
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "out",
        {
            "security_group_id": "sg-1",
            "type": "egress",
            "protocol": "-1",
            "from_port": 0,
            "to_port": 0,
            "cidr_blocks": ["0.0.0.0/0"],
        },
        urn="u:out",
    )
    rules = Inventory([group, new_style, old_style, egress]).ingress_rules(group)
    assert sorted((r.from_port, r.cidr_ipv4, r.cidr_ipv6, r.declared_by) for r in rules) == [
        (22, (), ("::/0",), "u:ssh"),
        (3389, ("0.0.0.0/0",), (), "u:rdp"),
        (5432, ("10.0.0.0/16",), (), "u:sg"),
    ]


def test_unknown_inline_ingress_is_undecidable():
    group = Resource(SG, "web", {"ingress": UNKNOWN}, urn="u:sg", id="sg-1")
    with pytest.raises(Undecidable):
        Inventory([group]).ingress_rules(group)


def test_resource_types_no_check_covers_are_listed():
    odd = "aws:gamelift/fleet:Fleet"
    inv = Inventory([Resource(odd, "nb", {}), Resource(BUCKET, "b", {}, id="b")])
    assert evaluate(inv, build_registry()).uncovered_types == (odd,)
