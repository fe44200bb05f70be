"""IAM roles, users, groups, policies, their attachments, and the account password policy.

An attachment of an AWS managed policy needs the emulator to know AWS's managed policies
(moto loads them only when started with `MOTO_IAM_LOAD_MANAGED_POLICIES=true`); without them
the attachment is reported as not emulated, never pretended.
"""

from __future__ import annotations

from datetime import UTC

import botocore.exceptions

from scripts.emulate.creators.base import (
    Made,
    NotEmulated,
    Target,
    error_code,
    physical_name,
    tag_list,
    tags,
    without_none,
)
from scripts.emulate.inputs import Inputs

AWS_MANAGED = ":iam::aws:policy/"


def _date(value) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def role(inputs: Inputs, target: Target, clients) -> Made:
    iam = clients("iam")
    name = physical_name(inputs, target, max_length=64)
    made = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=inputs.require("assume_role_policy"),
        **without_none(
            Path=inputs.get("path"),
            Description=inputs.get("description"),
            MaxSessionDuration=inputs.get("max_session_duration"),
            PermissionsBoundary=inputs.get("permissions_boundary"),
        ),
        Tags=tag_list(tags(inputs, target)),
    )["Role"]
    for inline in inputs.get("inline_policies") or []:
        iam.put_role_policy(
            RoleName=name, PolicyName=inline.require("name"), PolicyDocument=inline["policy"]
        )
    for arn in inputs.plain("managed_policy_arns", []):
        _attach(iam.attach_role_policy, arn, RoleName=name)
    inputs.provider_only("force_detach_policies")
    return name, {
        "arn": made["Arn"],
        "name": name,
        "unique_id": made["RoleId"],
        "create_date": _date(made.get("CreateDate")),
    }


def user(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, max_length=64)
    made = clients("iam").create_user(
        UserName=name,
        **without_none(
            Path=inputs.get("path"), PermissionsBoundary=inputs.get("permissions_boundary")
        ),
        Tags=tag_list(tags(inputs, target)),
    )["User"]
    inputs.provider_only("force_destroy")
    return name, {"arn": made["Arn"], "name": name, "unique_id": made["UserId"]}


def group(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, max_length=128)
    made = clients("iam").create_group(GroupName=name, **without_none(Path=inputs.get("path")))[
        "Group"
    ]
    return name, {"arn": made["Arn"], "name": name, "unique_id": made["GroupId"]}


def policy(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, max_length=128)
    made = clients("iam").create_policy(
        PolicyName=name,
        PolicyDocument=inputs.require("policy"),
        **without_none(Path=inputs.get("path"), Description=inputs.get("description")),
        Tags=tag_list(tags(inputs, target)),
    )["Policy"]
    return made["Arn"], {
        "arn": made["Arn"],
        "name": name,
        "policy_id": made["PolicyId"],
        "attachment_count": made.get("AttachmentCount", 0),
    }


def role_policy(inputs: Inputs, target: Target, clients) -> Made:
    role_name = inputs.require("role")
    name = physical_name(inputs, target, max_length=128)
    clients("iam").put_role_policy(
        RoleName=role_name, PolicyName=name, PolicyDocument=inputs.require("policy")
    )
    return f"{role_name}:{name}", {"name": name}


def _attach(call, policy_arn: str, **principal: str) -> None:
    try:
        call(PolicyArn=policy_arn, **principal)
    except botocore.exceptions.ClientError as exc:
        if AWS_MANAGED in policy_arn and error_code(exc) == "NoSuchEntity":
            raise NotEmulated(
                f"the emulator does not know the AWS managed policy {policy_arn} (start moto "
                "with MOTO_IAM_LOAD_MANAGED_POLICIES=true to load AWS's managed policies)"
            ) from None
        raise


def _attachment(principal: str, api: str):
    def create(inputs: Inputs, target: Target, clients) -> Made:
        name = inputs.require(principal)
        arn = inputs.require("policy_arn")
        _attach(getattr(clients("iam"), f"attach_{principal}_policy"), arn, **{api: name})
        return f"{name}/{arn}", {}

    return create


_PASSWORD_POLICY = {
    "minimum_password_length": "MinimumPasswordLength",
    "require_symbols": "RequireSymbols",
    "require_numbers": "RequireNumbers",
    "require_uppercase_characters": "RequireUppercaseCharacters",
    "require_lowercase_characters": "RequireLowercaseCharacters",
    "allow_users_to_change_password": "AllowUsersToChangePassword",
    "max_password_age": "MaxPasswordAge",
    "password_reuse_prevention": "PasswordReusePrevention",
    "hard_expiry": "HardExpiry",
}


def password_policy(inputs: Inputs, target: Target, clients) -> Made:
    clients("iam").update_account_password_policy(
        **{api: inputs[key] for key, api in _PASSWORD_POLICY.items() if key in inputs}
    )
    max_age = inputs.get("max_password_age") or 0
    return "iam-account-password-policy", {"expire_passwords": max_age > 0}


CREATORS = {
    "aws:iam/role:Role": role,
    "aws:iam/user:User": user,
    "aws:iam/group:Group": group,
    "aws:iam/policy:Policy": policy,
    "aws:iam/rolePolicy:RolePolicy": role_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _attachment("role", "RoleName"),
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": _attachment("group", "GroupName"),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": _attachment("user", "UserName"),
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": password_policy,
}
