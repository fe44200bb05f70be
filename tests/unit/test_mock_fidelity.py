"""The mocks' answers have the types and forms the provider declares, and a failure is told
honestly: the error walk ends on cycles, a failure on a made-up value names that value."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
from pulumi.runtime import rpc

from checks.sources.program_blame import made_up_culprit
from checks.sources.program_errors import classify, root_cause
from checks.sources.program_made_up import MadeUp, invoke_name
from checks.sources.pulumi_conform import NOT_CONFORMING, conform
from checks.sources.pulumi_invokes import answer
from checks.sources.pulumi_schema import (
    Context,
    invoke_result_class,
    resource_class,
    synthesize_object,
)

AMI = "aws:ec2/getAmi:getAmi"
ECR_TOKEN = "aws:ecr/getAuthorizationToken:getAuthorizationToken"
CTX = Context("data", "data", "data", "eu-west-1", "123456789012")


def _typed(token: str, result: dict):
    """What the Pulumi SDK makes of an invoke's answer (raises where the SDK would)."""
    return rpc.translate_output_properties(result, lambda p: p, invoke_result_class(token))


# -- the error walk --------------------------------------------------------------------------


def test_an_exception_that_is_its_own_cause_ends_the_walk():
    exc = TypeError("Expected argument 'most_recent' to be a bool")
    exc.__cause__ = exc  # as Pulumi's wait_for_rpcs leaves it: `raise exn from cause`
    started = time.monotonic()
    assert root_cause(exc) is exc
    assert time.monotonic() - started < 1


def test_a_longer_cause_cycle_ends_at_the_last_new_exception():
    a, b, c = ValueError("a"), KeyError("b"), RuntimeError("c")
    a.__cause__, b.__cause__, c.__cause__ = b, c, a
    assert root_cause(a) is c


def test_the_walk_stops_at_the_wanted_type():
    inner, outer = KeyError("k"), RuntimeError("wrapped")
    outer.__cause__ = inner
    assert root_cause(outer, (RuntimeError,)) is outer
    assert root_cause(outer) is inner


def test_a_self_caused_program_error_is_classified_as_the_programs(tmp_path):
    source = "err = ValueError('boom')\nerr.__cause__ = err\nraise err\n"
    code = compile(source, str(tmp_path / "main.py"), "exec")
    with pytest.raises(ValueError) as caught:
        exec(code, {})
    record = classify(caught.value, tmp_path, MadeUp())
    assert record["kind"] == "program_error"
    assert record["message"] == "boom"
    assert record["where"] == "main.py:3"


# -- typed answers ---------------------------------------------------------------------------


def test_an_echoed_argument_comes_back_as_the_declared_bool():
    args = {"mostRecent": "true", "owners": ["amazon"], "filters": [{"name": "n", "values": ["v"]}]}
    result = answer(AMI, args, CTX)
    assert result["mostRecent"] is True
    assert result["owners"] == ["amazon"]
    assert _typed(AMI, result).most_recent is True  # the SDK's own type check passes


def test_an_argument_that_cannot_be_its_declared_type_is_not_echoed():
    # A resource object the engine could not reduce to an id, say: never copied into the answer.
    result = answer("aws:ec2/getRouteTable:getRouteTable", {"subnetId": object()}, CTX)
    assert isinstance(result["subnetId"], str)
    _typed("aws:ec2/getRouteTable:getRouteTable", result)


def test_arguments_the_result_does_not_declare_are_left_out():
    result = answer(AMI, {"notAnArgument": "x", "mostRecent": False}, CTX)
    assert "notAnArgument" not in result
    assert result["mostRecent"] is False


@pytest.mark.parametrize(
    ("value", "hint", "expected"),
    [
        ("true", bool, True),
        ("False", bool, False),
        ("yes", bool, NOT_CONFORMING),
        ("8", int, 8),
        (8.0, int, 8),
        ("8.5", int, NOT_CONFORMING),
        (True, int, NOT_CONFORMING),
        (443, str, "443"),
        (True, str, "true"),
        ({"a": 1}, str, NOT_CONFORMING),
        (["1", "2"], list[int], [1, 2]),
        (["1", "x"], list[int], NOT_CONFORMING),
        (None, bool, None),
    ],
)
def test_conform_reads_a_value_as_its_declared_type(value, hint, expected):
    result = conform(value, hint)
    if expected is NOT_CONFORMING:
        assert result is NOT_CONFORMING
    else:
        assert result == expected
        assert type(result) is type(expected)


def test_every_data_source_answer_passes_the_sdks_type_checks():
    for token in (
        AMI,
        ECR_TOKEN,
        "aws:ec2/getVpc:getVpc",
        "aws:ec2/getSubnets:getSubnets",
        "aws:secretsmanager/getSecretVersion:getSecretVersion",
        "aws:eks/getCluster:getCluster",
        "aws:iam/getPolicyDocument:getPolicyDocument",
    ):
        _typed(token, answer(token, {"mostRecent": "true", "default": "true"}, CTX))


# -- realistic forms -------------------------------------------------------------------------


