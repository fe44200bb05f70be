"""Live collector for EKS clusters, as `aws.eks.Cluster` declares them: the API endpoint's
network access, secrets encryption and control-plane logging. Nothing inside the cluster (its
Kubernetes objects, secrets included) is read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present

CLUSTER = "aws:eks/cluster:Cluster"


def cluster_props(cluster: Mapping[str, Any]) -> dict[str, Any]:
    vpc = cluster.get("resourcesVpcConfig") or {}
    logging = (cluster.get("logging") or {}).get("clusterLogging") or []
    encryption = [
        {
            "resources": list(e.get("resources") or []),
            "provider": present({"key_arn": (e.get("provider") or {}).get("keyArn")}),
        }
        for e in cluster.get("encryptionConfig") or []
    ]
    return present({
        "name": cluster.get("name"),
        "arn": cluster.get("arn"),
        "role_arn": cluster.get("roleArn"),
        "version": cluster.get("version"),
        "endpoint": cluster.get("endpoint"),
        "vpc_config": present({
            "vpc_id": vpc.get("vpcId"),
            "subnet_ids": vpc.get("subnetIds"),
            "security_group_ids": vpc.get("securityGroupIds"),
            "cluster_security_group_id": vpc.get("clusterSecurityGroupId"),
            "endpoint_public_access": vpc.get("endpointPublicAccess"),
            "endpoint_private_access": vpc.get("endpointPrivateAccess"),
            "public_access_cidrs": vpc.get("publicAccessCidrs"),
        }),
        "enabled_cluster_log_types": sorted(
            {t for entry in logging if entry.get("enabled") for t in entry.get("types") or []}
        ),
        "encryption_config": encryption[0] if encryption else None,
        "tags": dict(cluster.get("tags") or {}),
    })  # fmt: skip


def _clusters(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    names = list(ctx.pages(client, "ListClusters", "clusters"))
    with Misses(ctx, (CLUSTER,), "cluster") as missed:
        for name in names:
            with missed.of(name):
                cluster = ctx.call(client, "DescribeCluster", name=name).get("cluster") or {}
                arn = cluster.get("arn")
                yield ctx.resource(CLUSTER, name, cluster_props(cluster), id=name, arn=arn)


COLLECTORS: list[Collector] = [
    Collector("eks", (CLUSTER,), ("eks:ListClusters", "eks:DescribeCluster"), _clusters)
]
