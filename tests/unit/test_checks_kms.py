"""KMS key checks on hand-built inventories."""

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


def test_rotation_on_passes():
    result = run(kms_key_rotation_enabled, key(enable_key_rotation=True))
    assert result.status is Status.PASS
    assert result.evidence == {
        "enable_key_rotation": True,
        "customer_master_key_spec": "SYMMETRIC_DEFAULT",
    }


def test_rotation_absent_fails():
    result = run(kms_key_rotation_enabled, key())
    assert (result.status, result.evidence["enable_key_rotation"]) == (Status.FAIL, False)


def test_asymmetric_key_is_not_applicable():
    result = run(kms_key_rotation_enabled, key(customer_master_key_spec="RSA_2048"))
    assert result.status is Status.NOT_APPLICABLE
    assert result.evidence == {"customer_master_key_spec": "RSA_2048"}


def test_rotation_unknown_is_undecidable():
    with pytest.raises(Undecidable):
        run(kms_key_rotation_enabled, key(enable_key_rotation=UNKNOWN))


# -- kms_key_policy_no_wildcard_principal ------------------------------------------------------


def test_default_key_policy_passes():
    result = run(kms_key_policy_no_wildcard_principal, key())
    assert (result.status, result.evidence) == (Status.PASS, {"policy": None})


def test_account_root_policy_passes():
    result = run(kms_key_policy_no_wildcard_principal, key(policy=document(ADMIN)))
    assert (result.status, result.evidence) == (Status.PASS, {"wildcard_statements": []})


def test_wildcard_principal_without_condition_fails():
    result = run(kms_key_policy_no_wildcard_principal, key(policy=document(ADMIN, OPEN)))
    assert result.status is Status.FAIL
    assert result.evidence["wildcard_statements"] == [
        {
            "statement": "Anyone",
            "effect": "Allow",
            "action": ["kms:Decrypt"],
            "resource": ["*"],
            "principal": "*",
        }
    ]


def test_aws_wildcard_principal_in_single_statement_dict_fails():
    policy = {"Statement": {**OPEN, "Sid": None, "Principal": {"AWS": ["*"]}}}
    result = run(kms_key_policy_no_wildcard_principal, key(policy=policy))
    assert result.status is Status.FAIL
    assert result.evidence["wildcard_statements"][0]["statement"] == "Statement[0]"


def test_wildcard_principal_with_condition_passes():
    scoped = {**OPEN, "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}
    result = run(kms_key_policy_no_wildcard_principal, key(policy=document(ADMIN, scoped)))
    assert result.status is Status.PASS


@pytest.mark.parametrize("policy", [UNKNOWN, SECRET, "not json", json.dumps(["a list"])])
def test_unreadable_policy_is_undecidable(policy):
    with pytest.raises(Undecidable):
        run(kms_key_policy_no_wildcard_principal, key(policy=policy))


# -- kms_key_enabled -------------------------------------------------------------------------------


def test_key_enabled_by_default_and_disabled_fails():
    on = kms_key_enabled(Resource("aws:kms/key:Key", "phi", {}), Inventory([]))
    off = kms_key_enabled(Resource("aws:kms/key:Key", "phi", {"is_enabled": False}), Inventory([]))
    assert (on.status, on.evidence) == (Status.PASS, {"is_enabled": True})
    assert (off.status, off.evidence) == (Status.FAIL, {"is_enabled": False})
    with pytest.raises(Undecidable):
        kms_key_enabled(Resource("aws:kms/key:Key", "phi", {"is_enabled": UNKNOWN}), Inventory([]))


# -- iam_policy_no_kms_decrypt_all_keys ------------------------------------------------------------


def _identity_policy(*statements: dict) -> Resource:
    doc = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return Resource("aws:iam/policy:Policy", "app", {"policy": doc})


@pytest.mark.parametrize("action", ["kms:Decrypt", "kms:*", "kms:ReEncrypt*", "*"])
def test_decrypt_on_every_key_fails(action):
    res = _identity_policy({"Effect": "Allow", "Action": action, "Resource": "*"})
    result = iam_policy_no_kms_decrypt_all_keys(res, Inventory([res]))
    assert result.status is Status.FAIL
    assert result.evidence["broad_statements"][0]["action"] == [action]


def test_decrypt_on_a_named_key_or_with_a_condition_passes():
    key = "arn:aws:kms:us-east-1:1:key/k"
    res = _identity_policy(
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key},
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
        },
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"},
    )
    result = iam_policy_no_kms_decrypt_all_keys(res, Inventory([res]))
    assert (result.status, result.evidence) == (Status.PASS, {"broad_statements": []})
    with pytest.raises(Undecidable):
        pending = Resource("aws:iam/policy:Policy", "app", {"policy": UNKNOWN})
        iam_policy_no_kms_decrypt_all_keys(pending, Inventory([pending]))
