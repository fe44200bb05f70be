"""The root user's MFA is a hardware device, not a virtual one (control IAM-01).

Live only, like `iam_root_mfa_enabled`: the account summary says whether the root user has an
MFA device, and the account's virtual MFA devices (ListVirtualMFADevices, as
`aws:iam/virtualMfaDevice:VirtualMfaDevice` with `user_name` "<root_account>" for the root's)
say whether it is a virtual one. As AWS Config's `root-account-hardware-mfa-enabled`, an MFA
device that is not in that list (a hardware TOTP token or a FIDO security key) is hardware.
No program, preview or state file holds either fact: there this check says nothing.
"""

from __future__ import annotations

from dataclasses import replace

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import known
from checks.support.resource_types import ACCOUNT_SUMMARY, ROOT_ACCOUNT

CHECKS: list[Check] = []

VIRTUAL_MFA_DEVICE = "aws:iam/virtualMfaDevice:VirtualMfaDevice"


def _verdict(summary: Resource, inv: Inventory) -> Result:
    enabled = known(summary, "account_mfa_enabled")
    if not isinstance(enabled, bool):
        raise Undecidable(f"the account summary does not say account_mfa_enabled ({enabled!r})")
    if not enabled:
        return failed("the root user has no MFA device at all", root_virtual_mfa_devices=[])
    virtual = [
        str(known(d, "serial_number") or d.name)
        for d in inv.by_type(VIRTUAL_MFA_DEVICE)
        if d.account == summary.account and known(d, "user_name") == ROOT_ACCOUNT
    ]
    if virtual:
        return failed(
            "the root user's MFA is a virtual device (an app on a phone)",
            root_virtual_mfa_devices=virtual,
        )
    return passed("the root user's MFA device is a hardware one", root_virtual_mfa_devices=[])


@check(
    into=CHECKS,
    id="iam_root_hardware_mfa",
    control="IAM-01",
    title="The root user's MFA is a hardware device",
    severity=Severity.MEDIUM,
    config_rule="root-account-hardware-mfa-enabled",
    scope="account",
    baseline=True,
    reads=(ACCOUNT_SUMMARY, VIRTUAL_MFA_DEVICE),
    remediation=(
        "Sign in as the root user, remove its virtual MFA device and assign a hardware one "
        "(a FIDO security key or a hardware TOTP token), kept in a safe with a second as spare."
    ),
    pulumi_fix=(
        "# The root user's MFA device is not a resource a program declares: replace it by hand\n"
        "# (root user > Security credentials > Assign MFA device > Security key)."
    ),
)
def iam_root_hardware_mfa(inv: Inventory) -> list[Result]:
    """The one identity that can do anything needs a device that cannot be copied with a phone
    backup (one result per account audited)."""
    return [replace(_verdict(s, inv), resource=s) for s in inv.by_type(ACCOUNT_SUMMARY)]
