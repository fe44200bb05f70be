"""Secrets checks: rotation, customer keys, and plaintext secrets in Lambda environments, EC2 user
data and SSM parameters."""

from __future__ import annotations

import base64

import pytest

from checks.aws.secrets import (
    ec2_user_data_no_secrets,
    lambda_env_no_plaintext_secrets,
    secret_encrypted_cmk,
    secret_rotation_enabled,
    ssm_parameter_secrets_secure,
)
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf"


def secret(**props) -> Resource:
    return Resource(
        "aws:secretsmanager/secret:Secret",
        "db",
        {"name": "db", **props},
        id=SECRET_ARN,
        arn=SECRET_ARN,
    )


def rotation(**rules) -> Resource:
    return Resource(
        "aws:secretsmanager/secretRotation:SecretRotation",
        "db-rotation",
        {"secret_id": SECRET_ARN, "rotation_rules": rules},
    )


def function(variables) -> Resource:
    return Resource(
        "aws:lambda/function:Function", "api", {"environment": {"variables": variables}}
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


def test_rotation_within_90_days_passes_and_none_or_longer_fails():
    ok = run(secret_rotation_enabled, secret(), rotation(automatically_after_days=30))
    assert (ok.status, ok.evidence) == (Status.PASS, {"rotation_days": 30})
    assert run(secret_rotation_enabled, secret()).status is Status.FAIL
    slow = run(secret_rotation_enabled, secret(), rotation(schedule_expression="rate(180 days)"))
    assert (slow.status, slow.evidence) == (Status.FAIL, {"rotation_days": 180})
    with pytest.raises(Undecidable):
        run(secret_rotation_enabled, secret(), rotation(automatically_after_days=UNKNOWN))


def test_secret_key():
    key = "arn:aws:kms:us-east-1:1:key/k"
    assert run(secret_encrypted_cmk, secret(kms_key_id=key)).evidence == {"kms_key_id": key}
    assert run(secret_encrypted_cmk, secret()).status is Status.FAIL
    assert (
        run(secret_encrypted_cmk, secret(kms_key_id="alias/aws/secretsmanager")).status
        is Status.FAIL
    )


@pytest.mark.parametrize(
    "variables",
    [
        {"DB_PASSWORD_SECRET_ARN": SECRET_ARN, "TABLE": "sessions", "LOG_LEVEL": "info"},
        {"API_TOKEN_PARAM": "/billing/api-token", "DB_PASSWORD": "{{resolve:secretsmanager:db}}"},
        {"TOKEN_URL": "https://auth.example.com/token"},
    ],
)
def test_references_to_secrets_pass(variables):
    result = run(lambda_env_no_plaintext_secrets, function(variables))
    assert (result.status, result.evidence) == (Status.PASS, {"secret_variables": {}})


def test_literal_secret_access_key_and_secret_value_fail():
    result = run(
        lambda_env_no_plaintext_secrets,
        function(
            {
                "DB_PASSWORD": "hunter2hunter2",
                "SOME_ID": "AKIAABCDEFGHIJKLMNOP",
                "STRIPE": SECRET,
            }
        ),
    )
    assert result.status is Status.FAIL
    assert sorted(result.evidence["secret_variables"]) == ["DB_PASSWORD", "SOME_ID", "STRIPE"]
    assert "hunter2" not in repr(result.evidence)


def test_unknown_secret_named_variable_is_undecidable():
    with pytest.raises(Undecidable):
        run(lambda_env_no_plaintext_secrets, function({"API_KEY": UNKNOWN}))
    ok = run(lambda_env_no_plaintext_secrets, function({"TABLE": UNKNOWN}))
    assert ok.status is Status.PASS


def test_user_data_with_a_literal_password_fails_and_a_fetched_one_passes():
    instance = Resource(
        "aws:ec2/instance:Instance",
        "app",
        {"user_data": "#!/bin/bash\nexport DB_PASSWORD='s3cretValue'\n"},
    )
    result = run(ec2_user_data_no_secrets, instance)
    assert (result.status, result.evidence) == (Status.FAIL, {"secrets_found": ["DB_PASSWORD"]})
    fetched = Resource(
        "aws:ec2/instance:Instance",
        "app",
        {
            "user_data": (
                "#!/bin/bash\n"
                "export DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db)\n"
            )
        },
    )
    assert run(ec2_user_data_no_secrets, fetched).evidence == {"secrets_found": []}


def test_launch_template_user_data_is_decoded_and_secret_user_data_is_undecidable():
    script = (
        "aws_secret_access_key = abcdEFGH1234abcdEFGH1234\naws_access_key_id = AKIAABCDEFGHIJKLMNOP"
    )
    lt = Resource(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt",
        {"user_data": base64.b64encode(script.encode()).decode()},
    )
    result = run(ec2_user_data_no_secrets, lt)
    assert result.status is Status.FAIL
    assert "AWS access key id" in result.evidence["secrets_found"]
    with pytest.raises(Undecidable):
        run(
            ec2_user_data_no_secrets,
            Resource("aws:ec2/instance:Instance", "app", {"user_data": SECRET}),
        )


def test_ssm_parameters():
    def param(name, kind):
        return Resource("aws:ssm/parameter:Parameter", name, {"name": name, "type": kind})

    plain = run(ssm_parameter_secrets_secure, param("/billing/db/password", "String"))
    assert (plain.status, plain.evidence) == (
        Status.FAIL,
        {"name": "/billing/db/password", "type": "String"},
    )
    assert run(
        ssm_parameter_secrets_secure, param("/billing/db/password", "SecureString")
    ).status is (Status.PASS)
    assert run(ssm_parameter_secrets_secure, param("/billing/db/host", "String")).status is (
        Status.NOT_APPLICABLE
    )
    with pytest.raises(Undecidable):
        run(ssm_parameter_secrets_secure, param("/billing/api-token", UNKNOWN))
