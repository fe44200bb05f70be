"""AWS Config: the configuration recorder, its delivery channel, and whether it records."""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import Made, Target, physical_name, without_none
from scripts.emulate.inputs import Inputs


def recorder(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target) if "name" in inputs else "default"
    group = inputs.get("recording_group")
    recording: dict[str, Any] = {}
    if group is not None:
        recording = without_none(
            allSupported=group.get("all_supported"),
            includeGlobalResourceTypes=group.get("include_global_resource_types"),
            resourceTypes=group.plain("resource_types"),
        )
    clients("config").put_configuration_recorder(
        ConfigurationRecorder=without_none(
            name=name, roleARN=inputs.require("role_arn"), recordingGroup=recording or None
        )
    )
    return name, {"name": name}


def delivery_channel(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target) if "name" in inputs else "default"
    snapshot = inputs.get("snapshot_delivery_properties")
    frequency = snapshot.get("delivery_frequency") if snapshot is not None else None
    clients("config").put_delivery_channel(
        DeliveryChannel=without_none(
            name=name,
            s3BucketName=inputs.require("s3_bucket_name"),
            s3KeyPrefix=inputs.get("s3_key_prefix"),
            s3KmsKeyArn=inputs.get("s3_kms_key_arn"),
            snsTopicARN=inputs.get("sns_topic_arn"),
            configSnapshotDeliveryProperties={"deliveryFrequency": frequency}
            if frequency
            else None,
        )
    )
    return name, {"name": name}


def recorder_status(inputs: Inputs, target: Target, clients) -> Made:
    config = clients("config")
    name = inputs.require("name")
    if inputs.require("is_enabled"):
        config.start_configuration_recorder(ConfigurationRecorderName=name)
    else:
        config.stop_configuration_recorder(ConfigurationRecorderName=name)
    return name, {}


CREATORS = {
    "aws:cfg/recorder:Recorder": recorder,
    "aws:cfg/deliveryChannel:DeliveryChannel": delivery_channel,
    "aws:cfg/recorderStatus:RecorderStatus": recorder_status,
}
