"""IAM roles people assume: session length (IAM-06) and the MFA-protected break-glass role
(IAM-07)."""

from __future__ import annotations

import json

import pytest

from checks.aws.iam_roles import iam_break_glass_role, iam_role_session_duration
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

PEOPLE = {"AWS": "arn:aws:iam::111122223333:root"}
SERVICE = {"Service": "vpc-flow-logs.amazonaws.com"}
IDP = {"Federated": "arn:aws:iam::1:saml-provider/idp"}
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def trust(principal, condition=None, effect="Allow") -> dict:
    statement = {"Effect": effect, "Action": "sts:AssumeRole", "Principal": principal}
    return {**statement, "Condition": condition} if condition else statement


def role(name: str, *statements: dict, **props) -> Resource:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return Resource(
        "aws:iam/role:Role", name, {"name": name, "assume_role_policy": document, **props}
    )


def run(fn, target: Resource):
    return fn(target, Inventory([target]))


# -- iam_role_session_duration --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "status"),
    [(14399, Status.PASS), (14400, Status.PASS), (14401, Status.FAIL), (43200, Status.FAIL)],
)
def test_session_length_boundary_is_four_hours(seconds, status):
    result = run(
        iam_role_session_duration, role("operator", trust(PEOPLE), max_session_duration=seconds)
    )
    assert (result.status, result.evidence) == (
        status,
        {"max_session_duration": seconds, "limit": 14400},
    )


@pytest.mark.parametrize("props", [{}, {"max_session_duration": None}, {"max_session_duration": 0}])
def test_session_length_not_set_is_the_one_hour_default(props):
    result = run(iam_role_session_duration, role("operator", trust(PEOPLE), **props))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"max_session_duration": 3600, "limit": 14400},
    )


@pytest.mark.parametrize(
    "statements",
    [
        (trust("*"),),
        (trust(IDP),),
        (trust(SERVICE), trust(PEOPLE)),  # one statement of several lets people in
        (trust({**SERVICE, **PEOPLE}),),  # one principal type of several is a person's
    ],
)
def test_roles_people_can_assume_are_held_to_the_limit(statements):
    result = run(
        iam_role_session_duration, role("operator", *statements, max_session_duration=43200)
    )
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"max_session_duration": 43200, "limit": 14400},
    )


@pytest.mark.parametrize(
    "statements", [(trust(SERVICE),), (trust(PEOPLE, effect="Deny"), trust(SERVICE)), ()]
)
def test_roles_only_services_assume_are_not_applicable(statements):
    result = run(
        iam_role_session_duration, role("flow-logs", *statements, max_session_duration=43200)
    )
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})


def test_session_length_or_trust_not_known_is_not_evaluated():
    with pytest.raises(Undecidable, match="max_session_duration of operator"):
        run(
            iam_role_session_duration, role("operator", trust(PEOPLE), max_session_duration=UNKNOWN)
        )
    pending = Resource("aws:iam/role:Role", "operator", {"assume_role_policy": UNKNOWN})
    with pytest.raises(Undecidable, match="assume_role_policy of operator"):
        run(iam_role_session_duration, pending)


# -- iam_break_glass_role --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "props"),
    [
        ("break-glass", {}),
        ("breakglass", {}),
        ("Break_Glass_Admin", {}),
        ("emergency-access", {}),
        ("EmergencyAccess", {}),
        ("ops-admin", {"tags": {"purpose": "break-glass"}}),  # by a tag value
        ("ops-admin", {"tags": {"break-glass": "yes"}}),  # by a tag key
    ],
)
def test_break_glass_role_found_by_name_or_tag_with_mfa_passes(name, props):
    glass = role(name, trust(PEOPLE, MFA), **props)
    [result] = iam_break_glass_role(Inventory([glass]))
    assert (result.status, result.resource, result.evidence) == (
        Status.PASS,
        glass,
        {"statements_without_mfa": []},
    )


def test_break_glass_role_found_by_its_physical_name():
    trusted = json.dumps({"Statement": [trust(PEOPLE, MFA)]})
    glass = Resource(
        "aws:iam/role:Role", "admin-role", {"name": "break-glass", "assume_role_policy": trusted}
    )
    [result] = iam_break_glass_role(Inventory([glass]))
    assert (result.status, result.evidence) == (Status.PASS, {"statements_without_mfa": []})


def test_a_recent_mfa_age_condition_also_requires_mfa():
    recent = {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}
    [result] = iam_break_glass_role(Inventory([role("break-glass", trust(PEOPLE, recent))]))
    assert (result.status, result.evidence) == (Status.PASS, {"statements_without_mfa": []})


