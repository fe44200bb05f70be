"""Auto Scaling: a group behind a load balancer replaces the instances the load balancer finds
unhealthy, not only those EC2 finds stopped (control ASG-01).

A group names its load balancers itself (`load_balancers`, `target_group_arns`,
`traffic_sources`) or through attachment resources declared apart (`aws.autoscaling.Attachment`,
`aws.autoscaling.TrafficSourceAttachment`), which name it by `autoscaling_group_name`.
"""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.joins import referrers
from checks.support.props import blocks, known

CHECKS: list[Check] = []

GROUP = "aws:autoscaling/group:Group"
ATTACHMENT = "aws:autoscaling/attachment:Attachment"
TRAFFIC_SOURCE_ATTACHMENT = "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment"
# Health check types that ask the load balancer (or VPC Lattice) whether an instance serves.
LOAD_BALANCER_CHECKS = ("ELB", "VPC_LATTICE")


def _load_balancers(res: Resource, inv: Inventory) -> list[str]:
    found = [
        str(x) for key in ("load_balancers", "target_group_arns") for x in known(res, key) or []
    ]
    found += [str(t.get("identifier")) for t in blocks(known(res, "traffic_sources"))]
    for attachment in referrers(
        inv, res, (ATTACHMENT, TRAFFIC_SOURCE_ATTACHMENT), "autoscaling_group_name"
    ):
        if attachment.type == ATTACHMENT:
            found += [str(v) for k in ("elb", "lb_target_group_arn") if (v := known(attachment, k))]
        else:
            found += [str(t.get("identifier")) for t in blocks(known(attachment, "traffic_source"))]
    return found


@check(
    into=CHECKS,
    id="autoscaling_group_elb_healthcheck",
    control="ASG-01",
    title="Auto Scaling group behind a load balancer uses its health checks",
    severity=Severity.LOW,
    config_rule="autoscaling-group-elb-healthcheck-required",
    resource_types=(GROUP,),
    reads=(ATTACHMENT, TRAFFIC_SOURCE_ATTACHMENT),
    remediation=(
        "Set health_check_type='ELB' (with a health_check_grace_period long enough for the "
        "application to start), so an instance that stops serving is replaced."
    ),
    pulumi_fix='aws.autoscaling.Group("workers", ..., target_group_arns=[tg.arn],\n'
    '    health_check_type="ELB", health_check_grace_period=300)',
)
def autoscaling_group_elb_healthcheck(res: Resource, inv: Inventory) -> Result:
    """A host that stops serving is replaced, keeping the service available (audit of health
    events through the load balancer's checks)."""
    balancers = _load_balancers(res, inv)
    if not balancers:
        return not_applicable("the group is behind no load balancer")
    # Unset: the provider's and AWS's default, EC2 (instance status checks only). AWS takes a
    # comma-separated list (`EC2,ELB`); EC2 is always on.
    kinds = [k.strip() for k in str(known(res, "health_check_type", "EC2")).split(",")]
    evidence = {"health_check_type": kinds, "load_balancers": balancers}
    if any(k in LOAD_BALANCER_CHECKS for k in kinds):
        return passed("the load balancer's health checks decide replacement", **evidence)
    return failed("only EC2 status checks decide replacement", **evidence)
