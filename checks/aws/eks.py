"""EKS clusters: an API endpoint not open to the whole internet, Kubernetes secrets encrypted
under a customer-managed key, and every control-plane log type sent to CloudWatch Logs
(controls EKS-01, EKS-02, EKS-03)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.cidr import is_internet
from checks.support.props import blocks, flag, known, known_fields

CHECKS: list[Check] = []

CLUSTER = "aws:eks/cluster:Cluster"
# Every control-plane log type EKS can send: the Config rule wants them all.
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# What AWS gives a public endpoint whose program names no CIDR blocks.
DEFAULT_PUBLIC_CIDRS = ("0.0.0.0/0",)


@check(
    into=CHECKS,
    id="eks_endpoint_not_public",
    control="EKS-01",
    title="EKS cluster API endpoint is not open to the whole internet",
    severity=Severity.HIGH,
    config_rule="eks-endpoint-no-public-access",
    resource_types=(CLUSTER,),
    remediation=(
        "Set vpc_config endpoint_private_access=True and endpoint_public_access=False (reach "
        "the API from the VPC or a VPN), or at least list the admin networks in "
        "public_access_cidrs."
    ),
    pulumi_fix='aws.eks.Cluster("claims", ..., vpc_config={"subnet_ids": private_subnet_ids,\n'
    '    "endpoint_private_access": True, "endpoint_public_access": False})',
)
def eks_endpoint_not_public(res: Resource, inv: Inventory) -> Result:
    """The cluster's control plane, which can read every pod's secrets, is not on the internet.

    Looser than AWS's rule in one respect, and says so in its evidence: a public endpoint
    limited to named CIDR blocks passes here (the allow-list is a network control of its own);
    AWS's rule fails every public endpoint."""
    fields = ("endpoint_public_access", "public_access_cidrs")
    config = (known_fields(res, "vpc_config", *fields) or [{}])[0]
    # Unset endpoint_public_access: the provider's and AWS's default, True.
    public = config.get("endpoint_public_access")
    public = True if public is None else flag(public)
    cidrs = list(config.get("public_access_cidrs") or DEFAULT_PUBLIC_CIDRS) if public else []
    evidence = {"endpoint_public_access": public, "public_access_cidrs": cidrs}
    if any(is_internet(c) for c in cidrs):
        return failed("the API endpoint accepts connections from anywhere", **evidence)
    if public:
        return passed(f"the public endpoint admits only {', '.join(cidrs)}", **evidence)
    return passed("the API endpoint is private", **evidence)


@check(
    into=CHECKS,
    id="eks_secrets_encrypted",
    control="EKS-02",
    title="EKS cluster encrypts Kubernetes secrets with a customer-managed KMS key",
    severity=Severity.MEDIUM,
    config_rule="eks-secrets-encrypted",
    resource_types=(CLUSTER,),
    remediation=(
        "Set encryption_config with resources=['secrets'] and provider key_arn a "
        "customer-managed key (it cannot be removed once set)."
    ),
    pulumi_fix='aws.eks.Cluster("claims", ..., encryption_config={"resources": ["secrets"],\n'
    '    "provider": {"key_arn": key.arn}})',
)
def eks_secrets_encrypted(res: Resource, inv: Inventory) -> Result:
    """Credentials stored as Kubernetes secrets are readable only through a key the entity
    controls (EKS's own default envelope encryption uses a key AWS owns)."""
    configs = blocks(known(res, "encryption_config"))
    keyed = [
        c
        for c in configs
        if "secrets" in (c.get("resources") or [])
        and any(p.get("key_arn") for p in blocks(c.get("provider")))
    ]
    if keyed:
        key = next(p["key_arn"] for p in blocks(keyed[0].get("provider")) if p.get("key_arn"))
        return passed("secrets are encrypted with a customer-managed key", key_arn=key)
    return failed("secrets are not encrypted with a customer-managed key", key_arn=None)


@check(
    into=CHECKS,
    id="eks_control_plane_logging",
    control="EKS-03",
    title="EKS cluster sends every control-plane log type to CloudWatch Logs",
    severity=Severity.MEDIUM,
    config_rule="eks-cluster-logging-enabled",
    resource_types=(CLUSTER,),
    remediation=(
        "Set enabled_cluster_log_types to all five types, so who called the Kubernetes API and "
        "what it did is recorded."
    ),
    pulumi_fix='aws.eks.Cluster("claims", ..., enabled_cluster_log_types=["api", "audit",\n'
    '    "authenticator", "controllerManager", "scheduler"])',
)
def eks_control_plane_logging(res: Resource, inv: Inventory) -> Result:
    """Activity in the cluster's control plane is recorded and can be examined (audit controls)."""
    enabled = [str(t) for t in known(res, "enabled_cluster_log_types") or []]
    missing = [t for t in LOG_TYPES if t not in enabled]
    if missing:
        return failed(f"control-plane logs off: {', '.join(missing)}", missing_log_types=missing)
    return passed("every control-plane log type is on", missing_log_types=[])
