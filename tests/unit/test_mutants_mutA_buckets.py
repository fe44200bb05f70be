"""S3 bucket helpers (checks/support/buckets.py) pinned on exact return values: a bucket's ARN in
each partition, and what delivers logs into a bucket when a reference cannot be seen."""

from __future__ import annotations

import pytest

from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.support.buckets import bucket_arn, log_deliveries, s3_access_log_sources

BUCKET = "aws:s3/bucket:Bucket"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
ALB = "aws:lb/loadBalancer:LoadBalancer"


def bucket(logical: str = "logs", region: str | None = None, **props) -> Resource:
    return Resource(BUCKET, logical, props, region=region)


# -- bucket_arn -----------------------------------------------------------------------------------


def test_the_arn_property_is_used_when_the_source_gives_no_arn():
    # buckets x_bucket_arn__mutmut_1-3: the property wins over one built from the name
    res = bucket(bucket="phi-logs", arn="arn:aws-us-gov:s3:::phi-logs")
    assert bucket_arn(res) == "arn:aws-us-gov:s3:::phi-logs"


def test_an_empty_arn_is_passed_over_for_one_built_from_the_name():
    # buckets x_bucket_arn__mutmut_4
    res = Resource(BUCKET, "logs", {"bucket": "phi-logs"}, arn="")
    assert bucket_arn(res) == "arn:aws:s3:::phi-logs"


@pytest.mark.parametrize(
    ("region", "arn"),
    [
        ("us-east-1", "arn:aws:s3:::phi-logs"),
        (None, "arn:aws:s3:::phi-logs"),
        ("us-gov-west-1", "arn:aws-us-gov:s3:::phi-logs"),
        ("cn-north-1", "arn:aws-cn:s3:::phi-logs"),
    ],
)
def test_a_built_arn_takes_the_partition_of_the_region(region, arn):
    # buckets x_bucket_arn__mutmut_19/21/23/24
    assert bucket_arn(bucket(region=region, bucket="phi-logs")) == arn


def test_the_bucket_id_names_it_when_the_name_property_is_absent():
    assert bucket_arn(Resource(BUCKET, "logs", {}, id="phi-logs-id")) == "arn:aws:s3:::phi-logs-id"


@pytest.mark.parametrize("props", [{}, {"bucket": ""}, {"bucket": 1234}])
def test_a_bucket_without_a_textual_name_has_no_arn(props):
    # buckets x_bucket_arn__mutmut_10/13
    with pytest.raises(Undecidable) as caught:
        bucket_arn(bucket(**props))
    assert str(caught.value) == "the name of bucket logs is not known yet"


# -- what delivers logs into a bucket (_named_in) ----------------------------------------------


def test_a_logging_target_that_cannot_be_seen_is_named_in_the_reason():
    # buckets x__named_in__mutmut_21
    target = bucket(bucket="phi-logs")
    hidden = Resource(LOGGING, "app-logging", {"bucket": "app", "target_bucket": UNKNOWN})
    with pytest.raises(Undecidable) as caught:
        s3_access_log_sources(target, Inventory([target, hidden]))
    assert str(caught.value) == (
        "the log bucket named by app-logging is not known yet (computed at deployment)"
    )


def test_the_first_source_that_cannot_be_seen_is_the_one_named():
    # buckets x__named_in__mutmut_8 (a later hidden source must not replace the first)
    target = bucket(bucket="phi-logs")
    untargeted = Resource(LOGGING, "quiet", {"bucket": "quiet"})
    first = Resource(LOGGING, "first-logging", {"bucket": "a", "target_bucket": UNKNOWN})
    second = Resource(LOGGING, "second-logging", {"bucket": "b", "target_bucket": UNKNOWN})
    assert s3_access_log_sources(target, Inventory([target, untargeted])) == []
    with pytest.raises(Undecidable) as caught:
        s3_access_log_sources(target, Inventory([target, untargeted, first, second]))
    assert str(caught.value) == (
        "the log bucket named by first-logging is not known yet (computed at deployment)"
    )


def test_access_logs_and_load_balancer_logs_are_indexed_apart():
    target = bucket(bucket="phi-logs")
    logging = Resource(LOGGING, "app-logging", {"bucket": "app", "target_bucket": "phi-logs"})
    alb = Resource(ALB, "web", {"access_logs": {"bucket": "phi-logs", "enabled": True}})
    inv = Inventory([target, logging, alb])
    assert log_deliveries(target, inv) == [logging.address, alb.address]
    assert s3_access_log_sources(target, inv) == [logging.address]
