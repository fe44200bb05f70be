"""Live collector: the account's active EMR clusters as `aws.emr.Cluster` declares them, and the
security configurations they name (`aws.emr.SecurityConfiguration`). Configuration only: never
a step's output, a log or the data a cluster reads.

Only the security configurations clusters use are read, by name (the checks need no other, and
the emulator does not answer ListSecurityConfigurations).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, tag_dict

CLUSTER = "aws:emr/cluster:Cluster"
SECURITY_CONFIGURATION = "aws:emr/securityConfiguration:SecurityConfiguration"
# Clusters that run or are about to (terminated ones are history, as AWS Config skips them).
ACTIVE_STATES = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]


def _joined(groups: Any) -> str | None:
    """AWS's list of security group ids as the provider's comma-separated text."""
    return ",".join(groups) if groups else None


def _ec2_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not attributes:
        return None
    return present({
        "subnet_id": attributes.get("Ec2SubnetId"),
        "subnet_ids": attributes.get("RequestedEc2SubnetIds") or None,
        "key_name": attributes.get("Ec2KeyName"),
        "instance_profile": attributes.get("IamInstanceProfile"),
        "emr_managed_master_security_group": attributes.get("EmrManagedMasterSecurityGroup"),
        "emr_managed_slave_security_group": attributes.get("EmrManagedSlaveSecurityGroup"),
        "service_access_security_group": attributes.get("ServiceAccessSecurityGroup"),
        "additional_master_security_groups": _joined(
            attributes.get("AdditionalMasterSecurityGroups")
        ),
        "additional_slave_security_groups": _joined(
            attributes.get("AdditionalSlaveSecurityGroups")
        ),
    })  # fmt: skip


def cluster_props(cluster: Mapping[str, Any]) -> dict[str, Any]:
    # The KDC and directory passwords are never returned by AWS: only the realm is.
    kerberos = cluster.get("KerberosAttributes") or {}
    return present({
        "name": cluster.get("Name"),
        "release_label": cluster.get("ReleaseLabel"),
        "applications": [a["Name"] for a in cluster.get("Applications") or () if "Name" in a]
        or None,
        "ec2_attributes": _ec2_attributes(cluster.get("Ec2InstanceAttributes")),
        "security_configuration": cluster.get("SecurityConfiguration"),
        "kerberos_attributes": {"realm": kerberos["Realm"]} if kerberos.get("Realm") else None,
        "service_role": cluster.get("ServiceRole"),
        "log_uri": cluster.get("LogUri"),
        "log_encryption_kms_key_id": cluster.get("LogEncryptionKmsKeyId"),
        "master_public_dns": cluster.get("MasterPublicDnsName"),
        "termination_protection": cluster.get("TerminationProtected"),
        "visible_to_all_users": cluster.get("VisibleToAllUsers"),
        "cluster_state": (cluster.get("Status") or {}).get("State"),
        "tags": tag_dict(cluster.get("Tags")),
    })  # fmt: skip


def _clusters(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.pages(client, "ListClusters", "Clusters", ClusterStates=ACTIVE_STATES))
    configurations: set[str] = set()
    with Misses(ctx, (CLUSTER,), "cluster") as missed:
        for entry in listed:
            ident = entry["Id"]
            with missed.of(ident):
                cluster = ctx.call(client, "DescribeCluster", ClusterId=ident)["Cluster"]
                props = cluster_props(cluster)
                if props.get("security_configuration"):
                    configurations.add(props["security_configuration"])
                name = cluster.get("Name") or ident
                yield ctx.resource(CLUSTER, name, props, id=ident, arn=cluster.get("ClusterArn"))
    with Misses(ctx, (SECURITY_CONFIGURATION,), "security configuration") as missed:
        for name in sorted(configurations):
            with missed.of(name):
                answer = ctx.call(client, "DescribeSecurityConfiguration", Name=name)
                props = present(
                    {"name": name, "configuration": answer.get("SecurityConfiguration")}
                )
                yield ctx.resource(SECURITY_CONFIGURATION, name, props, id=name)


COLLECTORS: list[Collector] = [
    Collector(
        "emr",
        (CLUSTER, SECURITY_CONFIGURATION),
        (
            "elasticmapreduce:ListClusters",
            "elasticmapreduce:DescribeCluster",
            "elasticmapreduce:DescribeSecurityConfiguration",
        ),
        _clusters,
    )
]
