"""iam_root_hardware_mfa: the root user has an MFA device and it is not a virtual one (live
only: the account summary and the account's virtual MFA devices)."""

from __future__ import annotations

import pytest

from checks.aws.iam_root_hardware_mfa import iam_root_hardware_mfa
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status
from checks.support.resource_types import ACCOUNT_SUMMARY, ROOT_ACCOUNT

DEVICE = "aws:iam/virtualMfaDevice:VirtualMfaDevice"
ROOT_SERIAL = "arn:aws:iam::123456789012:mfa/root-account-mfa-device"


def summary(mfa=True, account="123456789012") -> Resource:
    return Resource(ACCOUNT_SUMMARY, "account-summary", {"account_mfa_enabled": mfa, "users": 2},
                    id="account-summary", account=account, source="aws")  # fmt: skip


def device(user: str | None, serial: str = ROOT_SERIAL, account="123456789012") -> Resource:
    props = {"serial_number": serial, **({"user_name": user} if user else {})}
    name = serial.rsplit("/", 1)[-1]
    return Resource(DEVICE, name, props, id=serial, account=account, source="aws")


def verdicts(*resources: Resource) -> list[tuple]:
    return [(r.status, r.evidence) for r in iam_root_hardware_mfa(Inventory(resources))]


@pytest.mark.parametrize(
    "devices",
    [
        (),
        # a user's virtual device, an unassigned one, and the root's in another account
        (device("alice", "arn:aws:iam::123456789012:mfa/alice"),
         device(None, "arn:aws:iam::123456789012:mfa/spare"),
         device(ROOT_ACCOUNT, "arn:aws:iam::210987654321:mfa/root-account-mfa-device",
                account="210987654321")),
    ],
)  # fmt: skip
def test_root_mfa_that_is_not_a_virtual_device_passes(devices):
    assert verdicts(summary(), *devices) == [(Status.PASS, {"root_virtual_mfa_devices": []})]


def test_root_virtual_mfa_device_fails_naming_it():
    found = verdicts(summary(), device(ROOT_ACCOUNT), device("alice", "arn:aws:iam::1:mfa/alice"))
    assert found == [(Status.FAIL, {"root_virtual_mfa_devices": [ROOT_SERIAL]})]


def test_root_without_any_mfa_fails():
    assert verdicts(summary(mfa=False)) == [(Status.FAIL, {"root_virtual_mfa_devices": []})]


def test_the_result_names_the_account_summary_and_programs_get_none():
    [result] = iam_root_hardware_mfa(Inventory([summary()]))
    assert (result.status, result.resource.name) == (Status.PASS, "account-summary")
    # a program declares virtual devices but never the account summary: nothing to say
    assert iam_root_hardware_mfa(Inventory([device(None)])) == []


def test_what_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="does not say account_mfa_enabled"):
        verdicts(summary(mfa=None))
    with pytest.raises(Undecidable, match="account_mfa_enabled of account-summary"):
        verdicts(summary(mfa=UNKNOWN))
    gapped = Inventory([summary()], gaps={DEVICE: "AccessDenied"})
    with pytest.raises(Undecidable, match="could not be collected: AccessDenied"):
        iam_root_hardware_mfa(gapped)


@pytest.mark.parametrize(
    ("resources", "status", "message"),
    [
        ((summary(mfa=False),), Status.FAIL, "the root user has no MFA device at all"),
        ((summary(), device(ROOT_ACCOUNT)), Status.FAIL,
         "the root user's MFA is a virtual device (an app on a phone)"),
        ((summary(),), Status.PASS, "the root user's MFA device is a hardware one"),
    ],
)  # fmt: skip
def test_each_verdict_says_why_in_words(resources, status, message):
    [result] = iam_root_hardware_mfa(Inventory(resources))
    assert (result.status, result.message) == (status, message)
