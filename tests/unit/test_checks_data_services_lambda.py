"""Lambda checks: permissions, function URL authentication, VPC placement, environment key and
supported runtimes."""

from __future__ import annotations

import pytest

from checks.aws.lambda_ import (
    lambda_env_encrypted_cmk,
    lambda_function_url_auth,
    lambda_in_vpc,
    lambda_permission_not_public,
    lambda_supported_runtime,
)
from checks.model import UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

KEY = "arn:aws:kms:us-east-1:1:key/k"


def function(**props) -> Resource:
    return Resource("aws:lambda/function:Function", "api", {"runtime": "python3.13", **props})


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- lambda_permission_not_public ------------------------------------------------------------------


def permission(**props) -> Resource:
    return Resource(
        "aws:lambda/permission:Permission",
        "invoke",
        {"function": "api", "action": "lambda:InvokeFunction", **props},
    )


def test_permission_for_anyone_without_a_condition_fails():
    result = run(lambda_permission_not_public, permission(principal="*"))
    assert (result.status, result.evidence) == (Status.FAIL, {"principal": "*", "conditions": []})


@pytest.mark.parametrize(
    ("narrower", "value"),
    [
        ("source_account", "111122223333"),
        ("source_arn", "arn:aws:s3:::uploads"),
        ("principal_org_id", "o-abc"),
    ],
)
def test_permission_for_anyone_narrowed_to_one_source_passes(narrower, value):
    result = run(lambda_permission_not_public, permission(principal="*", **{narrower: value}))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"principal": "*", "conditions": [narrower]},
    )


@pytest.mark.parametrize(
    ("props", "conditions"),
    [
        ({}, []),
        (
            {"source_arn": "arn:aws:s3:::uploads", "source_account": "1"},
            ["source_account", "source_arn"],
        ),
    ],
)
def test_permission_for_a_named_principal_passes(props, conditions):
    result = run(lambda_permission_not_public, permission(principal="s3.amazonaws.com", **props))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"principal": "s3.amazonaws.com", "conditions": conditions},
    )


@pytest.mark.parametrize(
    "props", [{"principal": UNKNOWN}, {"principal": "*", "source_arn": UNKNOWN}]
)
def test_permission_that_cannot_be_seen_is_not_evaluated(props):
    with pytest.raises(Undecidable):
        run(lambda_permission_not_public, permission(**props))


# -- lambda_function_url_auth ----------------------------------------------------------------------


def url(auth) -> Resource:
    return Resource("aws:lambda/functionUrl:FunctionUrl", "url", {"authorization_type": auth})


def test_function_url_without_authentication_fails():
    result = run(lambda_function_url_auth, url("NONE"))
    assert (result.status, result.evidence) == (Status.FAIL, {"authorization_type": "NONE"})


def test_function_url_with_iam_authentication_passes():
    result = run(lambda_function_url_auth, url("AWS_IAM"))
    assert (result.status, result.evidence) == (Status.PASS, {"authorization_type": "AWS_IAM"})


@pytest.mark.parametrize("auth", [UNKNOWN, MadeUp("AWS_IAM")])
def test_function_url_auth_that_cannot_be_seen_is_not_evaluated(auth):
    with pytest.raises(Undecidable, match="authorization_type of url"):
        run(lambda_function_url_auth, url(auth))


@pytest.mark.parametrize("auth", [None, "", "aws_iam", "CUSTOM"])
def test_function_url_auth_missing_or_foreign_is_not_evidence_of_iam(auth):
    with pytest.raises(Undecidable, match="neither AWS_IAM nor NONE"):
        run(lambda_function_url_auth, url(auth))


# -- lambda_in_vpc ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subnets", "tags"),
    [(["subnet-a"], {}), (["subnet-a", "subnet-b"], {"data-classification": "ePHI"})],
)
def test_function_in_vpc_subnets_passes(subnets, tags):
    vpc = {"subnet_ids": subnets, "security_group_ids": ["sg"]}
    result = run(lambda_in_vpc, function(vpc_config=vpc, tags=tags))
    assert (result.status, result.evidence) == (Status.PASS, {"subnet_ids": subnets})


@pytest.mark.parametrize(
    "props", [{}, {"vpc_config": {"subnet_ids": [], "security_group_ids": []}}]
)
def test_function_outside_any_vpc_fails(props):
    result = run(lambda_in_vpc, function(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"subnet_ids": []})


def test_function_classified_as_not_handling_ephi_is_not_applicable():
    result = run(lambda_in_vpc, function(tags={"data-classification": "internal"}))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})