def test_an_authorization_token_is_base64_of_user_and_password():
    token = answer(ECR_TOKEN, {}, CTX)["authorizationToken"]
    user, password = base64.b64decode(token, validate=True).decode().split(":")
    assert user and password


def test_a_map_output_has_its_documented_keys():
    ctx = Context("aws:appsync/graphQLApi:GraphQLApi", "api", "api", "us-east-2", "123456789012")
    uris = synthesize_object(resource_class("aws:appsync/graphQLApi:GraphQLApi"), ctx)["uris"]
    assert set(uris) == {"GRAPHQL", "REALTIME"}
    assert uris["GRAPHQL"].startswith("https://") and uris["GRAPHQL"].endswith("/graphql")
    assert ".us-east-2.appsync." in uris["GRAPHQL"]


def test_a_map_without_documented_keys_stays_empty():
    ctx = Context("aws:s3/bucket:Bucket", "b", "b", "us-east-1", "123456789012")
    assert synthesize_object(resource_class("aws:s3/bucket:Bucket"), ctx)["tagsAll"] == {}


def test_a_base64_certificate_decodes():
    ctx = Context("aws:eks/cluster:Cluster", "c", "c", "us-east-1", "123456789012")
    cluster = synthesize_object(resource_class("aws:eks/cluster:Cluster"), ctx)
    assert base64.b64decode(cluster["certificateAuthority"]["data"], validate=True)


# -- honest blame ----------------------------------------------------------------------------


def _made_up() -> MadeUp:
    made_up = MadeUp()
    made_up.add(
        {"uris": {}, "secretString": "data-secret-string"},
        {},
        trace=True,
        origin="the answer of the data source aws.secretsmanager.get_secret_version",
    )
    made_up.freeze(set())
    return made_up


def _failure(tmp_path: Path, source: str, scope: dict) -> BaseException:
    code = compile(source, str(tmp_path / "__main__.py"), "exec")
    try:
        exec(code, scope)
    except Exception as exc:  # noqa: BLE001 - the failure is what the test inspects
        return exc
    raise AssertionError("the program did not fail")


def test_a_failure_on_a_made_up_string_names_it(tmp_path):
    scope = {"secret": "data-secret-string"}
    exc = _failure(tmp_path, "import json\ncreds = json.loads(secret)\n", scope)
    culprit = made_up_culprit(exc, _made_up(), tmp_path)
    assert culprit == (
        "`secret_string` of the answer of the data source aws.secretsmanager.get_secret_version"
    )
    record = classify(exc, tmp_path, _made_up())
    assert record["kind"] == "not_emulated"
    assert record["where"] == "__main__.py:2"


def test_a_failure_on_a_data_source_results_attribute_names_it(tmp_path):
    import pulumi_aws as aws

    made_up = MadeUp()
    made_up.add({"authorizationToken": "not base64 at all"}, {}, trace=True, origin="x")
    made_up.freeze(set())
    token = aws.ecr.GetAuthorizationTokenResult(
        authorization_token="not base64 at all",
        expires_at=None,
        id="id",
        password=None,
        proxy_endpoint=None,
        region="us-east-1",
        registry_id=None,
        user_name=None,
    )
    source = "import base64\nbase64.b64decode(token.authorization_token, validate=True)\n"
    exc = _failure(tmp_path, source, {"token": token})
    assert made_up_culprit(exc, made_up, tmp_path) == "`authorization_token` of x"


def test_indexing_a_made_up_empty_map_names_it(tmp_path):
    exc = _failure(tmp_path, "def endpoint(uris):\n    return uris['GRAPHQL']\nendpoint({})\n", {})
    assert made_up_culprit(exc, _made_up(), tmp_path) == (
        "`uris` of the answer of the data source aws.secretsmanager.get_secret_version"
    )


def test_a_programs_own_error_is_not_blamed_on_the_mocks(tmp_path):
    scope = {"secret": "data-secret-string", "env": "qa"}
    exc = _failure(tmp_path, "if env != 'prod':\n    raise ValueError(f'bad env {env}')\n", scope)
    assert made_up_culprit(exc, _made_up(), tmp_path) is None
    assert classify(exc, tmp_path, _made_up())["kind"] == "program_error"


def test_an_empty_map_of_the_programs_own_is_not_blamed_outside_an_index_error(tmp_path):
    exc = _failure(tmp_path, "tags = {}\nint(tags or 'x')\n", {})
    assert made_up_culprit(exc, _made_up(), tmp_path) is None


def test_a_decoded_token_is_made_up_too():
    token = base64.b64encode(b"AWS:pa55-w0rd-made-up").decode()
    made_up = MadeUp()
    made_up.add({"authorizationToken": token}, {}, trace=True, origin="the answer of x")
    made_up.freeze(set())
    assert made_up.origin_of("pa55-w0rd-made-up") == "`authorization_token` of the answer of x"
    assert made_up.mark("prefix-pa55-w0rd-made-up") == {"__made_up__": "prefix-pa55-w0rd-made-up"}


def test_an_invoke_token_reads_as_its_python_function():
    assert invoke_name(ECR_TOKEN) == "aws.ecr.get_authorization_token"
    assert invoke_name("aws:index/getRegion:getRegion") == "aws.get_region"
