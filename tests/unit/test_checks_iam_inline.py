"""iam_no_inline_policies: a user, group or role holds no inline policy, whether declared as a
resource of its own or in a role's `inline_policies` blocks."""

from __future__ import annotations

import json

import pytest

from checks.aws.iam_inline import iam_no_inline_policies
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::phi/*"}],
})  # fmt: skip
PRINCIPALS = {
    "user": ("aws:iam/user:User", "aws:iam/userPolicy:UserPolicy"),
    "group": ("aws:iam/group:Group", "aws:iam/groupPolicy:GroupPolicy"),
    "role": ("aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"),
}


def principal(kind: str, name: str = "app", **props) -> Resource:
    return Resource(PRINCIPALS[kind][0], name, {"name": name, **props}, id=name)


def inline(kind: str, name: str = "app-read", owner: str = "app") -> Resource:
    return Resource(PRINCIPALS[kind][1], name, {kind: owner, "policy": POLICY})


def run(target: Resource, *others: Resource):
    return iam_no_inline_policies(target, Inventory([target, *others]))


@pytest.mark.parametrize("kind", list(PRINCIPALS))
def test_an_inline_policy_of_its_own_fails_naming_it(kind):
    result = run(principal(kind), inline(kind), inline(kind, "other-read", "other"))
    assert (result.status, result.evidence) == (Status.FAIL, {"inline_policies": ["app-read"]})


@pytest.mark.parametrize("kind", list(PRINCIPALS))
def test_managed_policies_only_pass(kind):
    attachment = Resource(
        f"aws:iam/{kind}PolicyAttachment:{kind.capitalize()}PolicyAttachment",
        "app-read",
        {kind: "app", "policy_arn": "arn:aws:iam::123456789012:policy/read"},
    )
    result = run(principal(kind), attachment, inline(kind, "other-read", "other"))
    assert (result.status, result.evidence) == (Status.PASS, {"inline_policies": []})


def test_a_guard_rail_is_an_inline_policy_too():
    deny = Resource(
        "aws:iam/groupPolicy:GroupPolicy",
        "require-mfa",
        {"group": "app", "policy": json.dumps({"Statement": [{"Effect": "Deny", "Action": "*"}]})},
    )
    result = run(principal("group"), deny)
    assert (result.status, result.evidence) == (Status.FAIL, {"inline_policies": ["require-mfa"]})


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([{"name": "read", "policy": POLICY}], (Status.FAIL, ["read"])),
        ([{"policy": POLICY}], (Status.FAIL, ["inline_policies[0]"])),
        # one empty block: "no inline policies at all" (the provider removes any out of band)
        ([{}], (Status.PASS, [])),
        ([{"name": "", "policy": ""}], (Status.PASS, [])),
        # a named block is a policy even before its document is written
        ([{"name": "legacy", "policy": ""}], (Status.FAIL, ["legacy"])),
        ([], (Status.PASS, [])),
    ],
)
def test_a_roles_own_inline_policy_blocks(blocks, expected):
    result = run(principal("role", inline_policies=blocks))
    assert (result.status, result.evidence["inline_policies"]) == expected


def test_both_ways_are_named():
    role = principal("role", inline_policies=[{"name": "own", "policy": POLICY}])
    result = run(role, inline("role", "split"))
    assert (result.status, result.evidence) == (Status.FAIL, {"inline_policies": ["split", "own"]})


def test_what_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="inline_policies of app"):
        run(principal("role", inline_policies=UNKNOWN))
    hidden_owner = Resource(
        "aws:iam/userPolicy:UserPolicy", "p", {"user": UNKNOWN, "policy": POLICY}
    )
    with pytest.raises(Undecidable, match="user of p"):
        run(principal("user"), hidden_owner)
    gapped = Inventory([principal("group")], gaps={"aws:iam/groupPolicy:GroupPolicy": "Throttling"})
    with pytest.raises(Undecidable, match="could not be collected: Throttling"):
        iam_no_inline_policies(principal("group"), gapped)
