"""Account-wide detection: GuardDuty, Security Hub and an AWS Config recorder in every region the
inventory uses (controls DET-01, DET-02, DET-03).

The audited regions are the regions of the inventory's resources; a detector elsewhere does not
watch them. An organization-wide setup managed from another account is not visible here: record
it as an inherited control or a waiver.
"""

from __future__ import annotations

from collections.abc import Iterable

from checks.model import HIDDEN_REGION, Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.joins import audited_regions, refers_to
from checks.support.props import blocks, flag, known

CHECKS: list[Check] = []

GUARDDUTY_DETECTOR = "aws:guardduty/detector:Detector"
SECURITY_HUB = "aws:securityhub/account:Account"
CONFIG_RECORDER = "aws:cfg/recorder:Recorder"
CONFIG_RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
# The recorder name AWS Config uses when none is given.
DEFAULT_RECORDER_NAME = "default"


def _coverage(inv: Inventory, active: Iterable[Resource], service: str) -> list[Result]:
    """One result: the audited regions that have no active `service` resource."""
    if not len(inv):
        return []
    regions = audited_regions(inv)
    covered = sorted({r.region or "" for r in active})
    missing = [r for r in regions if r not in covered and "" not in covered]
    if missing and HIDDEN_REGION in covered:
        raise Undecidable(f"{service} is enabled in a region that cannot be read")
    evidence = {"audited_regions": regions, "enabled_in": covered, "missing": missing}
    if not covered:
        return [failed(f"{service} is not enabled in any region of the inventory", **evidence)]
    if missing:
        return [failed(f"{service} is not enabled in {', '.join(missing)}", **evidence)]
    return [passed(f"{service} is enabled in every audited region", **evidence)]


@check(
    into=CHECKS,
    id="guardduty_enabled_all_regions",
    control="DET-01",
    title="GuardDuty is enabled in every audited region",
    severity=Severity.HIGH,
    config_rule="guardduty-enabled-centralized",
    scope="account",
    baseline=True,
    reads=("aws:guardduty/detector:Detector",),
    remediation=(
        "Declare an aws.guardduty.Detector (enable=True) in every region the workload uses, "
        "ideally auto-enabled for the organization from a delegated administrator account."
    ),
    pulumi_fix='aws.guardduty.Detector("guardduty", enable=True,\n'
    '    finding_publishing_frequency="FIFTEEN_MINUTES")',
)
def guardduty_enabled_all_regions(inv: Inventory) -> list[Result]:
    """Malicious activity against the account is detected (protection from malicious software)."""
    active = [d for d in inv.by_type(GUARDDUTY_DETECTOR) if flag(known(d, "enable", True))]
    return _coverage(inv, active, "GuardDuty")


@check(
    into=CHECKS,
    id="securityhub_enabled",
    control="DET-02",
    title="Security Hub is enabled in every audited region",
    severity=Severity.MEDIUM,
    config_rule="securityhub-enabled",
    scope="account",
    baseline=True,
    reads=("aws:securityhub/account:Account",),
    remediation="Declare aws.securityhub.Account in every region the workload uses.",
    pulumi_fix='aws.securityhub.Account("security-hub", enable_default_standards=True)',
)
def securityhub_enabled(inv: Inventory) -> list[Result]:
    """Security findings are gathered in one place someone reviews (information system activity
    review)."""
    return _coverage(inv, inv.by_type(SECURITY_HUB), "Security Hub")


def _recorder_records_all(recorder: Resource) -> bool:
    groups = blocks(known(recorder, "recording_group"))
    return not groups or all(flag(g.get("all_supported", True)) for g in groups)


def _recording(recorder: Resource, inv: Inventory) -> bool:
    name = known(recorder, "name", DEFAULT_RECORDER_NAME) or DEFAULT_RECORDER_NAME
    return any(
        (refers_to(known(s, "name"), recorder) or known(s, "name") == name)
        and flag(known(s, "is_enabled", False))
        for s in inv.by_type(CONFIG_RECORDER_STATUS)
    )


@check(
    into=CHECKS,
    id="config_recorder_all_resources",
    control="DET-03",
    title="AWS Config records all resource types in every audited region",
    severity=Severity.MEDIUM,
    scope="account",
    baseline=True,
    reads=(
        "aws:cfg/recorder:Recorder",
        "aws:cfg/recorderStatus:RecorderStatus",
    ),
    remediation=(
        "Declare an aws.cfg.Recorder with recording_group all_supported=True, a delivery "
        "channel, and an aws.cfg.RecorderStatus with is_enabled=True, in every region used."
    ),
    pulumi_fix=(
        'recorder = aws.cfg.Recorder("config", role_arn=config_role.arn,\n'
        '    recording_group={"all_supported": True, "include_global_resource_types": True})\n'
        'aws.cfg.RecorderStatus("config", name=recorder.name, is_enabled=True,\n'
        "    opts=pulumi.ResourceOptions(depends_on=[delivery_channel]))"
    ),
)
def config_recorder_all_resources(inv: Inventory) -> list[Result]:
    """Every configuration change is recorded, the evidence behind evaluation and review."""
    active = [
        r for r in inv.by_type(CONFIG_RECORDER) if _recorder_records_all(r) and _recording(r, inv)
    ]
    return _coverage(inv, active, "An all-resources AWS Config recorder")
