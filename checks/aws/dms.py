"""DMS replication instances: no public IP address (control DMS-01)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import flag, known

CHECKS: list[Check] = []

REPLICATION_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
# The provider sends nothing when publicly_accessible is unset, and AWS's CreateReplicationInstance
# then makes the instance public (its documented default is true).
DEFAULT_PUBLICLY_ACCESSIBLE = True


@check(
    into=CHECKS,
    id="dms_replication_not_public",
    control="DMS-01",
    title="DMS replication instance is not publicly accessible",
    severity=Severity.HIGH,
    config_rule="dms-replication-not-public",
    resource_types=(REPLICATION_INSTANCE,),
    remediation=(
        "Set publicly_accessible=False explicitly (AWS makes an instance public when it is "
        "unset) and place it in a replication subnet group of private subnets. The setting "
        "cannot be changed in place: the instance is replaced."
    ),
    pulumi_fix=(
        'aws.dms.ReplicationInstance("migrate", ..., publicly_accessible=False,\n'
        "    replication_subnet_group_id=private_group.id)"
    ),
)
def dms_replication_not_public(res: Resource, inv: Inventory) -> Result:
    """The instance that copies ePHI between databases has no address on the internet."""
    public = flag(known(res, "publicly_accessible", DEFAULT_PUBLICLY_ACCESSIBLE))
    if public:
        return failed("the replication instance has a public IP address", publicly_accessible=True)
    return passed("the replication instance has no public IP address", publicly_accessible=False)
