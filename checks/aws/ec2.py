"""EC2 and EBS: volumes encrypted (and encryption by default on), IMDSv2, instance profiles,
and EBS volumes in a backup plan (controls EC2-01, EC2-02, EC2-04).

An account-level default (EBS encryption by default, instance metadata defaults) applies to every
launch in its region that does not say otherwise, so it satisfies the per-resource checks there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import HIDDEN_REGION, Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.backup_selections import backup_selections
from checks.support.props import blocks, flag, known
from checks.support.resource_types import (
    EBS_VOLUME,
    EC2_INSTANCE,
    LAUNCH_CONFIGURATION,
    LAUNCH_TEMPLATE,
)

CHECKS: list[Check] = []

LAUNCHERS = (EC2_INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION)
ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
METADATA_DEFAULTS = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"


def _same_region(a: Resource, b: Resource) -> bool:
    """Whether two resources share a region (no region named: the program's one region)."""
    if HIDDEN_REGION in (a.region, b.region):
        raise Undecidable(f"the region of {a.name} or {b.name} cannot be read")
    return a.region is None or b.region is None or a.region == b.region


def default_encryption_on(res: Resource, inv: Inventory) -> bool:
    """True when the account's EBS encryption by default is on in the resource's region."""
    return any(
        _same_region(res, d) and flag(known(d, "enabled", True))
        for d in inv.by_type(ENCRYPTION_BY_DEFAULT)
    )


@check(
    into=CHECKS,
    id="ebs_volume_encrypted",
    control="EC2-01",
    title="EBS volume is encrypted",
    severity=Severity.HIGH,
    config_rule="encrypted-volumes",
    resource_types=(EBS_VOLUME,),
    remediation="Set encrypted=True and kms_key_id to a customer-managed key (or turn on EBS "
    "encryption by default in the region).",
    pulumi_fix='aws.ebs.Volume("data", ..., encrypted=True, kms_key_id=key.arn)',
)
def ebs_volume_encrypted(res: Resource, inv: Inventory) -> Result:
    """Block storage holding ePHI is encrypted at rest."""
    if flag(known(res, "encrypted", False)):
        return passed("the volume is encrypted", encrypted=True, by_default=False)
    if default_encryption_on(res, inv):
        return passed(
            "encrypted by the region's EBS encryption by default", encrypted=True, by_default=True
        )
    return failed("the volume is not encrypted", encrypted=False, by_default=False)


def _devices(res: Resource) -> list[tuple[str, Mapping[str, Any]]]:
    """(label, settings) of every EBS device the launch declares; the root device first."""
    if res.type == LAUNCH_TEMPLATE:
        return [
            (str(m.get("device_name")), e)
            for m in blocks(known(res, "block_device_mappings"))
            for e in blocks(m.get("ebs"))
        ]
    root = [("root", d) for d in blocks(known(res, "root_block_device"))] or [("root", {})]
    return root + [(str(d.get("device_name")), d) for d in blocks(known(res, "ebs_block_devices"))]


@check(
    into=CHECKS,
    id="ec2_block_devices_encrypted",
    control="EC2-01",
    title="EC2 instance or launch template encrypts its EBS volumes",
    severity=Severity.HIGH,
    config_rule="encrypted-volumes",
    resource_types=LAUNCHERS,
    reads=("aws:ebs/encryptionByDefault:EncryptionByDefault",),
    remediation=(
        "Set encrypted=True on root_block_device and every ebs_block_devices entry (or on each "
        "launch template mapping), or turn on EBS encryption by default in the region."
    ),
    pulumi_fix='aws.ec2.Instance("app", ..., root_block_device={"encrypted": True,\n'
    '    "kms_key_id": key.arn})',
)
def ec2_block_devices_encrypted(res: Resource, inv: Inventory) -> Result:
    """Disks attached to hosts that process ePHI are encrypted at rest."""
    if default_encryption_on(res, inv):
        return passed("the region's EBS encryption by default covers every volume", unencrypted=[])
    devices = _devices(res)
    unencrypted = [label for label, d in devices if not flag(d.get("encrypted"))]
    if not devices:
        return failed(
            "no block device is declared: the AMI decides encryption", unencrypted=["(AMI)"]
        )
    if unencrypted:
        return failed(
            f"unencrypted or undeclared: {', '.join(unencrypted)}", unencrypted=unencrypted
        )
    return passed("every declared volume is encrypted", unencrypted=[])


def _region_of_ebs_users(inv: Inventory) -> list[str | None]:
    return sorted({r.region for r in inv.by_type(EBS_VOLUME, *LAUNCHERS)}, key=str)


@check(
    into=CHECKS,
    id="ebs_encryption_by_default",
    control="EC2-01",
    title="EBS encryption by default is on in every region with EC2/EBS",
    severity=Severity.MEDIUM,
    config_rule="ec2-ebs-encryption-by-default",
    scope="account",
    baseline=True,
    reads=(
        "aws:ebs/encryptionByDefault:EncryptionByDefault",
        "aws:ebs/volume:Volume",
        "aws:ec2/instance:Instance",
        "aws:ec2/launchConfiguration:LaunchConfiguration",
        "aws:ec2/launchTemplate:LaunchTemplate",
    ),
    remediation="Declare aws.ebs.EncryptionByDefault(enabled=True) in each region (and "
    "aws.ebs.DefaultKmsKey for a customer-managed key).",
    pulumi_fix='aws.ebs.EncryptionByDefault("ebs-default", enabled=True)\n'
    'aws.ebs.DefaultKmsKey("ebs-key", key_arn=key.arn)',
)
def ebs_encryption_by_default(inv: Inventory) -> list[Result]:
    """No volume, however it is created, is left unencrypted."""
    regions = _region_of_ebs_users(inv)
    if not regions:
        return []
    defaults = [d for d in inv.by_type(ENCRYPTION_BY_DEFAULT) if flag(known(d, "enabled", True))]
    missing = [
        r
        for r in regions
        if not any(d.region is None or r is None or d.region == r for d in defaults)
    ]
    if any(HIDDEN_REGION in (r, d.region) for r in missing for d in defaults):
        raise Undecidable("EBS encryption by default is on in a region that cannot be read")
    evidence = {"regions": regions, "missing": missing}
    if missing:
        return [
            failed(
                f"EBS encryption by default is not on in {', '.join(map(str, missing))}", **evidence
            )
        ]
    return [passed("EBS encryption by default is on wherever EBS is used", **evidence)]


def _metadata_verdict(options: list[Mapping[str, Any]]) -> str | None:
    """'required' or 'disabled' when the options forbid IMDSv1, else the http_tokens seen."""
    for o in options:
        if str(o.get("http_endpoint", "enabled")) == "disabled":
            return "disabled"
        if o.get("http_tokens") is not None:
            return str(o.get("http_tokens"))
    return None


@check(
    into=CHECKS,
    id="ec2_imdsv2_required",
    control="EC2-02",
    title="EC2 instance metadata requires IMDSv2 session tokens",
    severity=Severity.HIGH,
    config_rule="ec2-imdsv2-check",
    resource_types=LAUNCHERS,
    remediation=(
        "Set metadata_options http_tokens='required' (or declare "
        "aws.ec2.InstanceMetadataDefaults(http_tokens='required') for the region)."
    ),
    pulumi_fix='aws.ec2.Instance("app", ..., metadata_options={"http_tokens": "required",\n'
    '    "http_put_response_hop_limit": 1})',
)
def ec2_imdsv2_required(res: Resource, inv: Inventory) -> Result:
    """A request forgery in an application cannot read the host's role credentials."""
    tokens = _metadata_verdict(blocks(known(res, "metadata_options")))
    source = "metadata_options"
    if tokens is None:
        defaults = [d for d in inv.by_type(METADATA_DEFAULTS) if _same_region(res, d)]
        options = [
            {k: known(d, k) for k in ("http_endpoint", "http_tokens") if d.is_set(k)}
            for d in defaults
        ]
        tokens, source = _metadata_verdict(options), "account defaults"
    if tokens in ("required", "disabled"):
        return passed(f"IMDSv1 is off ({source}: {tokens})", http_tokens=tokens)
    shown = tokens or "not set (IMDSv1 allowed unless the AMI requires v2)"
    return failed(f"IMDSv1 is allowed: http_tokens {shown}", http_tokens=tokens)


@check(
    into=CHECKS,
    id="ec2_instance_profile_attached",
    control="EC2-02",
    title="EC2 instance has an IAM instance profile",
    severity=Severity.LOW,
    config_rule="ec2-instance-profile-attached",
    resource_types=(EC2_INSTANCE,),
    remediation=(
        "Attach an aws.iam.InstanceProfile so software on the host gets short-lived role "
        "credentials instead of access keys copied onto it."
    ),
    pulumi_fix='aws.ec2.Instance("app", ..., iam_instance_profile=profile.name)',
)
def ec2_instance_profile_attached(res: Resource, inv: Inventory) -> Result:
    """No long-lived keys need to live on the host."""
    profile = known(res, "iam_instance_profile")
    if profile:
        return passed("an instance profile is attached", iam_instance_profile=profile)
    return failed(
        "no instance profile: software on it would need static keys", iam_instance_profile=None
    )


@check(
    into=CHECKS,
    id="ebs_volume_in_backup_plan",
    control="EC2-04",
    title="EBS volume is selected by an AWS Backup plan",
    severity=Severity.MEDIUM,
    config_rule="ebs-in-backup-plan",
    resource_types=(EBS_VOLUME,),
    reads=("aws:backup/selection:Selection",),
    remediation="Select the volume in an aws.backup.Selection, by ARN or by tag.",
    pulumi_fix='aws.backup.Selection("volumes", plan_id=plan.id, iam_role_arn=backup_role.arn,\n'
    "    resources=[volume.arn])",
)
def ebs_volume_in_backup_plan(res: Resource, inv: Inventory) -> Result:
    """A retrievable copy of the volume's data exists."""
    selections = [s.name for s in backup_selections(res, inv)]
    if selections:
        return passed("an AWS Backup plan selects the volume", backup_selections=selections)
    return failed("no AWS Backup selection covers the volume", backup_selections=[])
