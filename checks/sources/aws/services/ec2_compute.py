"""Live collectors for EC2 compute: instances (metadata options, block devices, instance
profile, user data), launch templates (their latest version), launch configurations, EBS
volumes, and the region's account-wide defaults (EBS encryption by default and its KMS key,
instance metadata defaults), each as the resource the Pulumi provider reads back for it.

User data is configuration the checks read for plaintext secrets: it goes into the inventory
(never into a report, which shows no property values) base64-encoded, as AWS returns it and as
the provider's `user_data_base64` holds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.services.ec2_network import ec2_arn, tags_of
from checks.sources.aws.shapes import present

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
VOLUME = "aws:ebs/volume:Volume"
ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
DEFAULT_KMS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey"
METADATA_DEFAULTS = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"

# AWS's metadata option fields and the provider's names for them.
_METADATA_FIELDS = {
    "HttpEndpoint": "http_endpoint",
    "HttpTokens": "http_tokens",
    "HttpPutResponseHopLimit": "http_put_response_hop_limit",
    "HttpProtocolIpv6": "http_protocol_ipv6",
    "InstanceMetadataTags": "instance_metadata_tags",
}
_IMAGE_FILTER_SIZE = 100  # image ids per DescribeImages filter


def metadata_options(options: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """AWS's MetadataOptions as the provider's `metadata_options` block."""
    if not options:
        return None
    found = {name: options[key] for key, name in _METADATA_FIELDS.items() if key in options}
    return found or None


def _text_flag(value: Any) -> str | None:
    """A launch template's tri-state boolean, which the provider types as text."""
    return None if value is None else ("true" if value else "false")


# -- instances ----------------------------------------------------------------------------------


def _device(mapping: Mapping[str, Any], volume: Mapping[str, Any]) -> dict[str, Any]:
    return present(
        {
            "device_name": mapping.get("DeviceName"),
            "volume_id": volume["VolumeId"],
            "encrypted": bool(volume.get("Encrypted")),
            "kms_key_id": volume.get("KmsKeyId"),
            "volume_size": volume.get("Size"),
            "volume_type": volume.get("VolumeType"),
            "iops": volume.get("Iops"),
            "throughput": volume.get("Throughput"),
            "delete_on_termination": (mapping.get("Ebs") or {}).get("DeleteOnTermination"),
        }
    )


def _volume_ids(inst: Mapping[str, Any]) -> list[str]:
    return [
        m["Ebs"]["VolumeId"]
        for m in inst.get("BlockDeviceMappings") or ()
        if (m.get("Ebs") or {}).get("VolumeId")
    ]


def _instance_props(inst: Mapping[str, Any], volumes: Mapping[str, Any]) -> dict[str, Any]:
    """An instance's props, its block devices filled in from its volumes."""
    root, others = None, []
    for mapping in inst.get("BlockDeviceMappings") or ():
        if not (mapping.get("Ebs") or {}).get("VolumeId"):
            continue
        device = _device(mapping, volumes[mapping["Ebs"]["VolumeId"]])
        if mapping.get("DeviceName") == inst.get("RootDeviceName"):
            root = device
        else:
            others.append(device)
    profile = (inst.get("IamInstanceProfile") or {}).get("Arn")
    interfaces = inst.get("NetworkInterfaces") or ()
    return present(
        {
            "ami": inst.get("ImageId"),
            "instance_type": inst.get("InstanceType"),
            "key_name": inst.get("KeyName"),
            "availability_zone": (inst.get("Placement") or {}).get("AvailabilityZone"),
            "tenancy": (inst.get("Placement") or {}).get("Tenancy"),
            "subnet_id": inst.get("SubnetId"),
            "vpc_security_group_ids": sorted(
                g["GroupId"] for g in inst.get("SecurityGroups") or ()
            ),
            "associate_public_ip_address": bool(inst.get("PublicIpAddress")),
            "public_ip": inst.get("PublicIpAddress"),
            "private_ip": inst.get("PrivateIpAddress"),
            "ipv6_addresses": sorted(
                a["Ipv6Address"] for n in interfaces for a in n.get("Ipv6Addresses") or ()
            ),
            "iam_instance_profile": profile.rsplit("/", 1)[-1] if profile else None,
            "metadata_options": metadata_options(inst.get("MetadataOptions")),
            "root_block_device": root,
            "ebs_block_devices": others,
            "ebs_optimized": inst.get("EbsOptimized"),
            "monitoring": (inst.get("Monitoring") or {}).get("State") in ("enabled", "pending"),
            "source_dest_check": inst.get("SourceDestCheck"),
            "instance_state": (inst.get("State") or {}).get("Name"),
            "tags": tags_of(inst),
        }
    )


