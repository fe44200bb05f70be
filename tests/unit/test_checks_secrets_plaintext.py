"""Plaintext secrets: Lambda environment variables, EC2 user data and SSM parameters."""

from __future__ import annotations

import base64

import pytest

from checks.aws.secrets import (
    ec2_user_data_no_secrets,
    lambda_env_no_plaintext_secrets,
    ssm_parameter_secrets_secure,
)
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Secret, Undecidable
from checks.registry import Status

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf"
LITERAL = "a literal value under a secret-sounding name"
KEY_MATERIAL = "an AWS access key id or private key"
STORED = "a secret value stored in the configuration"
IN_URL = "a password inside a URL (scheme://user:password@host)"
ASSIGNED = "a secret-sounding name=value inside the value"
PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"


def function(variables) -> Resource:
    return Resource(
        "aws:lambda/function:Function", "api", {"environment": {"variables": variables}}
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


def verdict(result) -> tuple:
    return result.status, dict(result.evidence)


# -- lambda_env_no_plaintext_secrets --------------------------------------------------------------


@pytest.mark.parametrize(
    "variables",
    [
        {"DB_PASSWORD_SECRET_ARN": SECRET_ARN, "TABLE": "sessions", "LOG_LEVEL": "info"},
        {"API_TOKEN_PARAM": "/billing/api-token", "DB_PASSWORD": "{{resolve:secretsmanager:db}}"},
        {"TOKEN_URL": "https://auth.example.com/token"},
        {"DB_PASSWORD": SECRET_ARN, "API_KEY": "ssm:/billing/api-key"},
        {"DB_PASSWORD": "", "TOKEN_TTL": 3600, "SECRET_ROTATES": True},
        {"DSN": "host=db port=5432 password=/billing/db/password"},
        {"TABLE": UNKNOWN, "REGION": MadeUp("us-east-1")},
        {},
    ],
    ids=[
        "arn",
        "ssm-and-resolve",
        "url-name",
        "reference-values",
        "not-text",
        "dsn-reference",
        "unseen-plain-names",
        "empty",
    ],
)
def test_references_and_harmless_values_pass(variables):
    result = run(lambda_env_no_plaintext_secrets, function(variables))
    assert verdict(result) == (Status.PASS, {"secret_variables": {}})


def test_a_function_without_an_environment_passes():
    bare = Resource("aws:lambda/function:Function", "api", {"runtime": "python3.12"})
    assert verdict(run(lambda_env_no_plaintext_secrets, bare)) == (
        Status.PASS,
        {"secret_variables": {}},
    )


def test_each_kind_of_plaintext_secret_fails_with_its_reason():
    variables = {
        "DB_PASSWORD": "hunter2hunter2",
        "SOME_ID": "AKIAABCDEFGHIJKLMNOP",
        "SIGNING": PRIVATE_KEY,
        "STRIPE": SECRET,
        "DATABASE_URL": "postgres://app:hunter2@db:5432/phi",
        "DSN": "host=db port=5432 password=hunter2",
        "TABLE": "sessions",
    }
    result = run(lambda_env_no_plaintext_secrets, function(variables))
    assert verdict(result) == (
        Status.FAIL,
        {
            "secret_variables": {
                "DB_PASSWORD": LITERAL,
                "SOME_ID": KEY_MATERIAL,
                "SIGNING": KEY_MATERIAL,
                "STRIPE": STORED,
                "DATABASE_URL": IN_URL,
                "DSN": ASSIGNED,
            }
        },
    )
    assert "hunter2" not in repr(result.evidence) + result.message


def test_a_revealed_secret_is_still_a_secret_stored_in_the_configuration():
    result = run(lambda_env_no_plaintext_secrets, function({"LOG_LEVEL": Secret("info")}))
    assert verdict(result) == (Status.FAIL, {"secret_variables": {"LOG_LEVEL": STORED}})


@pytest.mark.parametrize(
    ("name", "value", "status", "found"),
    [
        ("DB_PASSWORD", "hunter2hunter2", Status.FAIL, {"DB_PASSWORD": LITERAL}),
        ("DB_PASSWORD_ARN", "hunter2hunter2", Status.PASS, {}),
        ("DB_PASSWORD", "arn:aws:secretsmanager:us-east-1:1:secret:db", Status.PASS, {}),
        ("DB_HOST", "hunter2hunter2", Status.PASS, {}),
    ],
)
def test_a_literal_needs_a_secret_name_that_is_no_reference_name_and_a_non_reference_value(
    name, value, status, found
):
    result = run(lambda_env_no_plaintext_secrets, function({name: value}))
    assert verdict(result) == (status, {"secret_variables": found})


@pytest.mark.parametrize(
    "environment",
    [SECRET, Secret({"variables": {"TABLE": "x"}}), {"variables": SECRET}],
    ids=["environment", "revealed-environment", "variables"],
)
def test_a_wholly_secret_environment_fails_as_every_variable(environment):
    fn = Resource("aws:lambda/function:Function", "api", {"environment": environment})
    assert verdict(run(lambda_env_no_plaintext_secrets, fn)) == (
        Status.FAIL,
        {"secret_variables": {"(every variable)": STORED}},
    )


@pytest.mark.parametrize(
    "environment",
    [
        UNKNOWN,
        MadeUp({"variables": {}}),
        {"variables": UNKNOWN},
        {"variables": {"API_KEY": UNKNOWN}},
        {"variables": {"DB_PASSWORD": MadeUp("x"), "TABLE": "sessions"}},
    ],
    ids=["environment", "made-up-environment", "variables", "secret-named", "made-up-secret"],
)
def test_an_environment_or_secret_named_variable_that_cannot_be_seen_is_undecidable(environment):
    fn = Resource("aws:lambda/function:Function", "api", {"environment": environment})
    with pytest.raises(Undecidable):
        run(lambda_env_no_plaintext_secrets, fn)


# -- ec2_user_data_no_secrets ---------------------------------------------------------------------


def instance(**props) -> Resource:
    return Resource("aws:ec2/instance:Instance", "app", props)


@pytest.mark.parametrize(
    ("script", "found"),
    [
        ("#!/bin/bash\nexport DB_PASSWORD='s3cretValue'\n", ["DB_PASSWORD"]),
        ("export API_TOKEN=abc123 DB_SECRET=zz9zz9\n", ["API_TOKEN", "DB_SECRET"]),
        ("aws configure set aws_access_key_id AKIAABCDEFGHIJKLMNOP\n", ["AWS access key id"]),
        (f"cat > /etc/key <<EOF\n{PRIVATE_KEY}\nEOF\n", ["private key block"]),
        (
            "aws_secret_access_key = abcdEFGH1234abcdEFGH1234\n"
            "aws_access_key_id = AKIAABCDEFGHIJKLMNOP",
            ["aws_secret_access_key", "AWS access key id"],
        ),
    ],
    ids=["password", "two-names", "access-key", "private-key", "credentials-file"],
)
def test_user_data_with_plaintext_secrets_fails_naming_them(script, found):
    result = run(ec2_user_data_no_secrets, instance(user_data=script))
    assert verdict(result) == (Status.FAIL, {"secrets_found": found})
    assert "s3cretValue" not in result.message


@pytest.mark.parametrize(
    "script",
    [
        "#!/bin/bash\nexport DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db)\n",
        "export DB_PASSWORD_ARN=arn-of-the-secret\n",
        "export DB_PASSWORD=arn:aws:secretsmanager:us-east-1:1:secret:db\n",
        "export TOKEN_ENDPOINT=https://auth.example.com/token\n",
        "export TOKEN=https://auth.example.com/token\n",
        "export DB_PASSWORD=short\n",
        "#!/bin/bash\nyum install -y nginx\n",
    ],
    ids=["fetched", "reference-name", "arn", "url-name", "url-value", "too-short", "no-secret"],
)
def test_user_data_without_literal_secrets_passes(script):
    result = run(ec2_user_data_no_secrets, instance(user_data=script))
    assert verdict(result) == (Status.PASS, {"secrets_found": []})


def test_base64_user_data_is_decoded_for_instances_and_launch_templates():
    script = "export DB_PASSWORD=hunter2hunter2\n"
    encoded = base64.b64encode(script.encode()).decode()
    assert verdict(run(ec2_user_data_no_secrets, instance(user_data_base64=encoded))) == (
        Status.FAIL,
        {"secrets_found": ["DB_PASSWORD"]},
    )
    lt = Resource("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"user_data": encoded})
    assert verdict(run(ec2_user_data_no_secrets, lt)) == (
        Status.FAIL,
        {"secrets_found": ["DB_PASSWORD"]},
    )
    lc = Resource("aws:ec2/launchConfiguration:LaunchConfiguration", "lc", {"user_data": script})
    assert verdict(run(ec2_user_data_no_secrets, lc)) == (
        Status.FAIL,
        {"secrets_found": ["DB_PASSWORD"]},
    )


def test_launch_template_user_data_that_is_not_base64_is_read_as_text():
    lt = Resource(
        "aws:ec2/launchTemplate:LaunchTemplate", "lt", {"user_data": "DB_PASSWORD=hunter2hunter2"}
    )
    assert verdict(run(ec2_user_data_no_secrets, lt)) == (
        Status.FAIL,
        {"secrets_found": ["DB_PASSWORD"]},
    )


def test_no_user_data_passes():
    assert verdict(run(ec2_user_data_no_secrets, instance(ami="ami-1"))) == (
        Status.PASS,
        {"secrets_found": []},
    )


@pytest.mark.parametrize(
    "props", [{"user_data": SECRET}, {"user_data": UNKNOWN}, {"user_data_base64": MadeUp("x")}]
)
def test_user_data_that_cannot_be_seen_is_undecidable(props):
    with pytest.raises(Undecidable):
        run(ec2_user_data_no_secrets, instance(**props))


# -- ssm_parameter_secrets_secure -----------------------------------------------------------------


def param(name, kind=None, **props) -> Resource:
    props = {"name": name, **props} if kind is None else {"name": name, "type": kind, **props}
    return Resource("aws:ssm/parameter:Parameter", "param", props)


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (param("/billing/db/password", "SecureString"), Status.PASS),
        (param("/billing/db/password", "String"), Status.FAIL),
        (param("/billing/db/password", "StringList"), Status.FAIL),
        (param("/billing/db/host", "String"), Status.NOT_APPLICABLE),
        (param("/billing/db/host", "SecureString"), Status.NOT_APPLICABLE),
    ],
)
def test_ssm_parameter_named_as_a_secret_must_be_a_secure_string(resource, expected):
    result = run(ssm_parameter_secrets_secure, resource)
    assert verdict(result) == (
        expected,
        {"name": resource.props["name"], "type": resource.props["type"]},
    )


