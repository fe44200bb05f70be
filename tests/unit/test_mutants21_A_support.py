"""Shared helpers pinned on exact results: Aurora members (aurora), whole numbers (numbers), the
fields of nested blocks (props) and a bucket closed to the public by S3's default
(public_access)."""

from __future__ import annotations

import pytest

from checks.aws.s3 import s3_bucket_public_access_blocked
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status
from checks.support.aurora import is_cluster_member
from checks.support.numbers import whole_number
from checks.support.props import known_fields
from checks.support.public_access import (
    PUBLIC_ACCESS_BLOCK_FLAGS,
    PublicAccess,
    bucket_public_access,
)

# -- aurora --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "props", "expected"),
    [
        ("aws:rds/instance:Instance", {"cluster_identifier": "claims"}, True),
        ("aws:rds/instance:Instance", {"cluster_identifier": UNKNOWN}, True),  # joins one anyway
        ("aws:rds/instance:Instance", {"cluster_identifier": None}, False),
        ("aws:rds/instance:Instance", {"identifier": "claims-1"}, False),
        ("aws:rds/clusterInstance:ClusterInstance", {"cluster_identifier": "claims"}, False),
    ],
    ids=["member", "unknown-cluster", "null", "standalone", "other-type"],
)
def test_a_cluster_member_is_an_rds_instance_naming_its_cluster(token, props, expected):
    # aurora x_is_cluster_member__mutmut_1-5
    assert is_cluster_member(Resource(token, "db-1", props)) is expected


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "the snapshot retention of c is not a number (True)"),
        ("ten", "the snapshot retention of c is not a number ('ten')"),
        (None, "the snapshot retention of c is not a number (None)"),
    ],
)
def test_a_value_that_is_not_a_whole_number_is_named_in_the_reason(value, reason):
    # numbers x_whole_number__mutmut_1 (a flag), _3 (text or nothing)
    with pytest.raises(Undecidable) as raised:
        whole_number(value, "the snapshot retention of c")
    assert str(raised.value) == reason


def test_a_whole_number_given_as_text_is_read():
    assert whole_number("35", "days") == 35


# -- props.known_fields --------------------------------------------------------------------------


def service(network) -> Resource:
    return Resource("aws:ecs/service:Service", "api", {"network_configuration": network})


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        # a list of blocks: each block read on its own
        ([{"assign_public_ip": True, "subnets": UNKNOWN}, {"subnets": ["s-1"]}],
         [{"assign_public_ip": True}, {}]),
        # what is not a block is passed over, and the blocks after it are still read
        (["junk", {"assign_public_ip": False}], [{"assign_public_ip": False}]),
        ("junk", []),
    ],
    ids=["list", "junk-then-block", "junk"],
)  # fmt: skip
def test_known_fields_reads_every_block_and_skips_what_is_not_one(network, expected):
    # props x_known_fields__mutmut_5 (a list read as one block), _14 (not a block), _15 (break)
    assert known_fields(service(network), "network_configuration", "assign_public_ip") == expected


def test_a_block_unknown_in_a_list_is_undecidable():
    # props x_known_fields__mutmut_14: an unknown block is decided, never looked into
    with pytest.raises(Undecidable) as raised:
        known_fields(service([UNKNOWN]), "network_configuration", "assign_public_ip")
    assert str(raised.value) == (
        "network_configuration of api is not known yet (computed at deployment)"
    )


# -- public_access: S3's default for new buckets -------------------------------------------------

BUCKET = "aws:s3/bucket:Bucket"


def bucket(source: str, created: str | None = None) -> Resource:
    return Resource(BUCKET, "phi", {"bucket": "phi"}, id="phi", source=source, created=created)


def test_a_new_bucket_without_a_block_passes_by_s3_default_and_says_so():
    # public_access x_bucket_public_access__mutmut_62/68/69/70: the reason reaches the report
    res = bucket("program")
    evidence = {
        **dict.fromkeys(PUBLIC_ACCESS_BLOCK_FLAGS, True),
        "public_acl": None,
        "by_default": "S3 default for buckets created since 2023-04-28",
    }
    assert bucket_public_access(res, Inventory([res])) == PublicAccess(
        True, "all four settings are on by S3's default for new buckets", evidence
    )
    result = s3_bucket_public_access_blocked(res, Inventory([res]))
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "all four settings are on by S3's default for new buckets",
        evidence,
    )


def test_a_state_bucket_of_unknown_age_without_a_block_names_what_it_lacks():
    # public_access x_bucket_public_access__mutmut_43/48/49: the reason names the setting
    res = bucket("state")
    with pytest.raises(Undecidable) as raised:
        s3_bucket_public_access_blocked(res, Inventory([res]))
    assert str(raised.value) == (
        "phi declares no public access block: AWS has set it by default only on resources "
        "created since April 2023, and the state file does not say when this one was"
    )
