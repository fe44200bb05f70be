"""Live collectors: IAM principals and their policies, and the account password policy.

IAM is global: read once per account. Users, groups, roles and customer-managed policies come
from GetAccountAuthorizationDetails (a few paginated calls for the whole account, instead of
several per principal), and are split the way a Pulumi program declares them: each inline
policy a `UserPolicy`/`GroupPolicy`/`RolePolicy`, each attached managed policy a
`*PolicyAttachment`, each user's groups a `UserGroupMembership`, so the joins of
`checks/aws/iam_users.py` work unchanged. A customer-managed `Policy` carries its default
version's document. Sign-in credentials and the account's own facts (credential report,
account summary) are `iam_credentials.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.services import iam_credentials
from checks.support.resource_types import (
    GROUP_POLICY,
    GROUP_POLICY_ATTACHMENT,
    IAM_POLICY,
    ROLE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    USER_POLICY,
    USER_POLICY_ATTACHMENT,
)

USER = "aws:iam/user:User"
GROUP = "aws:iam/group:Group"
USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership"
PASSWORD_POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
# The id the provider gives the account password policy (there is one per account).
PASSWORD_POLICY_ID = "iam-account-password-policy"

PRINCIPAL_TYPES = (
    USER,
    GROUP,
    ROLE,
    IAM_POLICY,
    USER_POLICY,
    GROUP_POLICY,
    ROLE_POLICY,
    USER_POLICY_ATTACHMENT,
    GROUP_POLICY_ATTACHMENT,
    ROLE_POLICY_ATTACHMENT,
    USER_GROUP_MEMBERSHIP,
)

# principal kind -> (GetAccountAuthorizationDetails filter and list key, name key, inline list
# key, inline policy type, attachment type)
_KINDS = {
    "user": ("User", "UserDetailList", "UserName", "UserPolicyList", USER_POLICY,
             USER_POLICY_ATTACHMENT),
    "group": ("Group", "GroupDetailList", "GroupName", "GroupPolicyList", GROUP_POLICY,
              GROUP_POLICY_ATTACHMENT),
    "role": ("Role", "RoleDetailList", "RoleName", "RolePolicyList", ROLE_POLICY,
             ROLE_POLICY_ATTACHMENT),
}  # fmt: skip


def _policy_json(document: Any) -> str | None:
    """A policy document as the provider records it: JSON text (boto3 decodes IAM's
    URL-encoded documents into dicts)."""
    if document is None:
        return None
    return document if isinstance(document, str) else json.dumps(document, indent=2)


def _tags(tags: Any) -> dict[str, str]:
    """AWS's list of {Key, Value} pairs as the provider's `tags` map."""
    return {str(t["Key"]): str(t.get("Value", "")) for t in tags or () if isinstance(t, Mapping)}


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _details(ctx: Context, iam: Any, kind: str) -> Iterator[dict[str, Any]]:
    filter_, key = _KINDS[kind][0], _KINDS[kind][1]
    yield from ctx.pages(iam, "GetAccountAuthorizationDetails", key, Filter=[filter_])


def _principal(ctx: Context, kind: str, detail: Mapping[str, Any], extra: Mapping[str, Any]):
    type_ = {"user": USER, "group": GROUP, "role": ROLE}[kind]
    name = detail[_KINDS[kind][2]]
    props: dict[str, Any] = {
        "name": name,
        "path": detail.get("Path", "/"),
        "arn": detail["Arn"],
        "unique_id": detail.get(f"{kind.capitalize()}Id"),
        **extra,
    }
    if kind != "group":
        props["tags"] = _tags(detail.get("Tags"))
        boundary = (detail.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if boundary:
            props["permissions_boundary"] = boundary
    return ctx.resource(type_, name, props, id=name, arn=detail["Arn"])


def _policies_of(ctx: Context, kind: str, detail: Mapping[str, Any]) -> Iterator[Resource]:
    """The principal's inline policies and managed-policy attachments, one resource each."""
    _, _, name_key, inline_key, inline_type, attachment_type = _KINDS[kind]
    owner = detail[name_key]
    for inline in detail.get(inline_key) or ():
        ident = f"{owner}:{inline['PolicyName']}"
        props = {kind: owner, "name": inline["PolicyName"],
                 "policy": _policy_json(inline.get("PolicyDocument"))}  # fmt: skip
        yield ctx.resource(inline_type, ident, props, id=ident)
    for attached in detail.get("AttachedManagedPolicies") or ():
        arn = attached["PolicyArn"]
        props = {kind: owner, "policy_arn": arn}
        yield ctx.resource(
            attachment_type, f"{owner}/{attached.get('PolicyName') or arn}", props,
            id=f"{owner}/{arn}",
        )  # fmt: skip