@pytest.mark.parametrize("props", [{"vpc_config": UNKNOWN}, {"tags": UNKNOWN}])
def test_vpc_placement_that_cannot_be_seen_is_not_evaluated(props):
    with pytest.raises(Undecidable):
        run(lambda_in_vpc, function(**props))


# -- lambda_env_encrypted_cmk ----------------------------------------------------------------------

ENV = {"variables": {"TABLE": "sessions"}}


def test_environment_under_a_customer_key_passes():
    result = run(lambda_env_encrypted_cmk, function(environment=ENV, kms_key_arn=KEY))
    assert (result.status, result.evidence) == (Status.PASS, {"kms_key_arn": KEY})


@pytest.mark.parametrize("environment", [ENV, [{"variables": {}}, ENV]])
def test_environment_without_a_customer_key_fails(environment):
    result = run(lambda_env_encrypted_cmk, function(environment=environment))
    assert (result.status, result.evidence) == (Status.FAIL, {"kms_key_arn": None})


@pytest.mark.parametrize("environment", [None, {}, {"variables": {}}, {"variables": None}])
def test_function_without_environment_variables_is_not_applicable(environment):
    result = run(lambda_env_encrypted_cmk, function(environment=environment))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})


@pytest.mark.parametrize(
    "props", [{"environment": UNKNOWN}, {"environment": ENV, "kms_key_arn": UNKNOWN}]
)
def test_environment_key_that_cannot_be_seen_is_not_evaluated(props):
    with pytest.raises(Undecidable):
        run(lambda_env_encrypted_cmk, function(**props))


# -- lambda_supported_runtime ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "runtime",
    # the oldest supported version of each family, and some newer ones
    ["python3.11", "python3.13", "python3.14", "nodejs22.x", "nodejs24.x", "java11", "java21",
     "dotnet8", "ruby3.3", "ruby3.4", "provided.al2023"],
)  # fmt: skip
def test_supported_runtimes_pass(runtime):
    result = run(lambda_supported_runtime, function(runtime=runtime))
    assert (result.status, result.evidence) == (Status.PASS, {"runtime": runtime})


@pytest.mark.parametrize(
    "runtime",
    # the newest deprecated version of each family, and some older ones
    ["python3.10", "python2.7", "nodejs20.x", "nodejs", "nodejs4.3", "java8.al2", "java8",
     "dotnet7", "dotnetcore3.1", "ruby3.2", "provided.al2", "provided", "go1.x"],
)  # fmt: skip
def test_deprecated_runtimes_fail(runtime):
    result = run(lambda_supported_runtime, function(runtime=runtime))
    assert (result.status, result.evidence, result.message) == (
        Status.FAIL,
        {"runtime": runtime},
        f"{runtime} is deprecated: no more security patches",
    )


@pytest.mark.parametrize("runtime", ["", "   ", None, "PYTHON3.12", " python3.12", "python 3.12",
                                     "py3", 3.12, ["python3.13"]])  # fmt: skip
def test_a_zip_function_without_a_runtime_identifier_fails(runtime):
    """AWS refuses a zip function with no runtime, or one that is not an identifier it knows:
    invalid configuration, never "supported"."""
    result = run(lambda_supported_runtime, function(runtime=runtime))
    assert (result.status, result.evidence) == (Status.FAIL, {"runtime": runtime})
    assert "not a Lambda runtime identifier" in result.message


def test_a_function_without_a_package_type_is_a_zip_function():
    bare = Resource("aws:lambda/function:Function", "api", {"runtime": ""})
    result = run(lambda_supported_runtime, bare)
    assert (result.status, result.evidence) == (Status.FAIL, {"runtime": ""})
    zipped = function(package_type="Zip", runtime="python3.13")
    result = run(lambda_supported_runtime, zipped)
    assert (result.status, result.evidence) == (Status.PASS, {"runtime": "python3.13"})


@pytest.mark.parametrize("runtime", [None, "python2.7"])
def test_a_container_image_function_is_not_applicable(runtime):
    result = run(lambda_supported_runtime, function(package_type="Image", runtime=runtime))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})


@pytest.mark.parametrize("runtime", ["python3.99", "nodejs40.x", "java99", "ruby9.9", "dotnet99",
                                     "provided.al2099", "java8.al9"])  # fmt: skip
def test_a_runtime_this_library_does_not_know_yet_is_not_evaluated(runtime):
    with pytest.raises(Undecidable, match="not one this check knows"):
        run(lambda_supported_runtime, function(runtime=runtime))


@pytest.mark.parametrize("props", [{"runtime": UNKNOWN}, {"package_type": UNKNOWN}])
def test_a_runtime_that_cannot_be_seen_is_not_evaluated(props):
    with pytest.raises(Undecidable):
        run(lambda_supported_runtime, function(**props))
