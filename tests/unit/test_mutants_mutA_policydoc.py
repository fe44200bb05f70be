"""Policy documents (checks/support/policydoc.py) pinned on exact results: parsing both key
spellings, the reason for each malformed document, and the condition readers behind the MFA
and TLS questions."""

from __future__ import annotations

import pytest

from checks.model import UNKNOWN, Undecidable
from checks.support.policydoc import (
    Statement,
    denies_insecure_transport,
    denies_without_mfa,
    parse_policy,
    requires_mfa,
)

MFA = "aws:MultiFactorAuthPresent"
NOT_OBJECTS = "not an object or a list of objects"


def test_snake_case_keys_are_read_like_pascal_case():
    # policydoc x__key__mutmut_6/7
    doc = {"statement": [{"effect": "deny", "not_action": ["s3:GetObject"], "not_resource": "*"}]}
    assert parse_policy(doc) == (
        Statement(
            index=0, sid=None, effect="Deny", not_actions=("s3:GetObject",), not_resources=("*",)
        ),
    )


def test_a_statement_without_an_effect_has_an_empty_one():
    # policydoc x__statement__mutmut_24/26/29
    [statement] = parse_policy({"Statement": {"Action": "s3:*", "Resource": "*"}})
    assert (statement.effect, statement.actions, statement.resources) == ("", ("s3:*",), ("*",))


def test_a_document_without_statements_has_none():
    # policydoc x_parse_policy__mutmut_15/17
    assert parse_policy({"Version": "2012-10-17"}) == ()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not json", "the policy is not valid JSON: Expecting value"),  # mutmut_1/2
        (UNKNOWN, "the policy is not known yet (computed at deployment)"),  # mutmut_5
        (["a list"], "the policy is not a policy document (a JSON object)"),  # mutmut_12
        # mutmut_24/28
        ({"Statement": ["x"]}, f"the policy has a Statement that is {NOT_OBJECTS}"),
        ({"Statement": 5}, f"the policy has a Statement that is {NOT_OBJECTS}"),
        # _strings mutmut_4
        (
            {"Statement": {"Effect": "Allow", "Action": 5}},
            "the policy element 5 is neither a string nor a list",
        ),
        # _principal mutmut_8
        (
            {"Statement": {"Effect": "Allow", "Principal": "me"}},
            "the policy principal 'me' is not '*' or a mapping",
        ),
    ],
    ids=[
        "json",
        "unknown",
        "not-object",
        "statement-item",
        "statement-scalar",
        "element",
        "principal",
    ],
)
def test_each_malformed_document_names_what_is_wrong(value, reason):
    with pytest.raises(Undecidable) as caught:
        parse_policy(value)
    assert str(caught.value) == reason


def deny(condition: dict) -> Statement:
    return Statement(
        index=0, sid="d", effect="Deny", actions=("*",), resources=("*",), condition=condition
    )


def test_a_condition_value_given_as_a_list_is_read_item_by_item():
    # policydoc x__condition_tests__mutmut_12
    statement = deny({"Bool": {MFA: ["false"]}})
    assert denies_without_mfa([statement]) == [statement]


def test_tests_of_the_key_under_several_operators_all_count():
    # policydoc x__condition_tests__mutmut_14
    statement = deny({"Bool": {MFA: "false"}, "BoolIfExists": {MFA: "true"}})
    assert denies_without_mfa([statement]) == [statement]


def test_an_unrelated_operator_before_the_bool_one_is_skipped():
    # policydoc x__condition_tests__mutmut_7
    statement = deny({"StringEquals": {"aws:PrincipalTag/team": "ops"}, "Bool": {MFA: "false"}})
    assert denies_without_mfa([statement]) == [statement]


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("NumericLessThan", True), ("NumericLessThanEquals", True), ("NumericGreaterThan", False)],
)
def test_a_bounded_mfa_age_requires_mfa(operator, expected):
    # policydoc x_requires_mfa__mutmut_19/20
    statement = Statement(
        index=0, sid=None, effect="Allow", condition={operator: {"aws:MultiFactorAuthAge": "3600"}}
    )
    assert requires_mfa(statement) is expected


def test_the_tls_deny_is_found_after_an_unrelated_operator():
    # policydoc x__requires_insecure_transport__mutmut_10
    arn = "arn:aws:s3:::phi"
    statement = Statement(
        index=0,
        sid="tls",
        effect="Deny",
        actions=("s3:*",),
        resources=(arn, f"{arn}/*"),
        principal="*",
        condition={
            "StringEquals": {"aws:SourceVpc": "vpc-1"},
            "Bool": {"aws:SecureTransport": "false"},
        },
    )
    assert denies_insecure_transport([statement], arn) is True
    assert (
        denies_insecure_transport([deny({"StringEquals": {"aws:SourceVpc": "vpc-1"}})], arn)
        is False
    )