def _role_settings(ctx: Context, iam: Any) -> dict[str, dict[str, Any]]:
    """What ListRoles says of each role that the authorization details leave out."""
    settings: dict[str, dict[str, Any]] = {}
    for role in ctx.pages(iam, "ListRoles", "Roles"):
        extra: dict[str, Any] = {"max_session_duration": role.get("MaxSessionDuration", 3600)}
        if role.get("Description"):
            extra["description"] = role["Description"]
        settings[role["RoleName"]] = extra
    return settings


def _managed_policy(ctx: Context, detail: Mapping[str, Any]) -> Resource:
    default = next(
        (v for v in detail.get("PolicyVersionList") or () if v.get("IsDefaultVersion")), {}
    )
    arn = detail["Arn"]
    # The ARN ends with the policy's name (after its path).
    name = detail.get("PolicyName") or arn.rsplit("/", 1)[-1]
    props = {
        "name": name,
        "path": detail.get("Path", "/"),
        "arn": arn,
        "description": detail.get("Description") or "",
        "policy": _policy_json(default.get("Document")),
        "attachment_count": detail.get("AttachmentCount", 0),
    }
    if detail.get("PolicyId"):
        props["policy_id"] = detail["PolicyId"]
    return ctx.resource(IAM_POLICY, name, props, id=arn, arn=arn)


def collect_principals(ctx: Context) -> Iterator[Resource]:
    iam = ctx.client()
    roles = _role_settings(ctx, iam)
    for kind in ("user", "group", "role"):
        for detail in _details(ctx, iam, kind):
            name = detail[_KINDS[kind][2]]
            yield from _policies_of(ctx, kind, detail)
            if kind != "role":
                yield _principal(ctx, kind, detail, {})
            elif name in roles:
                yield _principal(ctx, kind, detail, {
                    **roles[name],
                    "assume_role_policy": _policy_json(detail.get("AssumeRolePolicyDocument")),
                    "create_date": _iso(detail.get("CreateDate")),
                })  # fmt: skip
            else:  # made between the two reads: its session length was not seen
                ctx.hide((ROLE,), f"the role {name} appeared while the roles were read")
            if kind == "user" and detail.get("GroupList"):
                groups = list(detail["GroupList"])
                yield ctx.resource(
                    USER_GROUP_MEMBERSHIP, name, {"user": name, "groups": groups},
                    id="/".join([name, *groups]),
                )  # fmt: skip
    policies = ctx.pages(iam, "GetAccountAuthorizationDetails", "Policies",
                         Filter=["LocalManagedPolicy"])  # fmt: skip
    for detail in policies:
        yield _managed_policy(ctx, detail)


def collect_password_policy(ctx: Context) -> Iterator[Resource]:
    """The account password policy; none when the account has none (AWS's defaults apply)."""
    found = ctx.setting(ctx.client(), "GetAccountPasswordPolicy")
    if found is None:
        return
    policy = found["PasswordPolicy"]
    props = {
        "minimum_password_length": policy["MinimumPasswordLength"],
        "require_lowercase_characters": policy["RequireLowercaseCharacters"],
        "require_uppercase_characters": policy["RequireUppercaseCharacters"],
        "require_numbers": policy["RequireNumbers"],
        "require_symbols": policy["RequireSymbols"],
        "allow_users_to_change_password": policy["AllowUsersToChangePassword"],
        "expire_passwords": policy["ExpirePasswords"],
        # AWS leaves these out when they are off; the provider records 0 and false.
        "max_password_age": policy.get("MaxPasswordAge", 0),
        "password_reuse_prevention": policy.get("PasswordReusePrevention", 0),
        "hard_expiry": policy.get("HardExpiry", False),
    }
    yield ctx.resource(PASSWORD_POLICY, PASSWORD_POLICY_ID, props, id=PASSWORD_POLICY_ID)


COLLECTORS: list[Collector] = [
    Collector(
        "iam",
        PRINCIPAL_TYPES,
        ("iam:GetAccountAuthorizationDetails", "iam:ListRoles"),
        collect_principals,
        regional=False,
    ),
    Collector(
        "iam",
        (PASSWORD_POLICY,),
        ("iam:GetAccountPasswordPolicy",),
        collect_password_policy,
        regional=False,
    ),
    *iam_credentials.COLLECTORS,
]
