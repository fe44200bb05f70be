"""Each embedded emulator starts as a fresh, empty account, even when an earlier one in the same
process left resources behind (moto keeps its accounts in process memory, shared by every
server it runs). A test run that reuses a worker process found a trail and a detector left by
another test file, and its account-level findings vanished."""

from __future__ import annotations

import boto3

from checks.sources.aws.emulator import CREDENTIALS, Emulator


def _s3(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=CREDENTIALS["AWS_SESSION_TOKEN"],
    )


def test_a_new_emulator_does_not_see_what_an_earlier_one_left():
    with Emulator() as first:
        _s3(first.endpoint).create_bucket(Bucket="left-behind")
        assert [b["Name"] for b in _s3(first.endpoint).list_buckets()["Buckets"]] == ["left-behind"]
    with Emulator() as second:
        assert _s3(second.endpoint).list_buckets()["Buckets"] == []
