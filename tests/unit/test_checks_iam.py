"""IAM checks and the policy document helpers they share."""

from __future__ import annotations

import json

import pytest

from checks.aws.iam import (
    iam_no_administrator_access_attached,
    iam_policy_no_admin_access,
    iam_policy_no_full_service_access,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status
from checks.support.policydoc import (
    allows_star_on_star,
    denies_insecure_transport,
    has_wildcard_principal,
    parse_policy,
)

ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
STAR = {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}
READ = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::phi/*"}


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


# -- policydoc ----------------------------------------------------------------------------------


def test_parse_accepts_single_statement_and_string_elements():
    [statement] = parse_policy(
        {"Statement": {"Effect": "allow", "Action": "s3:*", "Resource": "*"}}
    )
    assert (statement.effect, statement.actions, statement.resources) == (
        "Allow",
        ("s3:*",),
        ("*",),
    )


def test_star_on_star_matches_action_star_and_star_colon_star_only_for_allow():
    deny = {**STAR, "Effect": "Deny"}
    colon = {**STAR, "Sid": "Colon", "Action": ["s3:GetObject", "*:*"]}
    found = allows_star_on_star(parse_policy(document(STAR, deny, colon, READ)))
    assert [s.label for s in found] == ["Everything", "Colon"]


def test_wildcard_principal_ignores_conditioned_and_named_principals():
    statements = parse_policy(
        document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
            },
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": "*",
            },
        )
    )
    assert has_wildcard_principal(statements) == []


def test_tls_deny_must_cover_all_s3_actions():
    only_get = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert denies_insecure_transport(parse_policy(document(only_get)), "arn:aws:s3:::b") is False
    everything = {**only_get, "Action": "*"}
    assert denies_insecure_transport(parse_policy(document(everything)), "arn:aws:s3:::b") is True


# -- iam_policy_no_admin_access ----------------------------------------------------------------


def test_managed_policy_with_star_on_star_fails():
    res = Resource("aws:iam/policy:Policy", "admin", {"policy": document(READ, STAR)})
    result = run(iam_policy_no_admin_access, res)
    assert result.status is Status.FAIL
    assert result.evidence["admin_statements"] == [
        {
            "policy": "admin",
            "statement": "Everything",
            "effect": "Allow",
            "action": ["*"],
            "resource": ["*"],
        }
    ]


def test_least_privilege_role_policy_passes():
    res = Resource(
        "aws:iam/rolePolicy:RolePolicy", "app", {"role": "app", "policy": document(READ)}
    )
    result = run(iam_policy_no_admin_access, res)
    assert (result.status, result.evidence) == (Status.PASS, {"admin_statements": []})


@pytest.mark.parametrize(
    "token", ["aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"]
)
def test_user_and_group_inline_policies_are_checked(token):
    res = Resource(token, "p", {"policy": {"Statement": STAR}})
    assert run(iam_policy_no_admin_access, res).status is Status.FAIL


def test_role_inline_policy_with_star_on_star_fails_naming_it():
    inline = [{"name": "ok", "policy": document(READ)}, {"name": "god", "policy": document(STAR)}]
    res = Resource(
        "aws:iam/role:Role", "app", {"assume_role_policy": "{}", "inline_policies": inline}
    )
    result = run(iam_policy_no_admin_access, res)
    assert result.status is Status.FAIL
    assert [s["policy"] for s in result.evidence["admin_statements"]] == ["god"]


def test_role_without_inline_policies_passes():
    res = Resource("aws:iam/role:Role", "app", {"assume_role_policy": "{}"})
    assert run(iam_policy_no_admin_access, res).status is Status.PASS


def test_unknown_policy_document_is_undecidable():
    res = Resource("aws:iam/rolePolicy:RolePolicy", "app", {"policy": UNKNOWN})
    with pytest.raises(Undecidable, match="policy of app"):
        run(iam_policy_no_admin_access, res)


# -- iam_no_administrator_access_attached ------------------------------------------------------


def test_administrator_access_attachment_fails():
    res = Resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "ops-admin",
        {"role": "ops", "policy_arn": ADMIN_ARN},
    )
    result = run(iam_no_administrator_access_attached, res)
    assert (result.status, result.evidence) == (Status.FAIL, {"admin_policy_arns": [ADMIN_ARN]})


def test_read_only_attachment_passes():
    res = Resource(
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "audit",
        {"user": "auditor", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
    )
    assert run(iam_no_administrator_access_attached, res).status is Status.PASS


def test_role_managed_policy_arns_are_checked():
    govcloud_admin = "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"
    res = Resource("aws:iam/role:Role", "ops", {"managed_policy_arns": [govcloud_admin]})
    result = run(iam_no_administrator_access_attached, res)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"admin_policy_arns": [govcloud_admin]},
    )


def test_unknown_attachment_arn_is_undecidable():
    res = Resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "x", {"policy_arn": UNKNOWN}
    )
    with pytest.raises(Undecidable):
        run(iam_no_administrator_access_attached, res)


# -- iam_policy_no_full_service_access -------------------------------------------------------------


def test_service_wildcard_fails_naming_it():
    res = Resource(
        "aws:iam/rolePolicy:RolePolicy",
        "app",
        {
            "policy": document(
                {
                    "Effect": "Allow",
                    "Action": ["s3:*", "kms:Decrypt"],
                    "Resource": "arn:aws:s3:::phi/*",
                }
            )
        },
    )
    result = run(iam_policy_no_full_service_access, res)
    assert result.status is Status.FAIL
    assert result.evidence["broad_statements"][0]["service_wildcards"] == ["s3:*"]


def test_named_actions_and_denies_pass():
    deny_all = {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    res = Resource("aws:iam/rolePolicy:RolePolicy", "app", {"policy": document(READ, deny_all)})
    result = run(iam_policy_no_full_service_access, res)
    assert (result.status, result.evidence) == (Status.PASS, {"broad_statements": []})
    with pytest.raises(Undecidable):
        run(
            iam_policy_no_full_service_access,
            Resource("aws:iam/policy:Policy", "p", {"policy": UNKNOWN}),
        )
