"""Small shared helpers pinned on exact results: CloudTrail data-event coverage of a bucket
(trails), internet CIDRs and port ranges (cidr), a bucket's public access (public_access), the
classification tag (classification) and Aurora members (aurora)."""

from __future__ import annotations

import pytest

from checks.model import Inventory, Resource
from checks.registry import Result, Status
from checks.support.aurora import cluster_member
from checks.support.cidr import covers_port, is_internet
from checks.support.classification import classification
from checks.support.public_access import PublicAccess, bucket_public_access, public_acl
from checks.support.trails import trail_logs_s3_objects

TRAIL = "aws:cloudtrail/trail:Trail"
BUCKET_ARN = "arn:aws:s3:::phi-data"
S3_OBJECT = "AWS::S3::Object"


def trail(**props) -> Resource:
    return Resource(TRAIL, "audit", props)


def advanced(*fields: dict) -> Resource:
    return trail(advanced_event_selectors=[{"field_selectors": list(fields)}])


DATA = {"field": "eventCategory", "equals": ["Data"]}
OBJECTS = {"field": "resources.type", "equals": [S3_OBJECT]}


# -- trails --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ((DATA, OBJECTS), True),
        ((OBJECTS,), False),  # trails x__advanced_covers__mutmut_12/14: no eventCategory field
        ((DATA,), False),  # mutmut_19/21: no resources.type field
        ((DATA, {"field": "resources.type", "equals": ["AWS::DynamoDB::Table"]}), False),  # _24
        (
            (DATA, OBJECTS, {"field": "resources.ARN", "not_starts_withs": [f"{BUCKET_ARN}/"]}),
            False,  # mutmut_38: the bucket's objects are excluded
        ),
        ((DATA, OBJECTS, {"field": "resources.ARN", "starts_withs": [f"{BUCKET_ARN}/"]}), True),
        (
            (DATA, OBJECTS, {"field": "resources.ARN", "starts_withs": ["arn:aws:s3:::other/"]}),
            False,
        ),
    ],
    ids=["data-objects", "no-category", "no-type", "other-type", "excluded", "included", "other"],
)
def test_advanced_selectors_cover_the_bucket_only_for_its_object_data_events(fields, expected):
    assert trail_logs_s3_objects(advanced(*fields), BUCKET_ARN) is expected


def test_a_classic_selector_names_a_legacy_bucket_ending_in_an_upper_case_x():
    # trails x__classic_covers__mutmut_20 (us-east-1 once allowed upper-case bucket names)
    arn = "arn:aws:s3:::LegacyX"
    selector = {"data_resources": [{"type": S3_OBJECT, "values": [f"{arn}/"]}]}
    assert trail_logs_s3_objects(trail(event_selectors=[selector]), arn) is True


# -- cidr ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidr", "expected"),
    [("0.0.0.0/0", True), ("10.0.0.0/0", True), ("::1/0", True), ("10.0.0.0/8", False)],
)
def test_any_block_with_a_zero_prefix_is_the_internet(cidr, expected):
    # cidr x_is_internet__mutmut_6/7: host bits under /0 do not make it narrower
    assert is_internet(cidr) is expected


@pytest.mark.parametrize(
    ("from_port", "to_port", "port", "expected"),
    [(None, None, 0, True), (None, 22, 0, True), (1, None, 0, False), (None, 22, 23, False)],
)
def test_a_missing_bound_is_open_down_to_port_zero(from_port, to_port, port, expected):
    # cidr x_covers_port__mutmut_10
    assert covers_port("tcp", from_port, to_port, port, "tcp") is expected


# -- public_access -------------------------------------------------------------------------------

BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACL = "aws:s3/bucketAcl:BucketAcl"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def bucket(**props) -> Resource:
    return Resource(BUCKET, "phi", {"bucket": "phi", **props}, id="phi")


def test_every_flag_left_off_is_named():
    # public_access x_bucket_public_access__mutmut_59
    res = bucket()
    pab = Resource(
        PAB, "pab", {"bucket": "phi", "block_public_acls": True, "ignore_public_acls": True}
    )
    assert bucket_public_access(res, Inventory([res, pab])) == PublicAccess(
        False,
        "the public access block leaves block_public_policy, restrict_public_buckets off",
        {
            "block_public_acls": True,
            "block_public_policy": False,
            "ignore_public_acls": True,
            "restrict_public_buckets": False,
            "public_acl": None,
        },
    )


def test_the_bucket_grants_and_its_acl_resource_grants_both_count():
    # public_access x_public_acl__mutmut_34
    res = bucket(grants=[{"type": "Group", "uri": ALL_USERS, "permissions": ["READ"]}])
    acl = Resource(
        ACL,
        "acl",
        {
            "bucket": "phi",
            "access_control_policy": {
                "grants": [
                    {
                        "grantee": {"type": "CanonicalUser", "id": "abc"},
                        "permission": "FULL_CONTROL",
                    }
                ],
                "owner": {"id": "abc"},
            },
        },
    )
    assert public_acl(res, Inventory([res, acl])) == [ALL_USERS]


# -- classification and aurora -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [({"data-classification": "ePHI"}, "ePHI"), (["data-classification"], None), ({}, None)],
)
def test_classification_reads_only_a_tag_mapping(tags, expected):
    # classification x_classification__mutmut_13
    res = Resource(BUCKET, "phi", {"tags": tags})
    assert classification(res) == expected


def test_an_aurora_member_is_not_applicable_with_its_cluster_named():
    # aurora x_cluster_member__mutmut_17/18
    res = Resource("aws:rds/instance:Instance", "db-1", {"cluster_identifier": "claims"})
    assert cluster_member(res) == Result(
        Status.NOT_APPLICABLE,
        "Aurora cluster member: the cluster's setting decides",
        {"cluster_identifier": "claims"},
    )
