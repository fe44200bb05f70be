"""NOT_EVALUATED table rows (tests/unit/test_not_evaluated_table.py) for the identity checks."""

from __future__ import annotations

from checks.support.resource_types import ACCOUNT_SUMMARY
from tests.unit.not_evaluated_rows_access import DENY_WITHOUT_MFA, role, summary
from tests.unit.not_evaluated_sources import LIVE, Res, Row

VIRTUAL_MFA_DEVICE = "aws:iam/virtualMfaDevice:VirtualMfaDevice"

ROWS: tuple[Row, ...] = (
    # People are put in the group by hand: no user is declared, the group's policy decides.
    Row(
        "iam_group_mfa_enforced",
        (
            Res("aws:iam/group:Group", "billing", {"name": "billing"}, id="billing"),
            Res(
                "aws:iam/groupPolicy:GroupPolicy",
                "billing-mfa",
                {"group": "billing", "policy": DENY_WITHOUT_MFA},
            ),
        ),
        ("billing-mfa", "policy"),
    ),  # fmt: skip
    Row("iam_no_inline_policies", (role("app", inlinePolicies=[]),), ("app", "inlinePolicies")),
    Row(
        "iam_no_full_access_managed_policy_attached",
        (
            Res(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "app-readonly",
                {"role": "app", "policyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
            ),
        ),
        ("app-readonly", "policyArn"),
    ),  # fmt: skip
    # Live only: the account summary says whether root has MFA, the virtual devices which kind.
    Row("iam_root_hardware_mfa", (summary(),), ("account-summary",), kinds=(LIVE,)),
    Row(
        "iam_root_hardware_mfa",
        (summary(),),
        ("account-summary",),
        kinds=(LIVE,),
        gap=(ACCOUNT_SUMMARY, VIRTUAL_MFA_DEVICE),
    ),
)
