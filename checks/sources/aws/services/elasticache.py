"""Live collector: ElastiCache subnet groups as `aws.elasticache.SubnetGroup` declares them (the
subnets a cache, which may hold ePHI, is placed in). Cached data is never read."""

from __future__ import annotations

from collections.abc import Iterator

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present

SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"


def _subnet_groups(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    for group in ctx.pages(client, "DescribeCacheSubnetGroups", "CacheSubnetGroups"):
        name = group["CacheSubnetGroupName"]
        props = present({
            "name": name,
            "description": group.get("CacheSubnetGroupDescription"),
            "subnet_ids": [
                s["SubnetIdentifier"] for s in group.get("Subnets") or () if "SubnetIdentifier" in s
            ],
        })  # fmt: skip
        yield ctx.resource(SUBNET_GROUP, name, props, id=name, arn=group.get("ARN"))


COLLECTORS: list[Collector] = [
    Collector(
        "elasticache",
        (SUBNET_GROUP,),
        ("elasticache:DescribeCacheSubnetGroups",),
        _subnet_groups,
    )
]
