"""Aurora cluster members: RDS instances whose cluster holds their data and decides their
storage, backup and deletion settings."""

from __future__ import annotations

from checks.model import Resource
from checks.registry import Result, not_applicable
from checks.support.resource_types import RDS_INSTANCE


def is_cluster_member(res: Resource) -> bool:
    """An Aurora member instance: its cluster holds its data and is what gets backed up."""
    return res.type == RDS_INSTANCE and res.props.get("cluster_identifier") is not None


def cluster_member(res: Resource) -> Result | None:
    """Aurora member instances inherit storage, backup and deletion settings from the cluster."""
    ident = res.get("cluster_identifier")
    if res.type == RDS_INSTANCE and ident is not None:
        # Even a not-yet-known identifier means the instance joins a cluster.
        shown = ident if isinstance(ident, str) else repr(ident)
        return not_applicable(
            "Aurora cluster member: the cluster's setting decides", cluster_identifier=shown
        )
    return None
