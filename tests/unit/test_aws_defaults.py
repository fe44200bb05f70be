"""AWS defaults that changed over time hold by creation date (checks/support/aws_defaults.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from checks.model import Resource, Undecidable
from checks.support.aws_defaults import S3_NEW_BUCKET_LOCKDOWN, _created_on, created_now

SINCE = dt.date(2023, 4, 28)


def bucket(source: str, created: str | None = None) -> Resource:
    return Resource("aws:s3/bucket:Bucket", "b", {}, source=source, created=created)


def test_the_date_is_the_end_of_the_april_2023_rollout():
    assert S3_NEW_BUCKET_LOCKDOWN == SINCE


@pytest.mark.parametrize(
    ("source", "created", "holds"),
    [
        ("state", "2023-04-28T00:00:00Z", True),
        ("state", "2023-04-27T23:59:59Z", False),
        ("state", "2026-11-24T12:00:06.338012476Z", True),
        ("preview", "2019-06-01T10:00:00Z", False),
        ("preview", "0001-01-01T00:00:00Z", True),  # the zero time says nothing: created now
        ("preview", None, True),
        ("program", None, True),
        ("aws", None, False),
        ("aws", "2024-01-01T00:00:00Z", True),
    ],
)
def test_a_default_holds_for_resources_created_since_its_date(source, created, holds):
    assert created_now(bucket(source, created), "public access block", SINCE) is holds


@pytest.mark.parametrize("created", [None, "0001-01-01T00:00:00Z", "yesterday"])
def test_a_state_file_that_does_not_say_when_is_undecidable(created):
    with pytest.raises(Undecidable, match="does not say when"):
        created_now(bucket("state", created), "public access block", SINCE)


@pytest.mark.parametrize(
    ("created", "day"),
    [
        ("2006-01-01T00:00:00Z", dt.date(2006, 1, 1)),  # AWS's first year counts
        ("2006-12-31T23:59:59Z", dt.date(2006, 12, 31)),
        ("2005-12-31T23:59:59Z", None),  # before AWS: not a real creation date
    ],
)
def test_a_creation_date_counts_from_the_year_aws_began(created, day):
    # aws_defaults x__created_on__mutmut_7/8
    assert _created_on(bucket("state", created)) == day


def test_a_state_bucket_made_in_2006_predates_the_default():
    made = bucket("state", "2006-06-01T00:00:00Z")
    assert created_now(made, "public access block", SINCE) is False
