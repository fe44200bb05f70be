"""KMS key checks on hand-built inventories: rotation, key policy principals, enabled keys, and
identity policies that decrypt with every key."""

from __future__ import annotations

import json

import pytest

from checks.aws.kms import (
    iam_policy_no_kms_decrypt_all_keys,
    kms_key_enabled,
    kms_key_policy_no_wildcard_principal,
    kms_key_rotation_enabled,
)
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

ROOT = "arn:aws:iam::111122223333:root"
KEY_ARN = "arn:aws:kms:us-east-1:1:key/k"


def key(**props) -> Resource:
    return Resource("aws:kms/key:Key", "phi", {"description": "ePHI key", **props})


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ADMIN = {
    "Sid": "Admin",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT},
    "Action": "kms:*",
    "Resource": "*",
}
OPEN = {
    "Sid": "Anyone",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "kms:Decrypt",
    "Resource": "*",
}


# -- kms_key_rotation_enabled ------------------------------------------------------------------


@pytest.mark.parametrize("spec", [{}, {"customer_master_key_spec": "SYMMETRIC_DEFAULT"}])
@pytest.mark.parametrize("rotation", [True, "true"])
def test_rotation_on_passes(spec, rotation):
    result = run(kms_key_rotation_enabled, key(enable_key_rotation=rotation, **spec))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"enable_key_rotation": True, "customer_master_key_spec": "SYMMETRIC_DEFAULT"},
    )


@pytest.mark.parametrize("props", [{}, {"enable_key_rotation": False}])
def test_rotation_off_fails_and_is_the_default(props):
    result = run(kms_key_rotation_enabled, key(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"enable_key_rotation": False, "customer_master_key_spec": "SYMMETRIC_DEFAULT"},
    )


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_NIST_P256", "HMAC_256"])
def test_keys_that_cannot_rotate_are_not_applicable(spec):
    result = run(kms_key_rotation_enabled, key(customer_master_key_spec=spec))
    assert (result.status, result.evidence) == (
        Status.NOT_APPLICABLE,
        {"customer_master_key_spec": spec},
    )


@pytest.mark.parametrize(
    "props", [{"enable_key_rotation": UNKNOWN}, {"customer_master_key_spec": UNKNOWN}]
)
def test_rotation_unknown_is_not_evaluated(props):
    with pytest.raises(Undecidable, match="of phi"):
        run(kms_key_rotation_enabled, key(**props))


# -- kms_key_policy_no_wildcard_principal ------------------------------------------------------


def test_default_key_policy_passes():
    result = run(kms_key_policy_no_wildcard_principal, key())
    assert (result.status, result.evidence) == (Status.PASS, {"policy": None})


@pytest.mark.parametrize(
    "statements",
    [
        (ADMIN,),
        (ADMIN, {**OPEN, "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}),
        (ADMIN, {**OPEN, "Effect": "Deny"}),
        ({**OPEN, "Principal": {"Service": "logs.amazonaws.com"}},),
    ],
)
def test_named_conditioned_or_denying_statements_pass(statements):
    result = run(kms_key_policy_no_wildcard_principal, key(policy=document(*statements)))
    assert (result.status, result.evidence) == (Status.PASS, {"wildcard_statements": []})


def test_wildcard_principal_without_condition_fails_naming_only_that_statement():
    result = run(kms_key_policy_no_wildcard_principal, key(policy=document(ADMIN, OPEN)))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"wildcard_statements": [{"statement": "Anyone", "effect": "Allow",
                                  "action": ["kms:Decrypt"], "resource": ["*"],
                                  "principal": "*"}]},
    )  # fmt: skip


@pytest.mark.parametrize("aws", [["*"], "*", [ROOT, "*"]])
def test_aws_wildcard_among_principals_fails(aws):
    policy = {"Statement": {**OPEN, "Sid": None, "Principal": {"AWS": aws}}}
    result = run(kms_key_policy_no_wildcard_principal, key(policy=policy))
    shown = [aws] if isinstance(aws, str) else aws
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"wildcard_statements": [{"statement": "Statement[0]", "effect": "Allow",
                                  "action": ["kms:Decrypt"], "resource": ["*"],
                                  "principal": {"aws": shown}}]},
    )  # fmt: skip


@pytest.mark.parametrize("policy", [UNKNOWN, SECRET, "not json", json.dumps(["a list"])])
def test_unreadable_policy_is_not_evaluated(policy):
    with pytest.raises(Undecidable):
        run(kms_key_policy_no_wildcard_principal, key(policy=policy))


# -- kms_key_enabled -------------------------------------------------------------------------------


@pytest.mark.parametrize("props", [{}, {"is_enabled": True}, {"is_enabled": "true"}])
def test_key_enabled_passes_and_is_the_default(props):
    result = run(kms_key_enabled, key(**props))
    assert (result.status, result.evidence) == (Status.PASS, {"is_enabled": True})


@pytest.mark.parametrize("state", [None, "Disabled"])
def test_disabled_key_fails(state):
    props = {"is_enabled": False, **({"key_state": state} if state else {})}
    result = run(kms_key_enabled, key(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"is_enabled": False})


def test_key_pending_deletion_fails_saying_so():
    result = run(kms_key_enabled, key(is_enabled=False, key_state="PendingDeletion"))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"is_enabled": False, "key_state": "PendingDeletion"},
    )


