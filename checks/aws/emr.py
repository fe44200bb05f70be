"""EMR clusters: Kerberos authentication and no public IP on the master node (controls EMR-01 and
EMR-02)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.joins import resolve
from checks.support.props import blocks, known
from checks.support.subnets import SUBNET_TYPES, assigns_public_ip

CHECKS: list[Check] = []

CLUSTER = "aws:emr/cluster:Cluster"
SECURITY_CONFIGURATION = "aws:emr/securityConfiguration:SecurityConfiguration"


def _document(config: Resource) -> Mapping[str, Any]:
    text = known(config, "configuration")
    try:
        doc = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError:
        raise Undecidable(f"the configuration of {config.name} is not JSON") from None
    if not isinstance(doc, Mapping):
        raise Undecidable(f"the configuration of {config.name} is not a JSON object")
    return doc


def _kerberos(config: Resource) -> Mapping[str, Any] | None:
    """The security configuration's Kerberos settings, None when it sets none."""
    authentication = _document(config).get("AuthenticationConfiguration") or {}
    found = (
        authentication.get("KerberosConfiguration") if isinstance(authentication, Mapping) else None
    )
    return found if isinstance(found, Mapping) and found else None


@check(
    into=CHECKS,
    id="emr_kerberos_enabled",
    control="EMR-01",
    title="EMR cluster authenticates users and services with Kerberos",
    severity=Severity.HIGH,
    config_rule="emr-kerberos-enabled",
    resource_types=(CLUSTER,),
    reads=(SECURITY_CONFIGURATION,),
    remediation=(
        "Attach a security configuration whose AuthenticationConfiguration sets a "
        "KerberosConfiguration (a cluster-dedicated KDC, or an external KDC / Active Directory "
        "trust), and give the cluster its kerberos_attributes (realm, KDC admin password)."
    ),
    pulumi_fix=(
        'kerberos = aws.emr.SecurityConfiguration("kerberos", configuration=json.dumps({\n'
        '    "AuthenticationConfiguration": {"KerberosConfiguration": {\n'
        '        "Provider": "ClusterDedicatedKdc",\n'
        '        "ClusterDedicatedKdcConfiguration": {"TicketLifetimeInHours": 24}}}}))\n'
        'aws.emr.Cluster("analytics", ..., security_configuration=kerberos.name,\n'
        '    kerberos_attributes={"realm": "EC2.INTERNAL", "kdc_admin_password": kdc_password})'
    ),
)
def emr_kerberos_enabled(res: Resource, inv: Inventory) -> Result:
    """Every user and service on the cluster proves who it is before it reaches the data."""
    name = known(res, "security_configuration")
    if not name:
        return failed("the cluster has no security configuration", security_configuration=None)
    config = resolve(inv, name, (SECURITY_CONFIGURATION,), f"security_configuration of {res.name}")
    if config is None:
        raise Undecidable(
            f"the security configuration {name} of {res.name} is not in the inventory"
        )
    kerberos = _kerberos(config)
    evidence = {"security_configuration": name, "kerberos_provider": None}
    if kerberos is None:
        return failed(f"the security configuration {name} sets no Kerberos", **evidence)
    evidence["kerberos_provider"] = kerberos.get("Provider")
    return passed(f"the security configuration {name} sets Kerberos", **evidence)


def _subnets(res: Resource) -> list[str]:
    attributes = blocks(known(res, "ec2_attributes"))
    found: list[str] = []
    for block in attributes:
        found += [block["subnet_id"]] if block.get("subnet_id") else []
        found += [s for s in block.get("subnet_ids") or [] if s]
    return list(dict.fromkeys(found))


@check(
    into=CHECKS,
    id="emr_master_no_public_ip",
    control="EMR-02",
    title="EMR cluster's master node gets no public IP address",
    severity=Severity.HIGH,
    config_rule="emr-master-no-public-ip",
    resource_types=(CLUSTER,),
    reads=SUBNET_TYPES,
    remediation=(
        "Launch the cluster in private subnets (map_public_ip_on_launch off) through "
        "ec2_attributes.subnet_id, with a service access security group; reach the master node "
        "through SSM Session Manager or a VPN, never a public address."
    ),
    pulumi_fix=(
        'aws.emr.Cluster("analytics", ..., ec2_attributes={\n'
        '    "subnet_id": private_a.id, "instance_profile": profile.arn,\n'
        '    "service_access_security_group": emr_service_sg.id})'
    ),
)
def emr_master_no_public_ip(res: Resource, inv: Inventory) -> Result:
    """The node that runs the cluster's web consoles and ePHI jobs is not on the internet."""
    subnets = _subnets(res)
    if not subnets:
        # EMR launches a cluster that names no subnet into a default subnet of the default VPC,
        # which gives every instance a public IP.
        return failed("the cluster names no subnet: EMR uses a default (public) subnet", subnets=[])
    public = []
    for ref in subnets:
        subnet = resolve(inv, ref, SUBNET_TYPES, f"a subnet of {res.name}")
        if subnet is None:
            raise Undecidable(f"the subnet {ref} of {res.name} is not in the inventory")
        if assigns_public_ip(subnet):
            public.append(subnet.name)
    if public:
        return failed("the cluster's subnet gives its instances public IPs", public_subnets=public)
    return passed("the cluster's subnets give no public IPs", public_subnets=[])
