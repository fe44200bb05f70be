"""AWS managed policies attached by ARN, judged by name: administrator-equivalent ones
(iam_no_administrator_access_attached, high) and a service's full access
(iam_no_full_access_managed_policy_attached, medium); the MFA-only break-glass role holds them
for emergencies."""

from __future__ import annotations

import json

import pytest

from checks.aws.iam import iam_no_administrator_access_attached as admin_check
from checks.aws.iam_managed import iam_no_full_access_managed_policy_attached as full_check
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status
from checks.support.managed_policies import aws_managed_name

AWS = "arn:aws:iam::aws:policy/"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PEOPLE_WITH_MFA = {
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
}  # fmt: skip
PEOPLE = {**PEOPLE_WITH_MFA, "Condition": {}}
ECS = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs.amazonaws.com"}}


def trust(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def role(name: str, *statements: dict, **props) -> Resource:
    return Resource(
        "aws:iam/role:Role",
        name,
        {"name": name, "assume_role_policy": trust(*(statements or (PEOPLE_WITH_MFA,))), **props},
        id=name,
    )


def attach(arn: str, role_name: str = "break-glass", token: str = ROLE_ATTACHMENT) -> Resource:
    principal = {"roles": [role_name]} if token.endswith("PolicyAttachment:PolicyAttachment") else {
        "role": role_name}  # fmt: skip
    return Resource(token, f"{role_name}-attach", {**principal, "policy_arn": arn})


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- which ARNs are which ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        (f"{AWS}PowerUserAccess", "PowerUserAccess"),
        ("arn:aws-us-gov:iam::aws:policy/service-role/AWSConfigRoleFullAccess",
         "AWSConfigRoleFullAccess"),
        ("arn:aws:iam::123456789012:policy/AmazonS3FullAccess", None),  # a customer's namesake
        ("AmazonS3FullAccess", None),
        ("arn:aws:iam::aws:policy", None),
    ],
)  # fmt: skip
def test_aws_managed_name(arn, name):
    assert aws_managed_name(arn) == name


# -- administrator-equivalent: high ------------------------------------------------------------


@pytest.mark.parametrize("name", ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"])
def test_administrator_equivalent_policies_fail(name):
    result = run(admin_check, attach(f"{AWS}{name}", "app"), role("app", ECS))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"admin_policy_arns": [f"{AWS}{name}"]},
    )


@pytest.mark.parametrize(
    "name", ["AmazonS3FullAccess", "ReadOnlyAccess", "AdministratorAccess-Amplify"]
)
def test_service_full_access_is_not_administrator_access(name):
    result = run(admin_check, attach(f"{AWS}{name}", "app"), role("app", ECS))
    assert (result.status, result.evidence) == (Status.PASS, {"admin_policy_arns": []})


# -- a service's full access: medium ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "AmazonS3FullAccess",
        "AmazonEventBridgeFullAccess",
        "AWSLambda_FullAccess",
        "CloudWatchFullAccessV2",
        "AmazonDynamoDBFullAccess_v2",
        "AdministratorAccess-AWSElasticBeanstalk",
    ],
)
def test_service_full_access_policies_fail(name):
    result = run(full_check, attach(f"{AWS}{name}", "app"), role("app", ECS))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"full_access_arns": [f"{AWS}{name}"]},
    )


@pytest.mark.parametrize(
    "arn",
    [
        f"{AWS}AmazonS3ReadOnlyAccess",
        f"{AWS}AdministratorAccess",  # the administrator check's
        f"{AWS}IAMFullAccess",  # administrator-equivalent: the administrator check's
        "arn:aws:iam::123456789012:policy/AmazonS3FullAccess",  # its statements are judged
    ],
)
def test_other_policies_pass_the_full_access_check(arn):
    result = run(full_check, attach(arn, "app"), role("app", ECS))
    assert (result.status, result.evidence) == (Status.PASS, {"full_access_arns": []})