def test_key_state_not_known_is_not_evaluated():
    with pytest.raises(Undecidable, match="is_enabled of phi"):
        run(kms_key_enabled, key(is_enabled=UNKNOWN))


# -- iam_policy_no_kms_decrypt_all_keys ------------------------------------------------------------


def _identity_policy(*statements: dict) -> Resource:
    return Resource("aws:iam/policy:Policy", "app", {"policy": document(*statements)})


def _broad(index: int, actions: list, resources: list) -> dict:
    return {"policy": "app", "statement": f"Statement[{index}]", "effect": "Allow",
            "action": actions, "resource": resources}  # fmt: skip


@pytest.mark.parametrize(
    "action",
    ["kms:Decrypt", "KMS:DECRYPT", "kms:*", "kms:ReEncryptFrom", "kms:ReEncrypt*", "kms:De*", "*"],
)
def test_decrypt_on_every_key_fails(action):
    res = _identity_policy({"Effect": "Allow", "Action": action, "Resource": "*"})
    result = run(iam_policy_no_kms_decrypt_all_keys, res)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"broad_statements": [_broad(0, [action], ["*"])]},
    )


def test_decrypt_among_several_actions_or_on_every_key_among_several_fails():
    named = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN}
    several = {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}
    mixed = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": [KEY_ARN, "*"]}
    result = run(iam_policy_no_kms_decrypt_all_keys, _identity_policy(named, several, mixed))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {
            "broad_statements": [
                _broad(1, ["kms:Encrypt", "kms:Decrypt"], ["*"]),
                _broad(2, ["kms:Decrypt"], [KEY_ARN, "*"]),
            ]
        },
    )


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:ReEncryptTo"], "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"},
    ],
)  # fmt: skip
def test_decrypt_on_a_named_key_with_a_condition_or_denied_passes(statement):
    result = run(iam_policy_no_kms_decrypt_all_keys, _identity_policy(statement))
    assert (result.status, result.evidence) == (Status.PASS, {"broad_statements": []})


@pytest.mark.parametrize(
    ("statement", "shown"),
    [
        ({"Effect": "Allow", "NotAction": "kms:Encrypt", "Resource": "*"},
         {"action": [], "not_action": ["kms:Encrypt"], "resource": ["*"]}),
        ({"Effect": "Allow", "NotAction": "kms:Decrypt", "Resource": "*"},
         {"action": [], "not_action": ["kms:Decrypt"], "resource": ["*"]}),
        ({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:1:key/*"},
         {"action": ["kms:Decrypt"], "resource": ["arn:aws:kms:*:1:key/*"]}),
        ({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:1:*"},
         {"action": ["kms:Decrypt"], "resource": ["arn:aws:kms:us-east-1:1:*"]}),
        ({"Effect": "Allow", "Action": "kms:Decrypt", "NotResource": KEY_ARN},
         {"action": ["kms:Decrypt"], "resource": [], "not_resource": [KEY_ARN]}),
    ],
)  # fmt: skip
def test_decrypt_through_not_action_or_a_key_wildcard_fails(statement, shown):
    result = run(iam_policy_no_kms_decrypt_all_keys, _identity_policy(statement))
    expected = {"policy": "app", "statement": "Statement[0]", "effect": "Allow", **shown}
    assert (result.status, result.evidence) == (Status.FAIL, {"broad_statements": [expected]})


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "NotAction": ["kms:Decrypt", "kms:ReEncrypt*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:1:alias/*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:s3:::*"},
    ],
)
def test_not_action_leaving_out_decrypt_or_a_resource_that_is_no_key_wildcard_passes(statement):
    result = run(iam_policy_no_kms_decrypt_all_keys, _identity_policy(statement))
    assert (result.status, result.evidence) == (Status.PASS, {"broad_statements": []})


def test_role_inline_policy_decrypting_every_key_fails():
    inline = [{"name": "kms", "policy": document({"Effect": "Allow", "Action": "kms:Decrypt",
                                                  "Resource": "*"})}]  # fmt: skip
    role = Resource("aws:iam/role:Role", "app", {"inline_policies": inline})
    result = run(iam_policy_no_kms_decrypt_all_keys, role)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"broad_statements": [{**_broad(0, ["kms:Decrypt"], ["*"]), "policy": "kms"}]},
    )


def test_identity_policy_not_known_is_not_evaluated():
    pending = Resource("aws:iam/policy:Policy", "app", {"policy": UNKNOWN})
    with pytest.raises(Undecidable, match="policy of app"):
        run(iam_policy_no_kms_decrypt_all_keys, pending)


@pytest.mark.parametrize(
    ("resource", "status"),
    [
        ("arn:aws:kms:us-east-1:1:key*", Status.FAIL),  # every key, by a wildcard after "key"
        ("x:arn:aws:kms:us-east-1:1:key/*", Status.PASS),  # not an ARN: names no key
    ],
)
def test_what_counts_as_a_wildcard_on_every_key(resource, status):
    statement = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": resource}
    result = run(iam_policy_no_kms_decrypt_all_keys, _identity_policy(statement))
    broad = {"policy": "app", "statement": "Statement[0]", "effect": "Allow",
             "action": ["kms:Decrypt"], "resource": [resource]}  # fmt: skip
    expected = [broad] if status == Status.FAIL else []
    assert (result.status, result.evidence) == (status, {"broad_statements": expected})
