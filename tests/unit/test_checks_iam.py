"""IAM policy checks ('*' on '*', the AdministratorAccess policy, 'service:*') and the policy
document helpers they share."""

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


def shown(policy: str, label: str, actions: list, resources: list, **extra) -> dict:
    """A statement as a finding's evidence shows it."""
    return {"policy": policy, **extra, "statement": label, "effect": "Allow", "action": actions,
            "resource": resources}  # fmt: skip


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


def policy(statements: tuple, token="aws:iam/policy:Policy", name="p") -> Resource:
    return Resource(token, name, {"policy": document(*statements)})


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


def test_managed_policy_with_star_on_star_fails_naming_only_that_statement():
    result = run(iam_policy_no_admin_access, policy((READ, STAR), name="admin"))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"admin_statements": [shown("admin", "Everything", ["*"], ["*"])]},
    )


@pytest.mark.parametrize(
    ("statement", "actions", "resources"),
    [
        ({"Action": "*:*", "Resource": "*"}, ["*:*"], ["*"]),
        ({"Action": ["s3:GetObject", "*"], "Resource": "*"}, ["s3:GetObject", "*"], ["*"]),
        (
            {"Action": "*", "Resource": ["arn:aws:s3:::phi/*", "*"]},
            ["*"],
            ["arn:aws:s3:::phi/*", "*"],
        ),
    ],
)
def test_star_among_several_actions_or_resources_fails(statement, actions, resources):
    result = run(iam_policy_no_admin_access, policy(({"Effect": "Allow", **statement},)))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"admin_statements": [shown("p", "Statement[0]", actions, resources)]},
    )


@pytest.mark.parametrize(
    "statement",
    [
        READ,
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "arn:aws:s3:::phi/*",
        },  # every action, one resource
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
        },  # one action, every resource
        {**STAR, "Effect": "Deny"},
    ],
)
def test_statements_short_of_allow_star_on_star_pass(statement):
    result = run(iam_policy_no_admin_access, policy((statement,), "aws:iam/rolePolicy:RolePolicy"))
    assert (result.status, result.evidence) == (Status.PASS, {"admin_statements": []})


@pytest.mark.parametrize(
    "token", ["aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"]
)
def test_user_and_group_inline_policies_are_checked(token):
    res = Resource(token, "p", {"policy": {"Statement": STAR}})
    result = run(iam_policy_no_admin_access, res)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"admin_statements": [shown("p", "Everything", ["*"], ["*"])]},
    )


def test_role_inline_policy_with_star_on_star_fails_naming_it():
    inline = [{"name": "ok", "policy": document(READ)}, {"policy": document(STAR)}]
    res = Resource(
        "aws:iam/role:Role", "app", {"assume_role_policy": "{}", "inline_policies": inline}
    )
    result = run(iam_policy_no_admin_access, res)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"admin_statements": [shown("inline[1]", "Everything", ["*"], ["*"])]},
    )


def test_role_without_inline_policies_passes():
    res = Resource("aws:iam/role:Role", "app", {"assume_role_policy": "{}"})
    result = run(iam_policy_no_admin_access, res)
    assert (result.status, result.evidence) == (Status.PASS, {"admin_statements": []})


def test_policy_document_that_cannot_be_seen_is_not_evaluated():
    res = Resource("aws:iam/rolePolicy:RolePolicy", "app", {"policy": UNKNOWN})
    with pytest.raises(Undecidable, match="policy of app"):
        run(iam_policy_no_admin_access, res)
    role = Resource("aws:iam/role:Role", "app", {"inline_policies": UNKNOWN})
    with pytest.raises(Undecidable, match="inline_policies of app"):
        run(iam_policy_no_admin_access, role)


# -- iam_no_administrator_access_attached ------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "principal"),
    [
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "ops"}),
        ("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "ops"}),
        ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", {"group": "ops"}),
        ("aws:iam/policyAttachment:PolicyAttachment", {"roles": ["ops"]}),
    ],
)
def test_administrator_access_attachment_fails(token, principal):
    res = Resource(token, "ops-admin", {**principal, "policy_arn": ADMIN_ARN})
    result = run(iam_no_administrator_access_attached, res)
    assert (result.status, result.evidence) == (Status.FAIL, {"admin_policy_arns": [ADMIN_ARN]})


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
        # a customer policy of that name: iam_policy_no_admin_access reads its body
        "arn:aws:iam::123456789012:policy/AdministratorAccess",
    ],
)
def test_other_managed_policies_pass(arn):
    res = Resource(
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "audit",
        {"user": "a", "policy_arn": arn},
    )
    result = run(iam_no_administrator_access_attached, res)
    assert (result.status, result.evidence) == (Status.PASS, {"admin_policy_arns": []})


def test_role_managed_policy_arns_are_checked_naming_only_the_admin_one():
    govcloud_admin = "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"
    arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", govcloud_admin]
    result = run(
        iam_no_administrator_access_attached,
        Resource("aws:iam/role:Role", "ops", {"managed_policy_arns": arns}),
    )
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"admin_policy_arns": [govcloud_admin]},
    )
    bare = run(iam_no_administrator_access_attached, Resource("aws:iam/role:Role", "ops", {}))
    assert (bare.status, bare.evidence) == (Status.PASS, {"admin_policy_arns": []})


def test_attachment_arn_that_cannot_be_seen_is_not_evaluated():
    res = Resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "x", {"policy_arn": UNKNOWN}
    )
    with pytest.raises(Undecidable, match="policy_arn of x"):
        run(iam_no_administrator_access_attached, res)


# -- iam_policy_no_full_service_access -------------------------------------------------------------


def test_service_wildcards_fail_naming_them():
    broad = {"Effect": "Allow", "Action": ["s3:*", "kms:Decrypt", "kms:*"], "Resource": "*"}
    result = run(iam_policy_no_full_service_access, policy((READ, broad)))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {
            "broad_statements": [
                shown("p", "Statement[1]", ["s3:*", "kms:Decrypt", "kms:*"], ["*"],
                      service_wildcards=["s3:*", "kms:*"])
            ]
        },
    )  # fmt: skip


@pytest.mark.parametrize(
    "statement",
    [
        READ,
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*"},  # '*' is IAM-03's own check
        {"Effect": "Allow", "Action": "*:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
    ],
)
def test_named_actions_denies_and_star_pass(statement):
    result = run(iam_policy_no_full_service_access, policy((statement,)))
    assert (result.status, result.evidence) == (Status.PASS, {"broad_statements": []})


def test_role_inline_service_wildcard_fails():
    inline = [
        {"name": "s3", "policy": document({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})}
    ]
    result = run(
        iam_policy_no_full_service_access,
        Resource("aws:iam/role:Role", "app", {"inline_policies": inline}),
    )
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {
            "broad_statements": [
                shown("s3", "Statement[0]", ["s3:*"], ["*"], service_wildcards=["s3:*"])
            ]
        },
    )


def test_service_access_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="policy of p"):
        run(
            iam_policy_no_full_service_access,
            Resource("aws:iam/policy:Policy", "p", {"policy": UNKNOWN}),
        )
