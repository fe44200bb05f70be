"""Aurora cluster members: RDS instances whose cluster holds their data and decides their
storage, backup and deletion settings."""

from __future__ import annotations

from checks.model import Resource
from checks.registry import Result, not_applicable
from checks.support.resource_types import RDS_INSTANCE


def is_cluster_member(res: Resource) -> bool:
    """An Aurora member instance: its cluster holds its data and is what gets backed up."""
    return res.type == RDS_INSTANCE and res.is_set("cluster_identifier")


def cluster_member(res: Resource) -> Result | None:
    """Aurora member instances inherit storage, backup and deletion settings from the cluster."""
    if res.type == RDS_INSTANCE and res.is_set("cluster_identifier"):
        # Even a not-yet-known identifier means the instance joins a cluster.
        ident = res.props["cluster_identifier"]
        shown = ident if isinstance(ident, str) else repr(ident)
        return not_applicable(
            "Aurora cluster member: the cluster's setting decides", cluster_identifier=shown
        )
    return None