def test_ssm_parameter_type_defaults_to_string_and_name_to_the_resource_name():
    assert verdict(run(ssm_parameter_secrets_secure, param("/billing/api-token"))) == (
        Status.FAIL,
        {"name": "/billing/api-token", "type": "String"},
    )
    unnamed = Resource("aws:ssm/parameter:Parameter", "db-password", {"type": "String"})
    assert verdict(run(ssm_parameter_secrets_secure, unnamed)) == (
        Status.FAIL,
        {"name": "db-password", "type": "String"},
    )


@pytest.mark.parametrize(
    "resource", [param("/billing/api-token", UNKNOWN), param(UNKNOWN, "String")]
)
def test_ssm_parameter_type_or_name_not_known_is_undecidable(resource):
    with pytest.raises(Undecidable):
        run(ssm_parameter_secrets_secure, resource)


def test_user_data_that_is_not_utf8_is_still_read():
    script = b"\xff\xfe\nexport DB_PASSWORD=hunter2hunter2\n"
    encoded = base64.b64encode(script).decode()
    result = run(ec2_user_data_no_secrets, instance(user_data_base64=encoded))
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "user data holds plaintext secret(s): DB_PASSWORD",
        {"secrets_found": ["DB_PASSWORD"]},
    )


def test_plain_and_base64_user_data_are_read_as_separate_lines():
    # Four characters are too short to be a secret; joined with anything but a line break
    # they could grow into one.
    encoded = base64.b64encode(b"echo ready\n").decode()
    both = instance(user_data="DB_PASSWORD=abcd", user_data_base64=encoded)
    result = run(ec2_user_data_no_secrets, both)
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "no plaintext secret found in user data",
        {"secrets_found": []},
    )


def test_an_environment_that_cannot_be_seen_says_so():
    fn = Resource("aws:lambda/function:Function", "api", {"environment": UNKNOWN})
    with pytest.raises(Undecidable) as caught:
        run(lambda_env_no_plaintext_secrets, fn)
    assert str(caught.value) == "the environment of api cannot be seen (UNKNOWN)"
