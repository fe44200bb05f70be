"""Kinesis checks on hand-built inventories: data streams encrypted with KMS, Firehose delivery
streams encrypted themselves or through their source stream."""

from __future__ import annotations

import pytest

from checks.aws.kinesis import firehose_delivery_stream_encrypted, kinesis_stream_encrypted
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

STREAM_ARN = "arn:aws:kinesis:us-east-1:1:stream/events"
KEY = "arn:aws:kms:us-east-1:1:key/k"


def stream(**props) -> Resource:
    base = {"name": "events", "shard_count": 1}
    return Resource("aws:kinesis/stream:Stream", "events", {**base, **props}, arn=STREAM_ARN)


def delivery(**props) -> Resource:
    base = {"name": "export", "destination": "extended_s3"}
    return Resource(
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "export", {**base, **props}
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- kinesis_stream_encrypted --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["KMS", "kms"])
def test_a_kms_encrypted_stream_passes(kind):
    result = run(kinesis_stream_encrypted, stream(encryption_type=kind, kms_key_id=KEY))
    assert (result.status, result.evidence) == (Status.PASS, {"encryption_type": "KMS", "key": KEY})


@pytest.mark.parametrize("props", [{}, {"encryption_type": "NONE"}])
def test_an_unencrypted_stream_fails_and_none_is_the_default(props):
    result = run(kinesis_stream_encrypted, stream(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"encryption_type": "NONE", "key": None},
    )


def test_verdicts_name_the_stream_and_its_key():
    encrypted = run(kinesis_stream_encrypted, stream(encryption_type="KMS", kms_key_id=KEY))
    plain = run(kinesis_stream_encrypted, stream())
    assert (encrypted.status, encrypted.message) == (
        Status.PASS,
        f"events is encrypted with KMS ({KEY})",
    )
    assert (plain.status, plain.message) == (Status.FAIL, "events is not encrypted at rest")


def test_an_encryption_type_recorded_empty_reads_as_none():
    result = run(kinesis_stream_encrypted, stream(encryption_type=None))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"encryption_type": "NONE", "key": None},
    )


def test_a_hidden_key_of_an_unencrypted_stream_does_not_matter():
    # The key may be computed at deploy; with encryption off it protects nothing either way.
    result = run(kinesis_stream_encrypted, stream(encryption_type="NONE", kms_key_id=UNKNOWN))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"encryption_type": "NONE", "key": None},
    )


@pytest.mark.parametrize("hidden", [UNKNOWN, SECRET])
def test_a_hidden_encryption_type_is_not_evaluated(hidden):
    with pytest.raises(Undecidable, match="encryption_type of events"):
        run(kinesis_stream_encrypted, stream(encryption_type=hidden))


# -- firehose_delivery_stream_encrypted ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sse", "key_type"),
    [({"enabled": True}, "AWS_OWNED_CMK"),
     ({"enabled": True, "key_type": "CUSTOMER_MANAGED_CMK", "key_arn": KEY},
      "CUSTOMER_MANAGED_CMK")],
)  # fmt: skip
def test_a_direct_put_stream_with_sse_passes(sse, key_type):
    result = run(firehose_delivery_stream_encrypted, delivery(server_side_encryption=sse))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"enabled": True, "key_type": key_type},
    )


@pytest.mark.parametrize("props", [{}, {"server_side_encryption": {"enabled": False}}])
def test_a_direct_put_stream_without_sse_fails_off_being_the_default(props):
    result = run(firehose_delivery_stream_encrypted, delivery(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"enabled": False, "key_type": None})


def test_a_stream_source_is_judged_by_the_source_streams_encryption():
    source = {"kinesis_stream_arn": STREAM_ARN, "role_arn": "arn:aws:iam::1:role/firehose"}
    res = delivery(kinesis_source_configuration=source)
    encrypted = run(firehose_delivery_stream_encrypted, res, stream(encryption_type="KMS",
                                                                    kms_key_id=KEY))  # fmt: skip
    plain = run(firehose_delivery_stream_encrypted, res, stream())
    assert (encrypted.status, encrypted.evidence) == (
        Status.PASS,
        {"encryption_type": "KMS", "key": KEY},
    )
    assert (plain.status, plain.evidence) == (Status.FAIL, {"encryption_type": "NONE", "key": None})


def test_a_source_stream_outside_the_inventory_is_not_evaluated():
    source = {"kinesis_stream_arn": STREAM_ARN, "role_arn": "arn:aws:iam::1:role/firehose"}
    with pytest.raises(Undecidable, match="source stream .* is not in the inventory"):
        run(firehose_delivery_stream_encrypted, delivery(kinesis_source_configuration=source))


def test_an_msk_source_is_not_applicable():
    auth = {"connectivity": "PRIVATE", "role_arn": "r"}
    source = {"msk_cluster_arn": "arn:aws:kafka:us-east-1:1:cluster/c/1", "topic_name": "t",
              "authentication_configuration": auth}  # fmt: skip
    result = run(firehose_delivery_stream_encrypted, delivery(msk_source_configuration=source))
    assert result.status is Status.NOT_APPLICABLE


def test_hidden_server_side_encryption_is_not_evaluated():
    with pytest.raises(Undecidable, match="server_side_encryption of export"):
        run(
            firehose_delivery_stream_encrypted,
            delivery(server_side_encryption={"enabled": UNKNOWN}),
        )
