"""Live collectors: EFS file systems as `aws.efs.FileSystem` declares them (encryption, key,
tags: a store of ePHI the backup checks look for) and their mount targets as
`aws.efs.MountTarget` (the subnet each one puts the file system in). Files are never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, tag_dict

FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"


def file_system_props(fs: dict[str, Any]) -> dict[str, Any]:
    return present({
        "creation_token": fs.get("CreationToken"),
        "encrypted": fs.get("Encrypted"),
        "kms_key_id": fs.get("KmsKeyId"),
        "performance_mode": fs.get("PerformanceMode"),
        "throughput_mode": fs.get("ThroughputMode"),
        "arn": fs.get("FileSystemArn"),
        "tags": tag_dict(fs.get("Tags")),
    })  # fmt: skip


def _file_systems(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    file_systems = list(ctx.pages(client, "DescribeFileSystems", "FileSystems"))
    for fs in file_systems:
        name = fs.get("Name") or fs["FileSystemId"]
        yield ctx.resource(
            FILE_SYSTEM, name, file_system_props(fs), id=fs["FileSystemId"],
            arn=fs.get("FileSystemArn"),
        )  # fmt: skip
    with Misses(ctx, (MOUNT_TARGET,), "file system") as missed:
        for fs in file_systems:
            with missed.of(fs["FileSystemId"]):
                targets = list(
                    ctx.pages(
                        client, "DescribeMountTargets", "MountTargets",
                        FileSystemId=fs["FileSystemId"],
                    )
                )  # fmt: skip
                for target in targets:
                    props = present({
                        "file_system_id": target.get("FileSystemId"),
                        "subnet_id": target.get("SubnetId"),
                        "ip_address": target.get("IpAddress"),
                    })  # fmt: skip
                    ident = target["MountTargetId"]
                    yield ctx.resource(MOUNT_TARGET, ident, props, id=ident)


COLLECTORS: list[Collector] = [
    Collector(
        "efs",
        (FILE_SYSTEM, MOUNT_TARGET),
        ("elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets"),
        _file_systems,
    )
]