def _instances(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    found = [
        inst
        for reservation in ctx.pages(client, "DescribeInstances", "Reservations")
        for inst in reservation.get("Instances") or ()
        if (inst.get("State") or {}).get("Name") != "terminated"
    ]
    if not found:
        return
    # Listed after the instances, so every volume they name is there unless it is being deleted.
    volumes = {v["VolumeId"]: v for v in ctx.pages(client, "DescribeVolumes", "Volumes")}
    with Misses(ctx, (INSTANCE,), "instance") as missed:
        for inst in found:
            ident = inst["InstanceId"]
            with missed.of(ident):
                unlisted = [v for v in _volume_ids(inst) if v not in volumes]
                if unlisted:  # being deleted, or attached since: what it holds is not known
                    raise CollectionError(f"the volume {unlisted[0]} is not in DescribeVolumes")
                props = _instance_props(inst, volumes)
                answer = ctx.call(
                    client, "DescribeInstanceAttribute", InstanceId=ident, Attribute="userData"
                )
                user_data = (answer.get("UserData") or {}).get("Value")
                if user_data:
                    props["user_data_base64"] = user_data
                arn = ec2_arn(ctx, "instance", ident)
                yield ctx.resource(INSTANCE, ident, props, id=ident, arn=arn)


# -- launch templates and configurations --------------------------------------------------------


def _template_ebs(ebs: Mapping[str, Any]) -> dict[str, Any]:
    return present(
        {
            "encrypted": _text_flag(ebs.get("Encrypted")),
            "delete_on_termination": _text_flag(ebs.get("DeleteOnTermination")),
            "kms_key_id": ebs.get("KmsKeyId"),
            "snapshot_id": ebs.get("SnapshotId"),
            "volume_size": ebs.get("VolumeSize"),
            "volume_type": ebs.get("VolumeType"),
            "iops": ebs.get("Iops"),
            "throughput": ebs.get("Throughput"),
        }
    )


def _template_interface(nic: Mapping[str, Any]) -> dict[str, Any]:
    return present(
        {
            "associate_public_ip_address": _text_flag(nic.get("AssociatePublicIpAddress")),
            "delete_on_termination": _text_flag(nic.get("DeleteOnTermination")),
            "device_index": nic.get("DeviceIndex"),
            "subnet_id": nic.get("SubnetId"),
            "network_interface_id": nic.get("NetworkInterfaceId"),
            "security_groups": list(nic["Groups"]) if nic.get("Groups") else None,
            "description": nic.get("Description"),
        }
    )


def template_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """A launch template version's LaunchTemplateData as the provider's LaunchTemplate props."""
    profile = data.get("IamInstanceProfile") or {}
    mappings = [
        present(
            {
                "device_name": m.get("DeviceName"),
                "no_device": m.get("NoDevice"),
                "virtual_name": m.get("VirtualName"),
                "ebs": _template_ebs(m["Ebs"]) if m.get("Ebs") else None,
            }
        )
        for m in data.get("BlockDeviceMappings") or ()
    ]
    return present(
        {
            "image_id": data.get("ImageId"),
            "instance_type": data.get("InstanceType"),
            "key_name": data.get("KeyName"),
            "user_data": data.get("UserData"),
            "ebs_optimized": _text_flag(data.get("EbsOptimized")),
            "iam_instance_profile": present(
                {"arn": profile.get("Arn"), "name": profile.get("Name")}
            )
            or None,
            "metadata_options": metadata_options(data.get("MetadataOptions")),
            "block_device_mappings": mappings or None,
            "network_interfaces": [
                _template_interface(n) for n in data.get("NetworkInterfaces") or ()
            ]
            or None,
            "vpc_security_group_ids": data.get("SecurityGroupIds"),
            "security_group_names": data.get("SecurityGroups"),
            "tag_specifications": [
                {"resource_type": t.get("ResourceType"), "tags": tags_of(t)}
                for t in data.get("TagSpecifications") or ()
            ]
            or None,
            "monitoring": (
                {"enabled": bool(data["Monitoring"].get("Enabled"))}
                if data.get("Monitoring")
                else None
            ),
            "disable_api_termination": data.get("DisableApiTermination"),
            "instance_initiated_shutdown_behavior": data.get("InstanceInitiatedShutdownBehavior"),
        }
    )


def _launch_templates(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    templates = ctx.pages(client, "DescribeLaunchTemplates", "LaunchTemplates")
    with Misses(ctx, (LAUNCH_TEMPLATE,), "launch template") as missed:
        for template in templates:
            ident = template["LaunchTemplateId"]
            with missed.of(ident):
                answer = ctx.call(
                    client,
                    "DescribeLaunchTemplateVersions",
                    LaunchTemplateId=ident,
                    Versions=["$Latest"],
                )
                latest = (answer.get("LaunchTemplateVersions") or [{}])[0]
                props = {
                    "name": template.get("LaunchTemplateName"),
                    "description": latest.get("VersionDescription"),
                    "default_version": template.get("DefaultVersionNumber"),
                    "latest_version": template.get("LatestVersionNumber"),
                    **template_data(latest.get("LaunchTemplateData") or {}),
                    "tags": tags_of(template),
                }
                name = template.get("LaunchTemplateName") or ident
                arn = ec2_arn(ctx, "launch-template", ident)
                yield ctx.resource(LAUNCH_TEMPLATE, name, present(props), id=ident, arn=arn)


def _root_devices(ctx: Context, image_ids: Iterable[str]) -> dict[str, str]:
    """The root device name of each image still visible to the account."""
    ids, roots = sorted(set(image_ids)), {}
    for start in range(0, len(ids), _IMAGE_FILTER_SIZE):
        wanted = [{"Name": "image-id", "Values": ids[start : start + _IMAGE_FILTER_SIZE]}]
        for image in ctx.pages(ctx.client("ec2"), "DescribeImages", "Images", Filters=wanted):
            if image.get("RootDeviceName"):
                roots[image["ImageId"]] = image["RootDeviceName"]
    return roots


def _configuration_device(mapping: Mapping[str, Any]) -> dict[str, Any]:
    ebs = mapping.get("Ebs") or {}
    return present(
        {
            "device_name": mapping.get("DeviceName"),
            "encrypted": ebs.get("Encrypted"),
            "snapshot_id": ebs.get("SnapshotId"),
            "volume_size": ebs.get("VolumeSize"),
            "volume_type": ebs.get("VolumeType"),
            "iops": ebs.get("Iops"),
            "throughput": ebs.get("Throughput"),
            "delete_on_termination": ebs.get("DeleteOnTermination"),
            "no_device": mapping.get("NoDevice"),
        }
    )


def _launch_configurations(ctx: Context) -> Iterator[Resource]:
    found = list(ctx.pages(ctx.client(), "DescribeLaunchConfigurations", "LaunchConfigurations"))
    # Which mapping is the root device is the image's to say, as the provider reads it; when
    # the image is gone every mapping is listed as an extra device and the root as undeclared.
    roots = _root_devices(ctx, (c["ImageId"] for c in found if c.get("ImageId"))) if found else {}
    for config in found:
        name = config["LaunchConfigurationName"]
        root_name = roots.get(config.get("ImageId", ""))
        ebs = [m for m in config.get("BlockDeviceMappings") or () if m.get("Ebs")]
        root = [
            {k: v for k, v in _configuration_device(m).items() if k != "no_device"}
            for m in ebs
            if m.get("DeviceName") == root_name
        ]
        props = {
            "name": name,
            "image_id": config.get("ImageId"),
            "instance_type": config.get("InstanceType"),
            "key_name": config.get("KeyName") or None,
            "iam_instance_profile": config.get("IamInstanceProfile"),
            "security_groups": config.get("SecurityGroups"),
            "associate_public_ip_address": config.get("AssociatePublicIpAddress"),
            "user_data_base64": config.get("UserData") or None,
            "enable_monitoring": (config.get("InstanceMonitoring") or {}).get("Enabled"),
            "ebs_optimized": config.get("EbsOptimized"),
            "placement_tenancy": config.get("PlacementTenancy"),
            "metadata_options": metadata_options(config.get("MetadataOptions")),
            "root_block_device": root[0] if root else None,
            "ebs_block_devices": [
                _configuration_device(m) for m in ebs if m.get("DeviceName") != root_name
            ],
        }
        arn = config.get("LaunchConfigurationARN")
        yield ctx.resource(LAUNCH_CONFIGURATION, name, present(props), id=name, arn=arn)


# -- volumes and the region's defaults ----------------------------------------------------------


def _volumes(ctx: Context) -> Iterator[Resource]:
    for volume in ctx.pages(ctx.client(), "DescribeVolumes", "Volumes"):
        ident = volume["VolumeId"]
        props = {
            "availability_zone": volume.get("AvailabilityZone"),
            "encrypted": bool(volume.get("Encrypted")),
            "kms_key_id": volume.get("KmsKeyId"),
            "size": volume.get("Size"),
            "type": volume.get("VolumeType"),
            "iops": volume.get("Iops"),
            "throughput": volume.get("Throughput"),
            "snapshot_id": volume.get("SnapshotId") or None,
            "multi_attach_enabled": volume.get("MultiAttachEnabled"),
            "outpost_arn": volume.get("OutpostArn"),
            "tags": tags_of(volume),
        }
        arn = ec2_arn(ctx, "volume", ident)
        yield ctx.resource(VOLUME, ident, present(props), id=ident, arn=arn)


def _encryption_by_default(ctx: Context) -> Iterator[Resource]:
    answer = ctx.call(ctx.client(), "GetEbsEncryptionByDefault")
    props = {"enabled": bool(answer["EbsEncryptionByDefault"])}
    yield ctx.resource(ENCRYPTION_BY_DEFAULT, "ebs-encryption-by-default", props, id=ctx.region)


def _default_kms_key(ctx: Context) -> Iterator[Resource]:
    answer = ctx.call(ctx.client(), "GetEbsDefaultKmsKeyId")
    props = present({"key_arn": answer.get("KmsKeyId")})
    yield ctx.resource(DEFAULT_KMS_KEY, "ebs-default-kms-key", props, id=ctx.region)


def _metadata_defaults(ctx: Context) -> Iterator[Resource]:
    account_level = ctx.call(ctx.client(), "GetInstanceMetadataDefaults").get("AccountLevel")
    props = metadata_options(account_level) or {}
    yield ctx.resource(METADATA_DEFAULTS, "instance-metadata-defaults", props, id=ctx.region)


COLLECTORS: list[Collector] = [
    Collector(
        "ec2",
        (INSTANCE,),
        ("ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeInstanceAttribute"),
        _instances,
    ),
    Collector(
        "ec2",
        (LAUNCH_TEMPLATE,),
        ("ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"),
        _launch_templates,
    ),
    Collector(
        "autoscaling",
        (LAUNCH_CONFIGURATION,),
        ("autoscaling:DescribeLaunchConfigurations", "ec2:DescribeImages"),
        _launch_configurations,
    ),
    Collector("ec2", (VOLUME,), ("ec2:DescribeVolumes",), _volumes),
    Collector(
        "ec2", (ENCRYPTION_BY_DEFAULT,), ("ec2:GetEbsEncryptionByDefault",), _encryption_by_default
    ),
    Collector("ec2", (DEFAULT_KMS_KEY,), ("ec2:GetEbsDefaultKmsKeyId",), _default_kms_key),
    Collector(
        "ec2", (METADATA_DEFAULTS,), ("ec2:GetInstanceMetadataDefaults",), _metadata_defaults
    ),
]
