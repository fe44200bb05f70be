"""IAM roles people assume: short sessions, and an MFA-protected break-glass role for emergencies
(controls IAM-06, IAM-07)."""

from __future__ import annotations

from dataclasses import replace

from checks.model import Inventory, Resource
from checks.registry import (
    Check,
    Result,
    Severity,
    check,
    failed,
    not_applicable,
    passed,
)
from checks.support.break_glass import break_glass_verdict, human_statements, is_break_glass
from checks.support.props import known
from checks.support.resource_types import ROLE

CHECKS: list[Check] = []

# Sessions people hold on a role end within a working half-day (AWS allows up to 12 hours).
MAX_HUMAN_SESSION_SECONDS = 4 * 3600
DEFAULT_SESSION_SECONDS = 3600


@check(
    into=CHECKS,
    id="iam_role_session_duration",
    control="IAM-06",
    title=f"Role that people assume ends sessions within {MAX_HUMAN_SESSION_SECONDS // 3600} hours",
    severity=Severity.LOW,
    resource_types=(ROLE,),
    remediation=(
        f"Keep max_session_duration at or below {MAX_HUMAN_SESSION_SECONDS} seconds on roles "
        "assumed by people, so an abandoned session ends on its own (automatic logoff)."
    ),
    pulumi_fix='aws.iam.Role("operator", assume_role_policy=trust, max_session_duration=3600)',
)
def iam_role_session_duration(res: Resource, inv: Inventory) -> Result:
    """An unattended session to ePHI systems expires after a bounded time."""
    if not human_statements(res):
        return not_applicable("only AWS services assume this role")
    seconds = int(
        known(res, "max_session_duration", DEFAULT_SESSION_SECONDS) or DEFAULT_SESSION_SECONDS
    )
    evidence = {"max_session_duration": seconds, "limit": MAX_HUMAN_SESSION_SECONDS}
    if seconds <= MAX_HUMAN_SESSION_SECONDS:
        return passed(f"sessions last at most {seconds // 60} minutes", **evidence)
    return failed(f"sessions may last {seconds // 3600} hours", **evidence)


@check(
    into=CHECKS,
    id="iam_break_glass_role",
    control="IAM-07",
    title="A break-glass role exists and can be assumed only with MFA",
    severity=Severity.MEDIUM,
    scope="account",
    baseline=True,
    reads=("aws:iam/role:Role",),
    remediation=(
        "Declare an emergency-access role (named or tagged 'break-glass') whose trust policy "
        "allows only named administrators with Condition Bool aws:MultiFactorAuthPresent true, "
        "and alarm on every AssumeRole of it."
    ),
    pulumi_fix=(
        'aws.iam.Role("break-glass", name="break-glass", max_session_duration=3600,\n'
        '    assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{\n'
        '        "Effect": "Allow", "Action": "sts:AssumeRole",\n'
        '        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},\n'
        '        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}))'
    ),
)
def iam_break_glass_role(inv: Inventory) -> list[Result]:
    """ePHI can be reached in an emergency, by a strongly authenticated person."""
    if not len(inv):
        return []
    roles = [r for r in inv.by_type(ROLE) if is_break_glass(r)]
    if not roles:
        return [failed("no role named or tagged 'break-glass' is declared", break_glass_roles=[])]
    return [replace(break_glass_verdict(role), resource=role) for role in roles]