@pytest.mark.parametrize(
    ("token", "principal"),
    [
        ("aws:iam/userPolicyAttachment:UserPolicyAttachment", {"user": "alice"}),
        ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", {"group": "ops"}),
        ("aws:iam/policyAttachment:PolicyAttachment", {"users": ["alice"], "roles": ["app"]}),
    ],
)
def test_every_attachment_kind_is_judged(token, principal):
    res = Resource(token, "grant", {**principal, "policy_arn": f"{AWS}AmazonRDSFullAccess"})
    result = run(full_check, res)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"full_access_arns": [f"{AWS}AmazonRDSFullAccess"]},
    )


def test_a_roles_exclusive_managed_policy_arns_name_only_the_broad_ones():
    arns = [f"{AWS}ReadOnlyAccess", f"{AWS}AmazonSQSFullAccess", f"{AWS}PowerUserAccess"]
    app = role("app", ECS, managed_policy_arns=arns)
    full, admin = run(full_check, app), run(admin_check, app)
    assert (full.status, full.evidence) == (
        Status.FAIL,
        {"full_access_arns": [f"{AWS}AmazonSQSFullAccess"]},
    )
    assert (admin.status, admin.evidence) == (
        Status.FAIL,
        {"admin_policy_arns": [f"{AWS}PowerUserAccess"]},
    )


# -- the break-glass role --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "arn", "key"),
    [
        (admin_check, f"{AWS}PowerUserAccess", "admin_policy_arns"),
        (admin_check, f"{AWS}AdministratorAccess", "admin_policy_arns"),
        (full_check, f"{AWS}AmazonS3FullAccess", "full_access_arns"),
    ],
)
def test_the_mfa_only_break_glass_role_holds_them_for_emergencies(check, arn, key):
    result = run(check, attach(arn), role("break-glass"))
    assert (result.status, result.evidence) == (
        Status.NOT_APPLICABLE,
        {key: [arn], "break_glass_roles": ["break-glass"]},
    )
    tagged = role("responders", tags={"emergency-access": "yes"})
    own = run(check, role("responders", managed_policy_arns=[arn], tags=tagged.props["tags"]))
    assert (own.status, own.evidence) == (
        Status.NOT_APPLICABLE,
        {key: [arn], "break_glass_roles": ["responders"]},
    )


@pytest.mark.parametrize(
    ("holder", "others", "why"),
    [
        ("break-glass", (role("break-glass", PEOPLE),), "assumable without MFA"),
        ("break-glass", (role("break-glass", PEOPLE_WITH_MFA, ECS),), "a service can assume it"),
        ("ops", (role("ops"),), "not the break-glass role"),
        ("break-glass", (), "the role is not in the inventory"),
        ("break-glass", (Resource("aws:iam/role:Role", "break-glass",
                                  {"name": "break-glass", "assume_role_policy": UNKNOWN},
                                  id="break-glass"),),
         "its trust cannot be seen: an exemption must be shown"),
    ],
)  # fmt: skip
def test_no_exemption_unless_shown(holder, others, why):
    result = run(admin_check, attach(f"{AWS}PowerUserAccess", holder), *others)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"admin_policy_arns": [f"{AWS}PowerUserAccess"]},
    ), why


def test_an_attachment_to_a_user_beside_the_break_glass_role_is_not_exempt():
    res = Resource(
        "aws:iam/policyAttachment:PolicyAttachment",
        "everyone",
        {"roles": ["break-glass"], "users": ["alice"], "policy_arn": f"{AWS}IAMFullAccess"},
    )
    result = run(admin_check, res, role("break-glass"))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"admin_policy_arns": [f"{AWS}IAMFullAccess"]},
    )


def test_an_arn_that_cannot_be_seen_is_not_evaluated():
    hidden = Resource(ROLE_ATTACHMENT, "x", {"role": "app", "policy_arn": UNKNOWN})
    with pytest.raises(Undecidable, match="policy_arn of x"):
        run(full_check, hidden)
    with pytest.raises(Undecidable, match="managed_policy_arns of app"):
        run(full_check, role("app", ECS, managed_policy_arns=UNKNOWN))
