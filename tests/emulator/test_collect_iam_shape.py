"""The IAM collectors against the emulator, shape: the billing stacks and the guarantee program,
replayed into the account with boto3, collect back into the props and the verdicts the program
scan gives, resource by resource."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.sources.aws.services import iam as iam_collectors
from checks.sources.aws.services.iam import PRINCIPAL_TYPES
from checks.sources.aws.session import AwsOptions
from checks.sources.aws.source import AwsSource
from checks.sources.program import scan_program
from checks.sources.registry import SourceRequest

REPO = Path(__file__).resolve().parents[2]
USER, GROUP, ROLE, POLICY = PRINCIPAL_TYPES[:4]


@pytest.fixture
def iam_aws(aws, emulator, monkeypatch):
    """The emulated account with AWS's managed policies (AdministratorAccess, ...) in it."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    emulator.reset()
    return aws


_ATTACH = {
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": ("attach_user_policy", "UserName", "user"),
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": ("attach_group_policy", "GroupName",
                                                            "group"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("attach_role_policy", "RoleName", "role"),
}  # fmt: skip
_INLINE = {
    "aws:iam/userPolicy:UserPolicy": ("put_user_policy", "UserName", "user"),
    "aws:iam/groupPolicy:GroupPolicy": ("put_group_policy", "GroupName", "group"),
    "aws:iam/rolePolicy:RolePolicy": ("put_role_policy", "RoleName", "role"),
}


def _aws_tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (props.get("tags") or {}).items()]


def _name(res: Resource) -> str:
    return str(res.props.get("name") or res.id)


def replay(iam: Any, resources: Iterable[Resource]) -> dict[str, str]:
    """Create in the account, with boto3, the IAM resources a program declares; the ARN AWS gave
    each customer-managed policy, by the one the scanner's mocks gave it (without its path)."""
    by_type: dict[str, list[Resource]] = {}
    for res in resources:
        by_type.setdefault(res.type, []).append(res)
    for res in by_type.get(GROUP, ()):
        iam.create_group(GroupName=_name(res), Path=res.props.get("path", "/"))
    for res in by_type.get(USER, ()):
        iam.create_user(UserName=_name(res), Path=res.props.get("path", "/"),
                        Tags=_aws_tags(res.props))  # fmt: skip
    for res in by_type.get(ROLE, ()):
        extra = {"Description": res.props["description"]} if "description" in res.props else {}
        iam.create_role(
            RoleName=_name(res), Path=res.props.get("path", "/"), Tags=_aws_tags(res.props),
            AssumeRolePolicyDocument=res.props["assume_role_policy"],
            MaxSessionDuration=res.props.get("max_session_duration", 3600), **extra,
        )  # fmt: skip
    arns: dict[str, str] = {}
    for res in by_type.get(POLICY, ()):
        made = iam.create_policy(PolicyName=_name(res), Path=res.props.get("path", "/"),
                                 PolicyDocument=res.props["policy"],
                                 Description=res.props.get("description", ""))  # fmt: skip
        arns[str(res.arn)] = made["Policy"]["Arn"]
    for type_, (method, param, key) in _INLINE.items():
        for res in by_type.get(type_, ()):
            getattr(iam, method)(**{param: res.props[key]}, PolicyName=_name(res),
                                 PolicyDocument=res.props["policy"])  # fmt: skip
    for type_, (method, param, key) in _ATTACH.items():
        for res in by_type.get(type_, ()):
            arn = res.props["policy_arn"]
            getattr(iam, method)(**{param: res.props[key]}, PolicyArn=arns.get(arn, arn))
    for res in by_type.get("aws:iam/userGroupMembership:UserGroupMembership", ()):
        for group in res.props["groups"]:
            iam.add_user_to_group(GroupName=group, UserName=res.props["user"])
    return arns


def _identity(res: Resource, arns: dict[str, str] | None = None) -> tuple[Any, ...]:
    """What names the same IAM resource in a program and in the account."""
    props = res.props
    if res.type in _ATTACH:
        arn = props["policy_arn"]
        return res.type, props[_ATTACH[res.type][2]], (arns or {}).get(arn, arn)
    if res.type in _INLINE:
        return res.type, props[_INLINE[res.type][2]], props.get("name") or res.id
    if res.type == "aws:iam/userGroupMembership:UserGroupMembership":
        return res.type, props["user"]
    return res.type, _name(res)


def _comparable(key: str, value: Any) -> Any:
    if key in ("policy", "assume_role_policy") and isinstance(value, str):
        return json.loads(value)
    return sorted(value) if key == "groups" else value


@pytest.mark.parametrize(
    "program,stack", [(REPO, "prod"), (REPO / "tests/guarantee_program", "dev")]
)
def test_a_program_replayed_into_the_account_collects_back_as_declared(iam_aws, program, stack):
    scan = scan_program(program, stack)
    scanned = [r for r in scan.resources if r.type in PRINCIPAL_TYPES]
    assert len(scanned) >= 15
    arns = replay(iam_aws.client("iam"), scanned)
    request = SourceRequest(extra={"aws": AwsOptions(endpoint_url=iam_aws.endpoint)})
    collected = AwsSource(iam_collectors.COLLECTORS).collect(request)
    live_eval = evaluate(Inventory(collected.resources, gaps=collected.gaps), build_registry())
    assert collected.gaps == {}
    live = {_identity(r): r for r in collected.resources if r.type in PRINCIPAL_TYPES}
    mismatched = []
    for res in scanned:
        twin = live.get(_identity(res, arns))
        assert twin is not None, f"{res.type} {res.name} was not collected"
        for key, value in res.props.items():
            if res.type == POLICY and key == "tags":
                continue  # GetAccountAuthorizationDetails does not return a policy's tags
            if key == "policy_arn":
                value = arns.get(value, value)
            if _comparable(key, twin.props.get(key)) != _comparable(key, value):
                mismatched.append((res.type, res.name, key, value, twin.props.get(key)))
    assert mismatched == []
    # The same verdicts, resource by resource, as the program scan gives.
    program_eval = evaluate(Inventory(scan.resources), build_registry())
    live_status = {(f.check.id, f.resource.address): f.status
                   for f in live_eval.findings if f.resource is not None}  # fmt: skip
    compared = 0
    for finding in program_eval.findings:
        if finding.resource is None or finding.resource.type not in PRINCIPAL_TYPES:
            continue
        twin = live[_identity(finding.resource, arns)]
        assert live_status[(finding.check.id, twin.address)] == finding.status, (
            finding.check.id, finding.resource.name, finding.message,
        )  # fmt: skip
        compared += 1
    assert compared >= 10