@pytest.mark.parametrize(
    ("statements", "open_"),
    [
        ((trust(PEOPLE),), ["Statement[0]"]),
        ((trust(PEOPLE, MFA), trust("*")), ["Statement[1]"]),  # one open statement of two
        ((trust(PEOPLE, {"Bool": {"aws:MultiFactorAuthPresent": "false"}}),), ["Statement[0]"]),
        (
            (trust(PEOPLE, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}),),
            ["Statement[0]"],
        ),
    ],
)
def test_break_glass_role_assumable_without_mfa_fails_naming_the_statements(statements, open_):
    glass = role("break-glass", *statements)
    [result] = iam_break_glass_role(Inventory([glass]))
    assert (result.status, result.resource, result.evidence) == (
        Status.FAIL,
        glass,
        {"statements_without_mfa": open_},
    )


def test_break_glass_role_no_person_can_assume_fails():
    glass = role("break-glass", trust(SERVICE), trust(PEOPLE, MFA, effect="Deny"))
    [result] = iam_break_glass_role(Inventory([glass]))
    assert (result.status, result.evidence) == (Status.FAIL, {"statements_without_mfa": []})


@pytest.mark.parametrize("statements", [(trust(IDP),), (trust(PEOPLE, MFA), trust(IDP, MFA))])
def test_break_glass_trusting_an_identity_provider_is_not_evaluated(statements):
    glass = role("break-glass", *statements)
    [result] = iam_break_glass_role(Inventory([glass]))
    assert (result.status, result.resource, result.evidence) == (
        Status.NOT_EVALUATED,
        glass,
        {"statements_without_mfa": []},
    )


def test_every_break_glass_role_gets_its_own_verdict():
    glass, emergency = (
        role("break-glass", trust(PEOPLE, MFA)),
        role("emergency-access", trust(PEOPLE)),
    )
    inv = Inventory([glass, emergency, role("operator", trust(PEOPLE))])
    verdicts = {r.resource.name: (r.status, r.evidence) for r in iam_break_glass_role(inv)}
    assert verdicts == {
        "break-glass": (Status.PASS, {"statements_without_mfa": []}),
        "emergency-access": (Status.FAIL, {"statements_without_mfa": ["Statement[0]"]}),
    }


def test_no_break_glass_role_fails_and_empty_inventory_reports_nothing():
    [absent] = iam_break_glass_role(Inventory([role("operator", trust(PEOPLE, MFA))]))
    assert (absent.status, absent.evidence, absent.resource) == (
        Status.FAIL,
        {"break_glass_roles": []},
        None,
    )
    assert iam_break_glass_role(Inventory([])) == []


def test_break_glass_role_that_cannot_be_seen_is_not_evaluated():
    pending = Resource("aws:iam/role:Role", "break-glass", {"assume_role_policy": UNKNOWN})
    with pytest.raises(Undecidable, match="assume_role_policy of break-glass"):
        iam_break_glass_role(Inventory([pending]))
    with pytest.raises(Undecidable, match="tags of ops"):
        iam_break_glass_role(Inventory([role("ops", trust(PEOPLE), tags=UNKNOWN)]))


def test_break_glass_messages_name_the_role_and_the_open_statements():
    cases = {
        "break-glass": (role("break-glass", trust(PEOPLE, MFA)), Status.PASS,
                        "break-glass can be assumed only with MFA", []),
        "emergency-access": (role("emergency-access", trust(PEOPLE), trust("*")), Status.FAIL,
                             "emergency-access can be assumed without MFA "
                             "(Statement[0], Statement[1])", ["Statement[0]", "Statement[1]"]),
        "breakglass-svc": (role("breakglass-svc", trust(SERVICE)), Status.FAIL,
                           "no person can assume breakglass-svc", []),
        "break-glass-idp": (role("break-glass-idp", trust(IDP)), Status.NOT_EVALUATED,
                            "break-glass-idp trusts an identity provider, whose MFA is not "
                            "visible here", []),
    }  # fmt: skip
    inv = Inventory([glass for glass, *_ in cases.values()])
    said = {r.resource.name: (r.status, r.message, r.evidence) for r in iam_break_glass_role(inv)}
    assert said == {
        name: (status, message, {"statements_without_mfa": open_})
        for name, (_, status, message, open_) in cases.items()
    }


def test_a_trust_policy_that_is_not_json_is_named_in_the_reason():
    broken = Resource(
        "aws:iam/role:Role", "break-glass", {"name": "break-glass", "assume_role_policy": "{x"}
    )
    with pytest.raises(Undecidable) as caught:
        iam_break_glass_role(Inventory([broken]))
    assert str(caught.value) == (
        "the trust policy of break-glass is not valid JSON: "
        "Expecting property name enclosed in double quotes"
    )
