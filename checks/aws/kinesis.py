"""Kinesis: data streams and Firehose delivery streams encrypted at rest (control KIN-01).

A delivery stream that reads a Kinesis data stream cannot be given server-side encryption of its
own: the records rest in the source stream, whose encryption decides. One that reads an MSK
topic leaves the records in the MSK cluster, whose encryption is MSK's.
"""

from __future__ import annotations

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.joins import resolve
from checks.support.props import blocks, flag, known

CHECKS: list[Check] = []

STREAM = "aws:kinesis/stream:Stream"
DELIVERY_STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"


def _stream_verdict(stream: Resource) -> Result:
    # encryption_type: the provider's (and AWS's) default is NONE.
    kind = str(known(stream, "encryption_type", "NONE") or "NONE").upper()
    key = known(stream, "kms_key_id") if kind == "KMS" else None
    if kind == "KMS":
        return passed(f"{stream.name} is encrypted with KMS ({key})", encryption_type=kind, key=key)
    return failed(f"{stream.name} is not encrypted at rest", encryption_type=kind, key=None)


@check(
    into=CHECKS,
    id="kinesis_stream_encrypted",
    control="KIN-01",
    title="Kinesis data stream is encrypted at rest",
    severity=Severity.HIGH,
    config_rule="kinesis-stream-encrypted",
    resource_types=(STREAM,),
    remediation="Set encryption_type='KMS' with kms_key_id (a CMK, or alias/aws/kinesis).",
    pulumi_fix='aws.kinesis.Stream("events", ..., encryption_type="KMS",\n'
    "    kms_key_id=streams_key.arn)",
)
def kinesis_stream_encrypted(res: Resource, inv: Inventory) -> Result:
    """Records carrying ePHI rest encrypted in the stream's shards."""
    return _stream_verdict(res)


@check(
    into=CHECKS,
    id="firehose_delivery_stream_encrypted",
    control="KIN-01",
    title="Kinesis Firehose delivery stream is encrypted at rest",
    severity=Severity.HIGH,
    config_rule="kinesis-firehose-delivery-stream-encrypted",
    resource_types=(DELIVERY_STREAM,),
    reads=(STREAM,),
    remediation=(
        "Direct PUT: set server_side_encryption {enabled: True, key_type: "
        "'CUSTOMER_MANAGED_CMK', key_arn}; a Kinesis source: encrypt the source stream."
    ),
    pulumi_fix='aws.kinesis.FirehoseDeliveryStream("audit-export", ..., server_side_encryption={\n'
    '    "enabled": True, "key_type": "CUSTOMER_MANAGED_CMK", "key_arn": firehose_key.arn})',
)
def firehose_delivery_stream_encrypted(res: Resource, inv: Inventory) -> Result:
    """Records buffered by Firehose on their way to the destination rest encrypted."""
    if blocks(known(res, "msk_source_configuration")):
        return not_applicable("an MSK source: the records rest in the MSK cluster")
    source = blocks(known(res, "kinesis_source_configuration"))
    if source:
        ref = source[0].get("kinesis_stream_arn")
        stream = resolve(inv, ref, (STREAM,), f"kinesis_stream_arn of {res.name}")
        if stream is None:
            raise Undecidable(f"the source stream {ref} is not in the inventory")
        return _stream_verdict(stream)
    sse = blocks(known(res, "server_side_encryption"))
    # server_side_encryption.enabled: the provider's default is false; key_type's AWS_OWNED_CMK.
    if sse and flag(sse[0].get("enabled")):
        key_type = str(sse[0].get("key_type") or "AWS_OWNED_CMK")
        return passed(f"server-side encryption with {key_type}", enabled=True, key_type=key_type)
    return failed("server-side encryption is off", enabled=False, key_type=None)
