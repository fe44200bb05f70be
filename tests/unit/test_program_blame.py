"""Whose failure a program's stop is: the program's own, or the scanner's made-up value.

Each program here runs as the worker runs one (`runpy.run_path` from inside the program's
folder), with a made-up data-source answer in its namespace, and its exception is classified.
"""

from __future__ import annotations

import base64
import runpy
from importlib import metadata
from pathlib import Path

import pytest

from checks.sources.program_errors import classify, root_cause
from checks.sources.program_made_up import MadeUp
from checks.sources.pulumi_schema import Context, synthesize_object

# What the mocks answered for a default VPC, and the program's copy of it.
MADE_UP_CIDR = "172.31.99.0/24"
PREAMBLE = f'home = {{"cidr_block": "{MADE_UP_CIDR}"}}  # the mocks\' answer for get_vpc\n'


@pytest.fixture
def made_up() -> MadeUp:
    record = MadeUp()
    record.add(
        {"cidrBlock": MADE_UP_CIDR},
        {},
        trace=True,
        origin="the answer of the data source aws.ec2.get_vpc",
    )
    return record


def _stop(tmp_path: Path, monkeypatch, body: str, given: dict | None = None) -> BaseException:
    """Run a program as the worker does (`given`: names it finds defined); return what it
    raised."""
    main = tmp_path / "__main__.py"
    main.write_text(PREAMBLE + body)
    monkeypatch.chdir(tmp_path)  # the worker runs inside the program's folder
    with pytest.raises(Exception) as caught:
        runpy.run_path(str(main), init_globals=given, run_name="__main__")
    return caught.value


def _library_calls(callback, value):
    """Stands for the SDK calling a program's callback (an `apply`) with one value."""
    return callback(value)


def test_a_programs_own_key_error_is_its_own_beside_made_up_values(tmp_path, monkeypatch, made_up):
    # runpy's frozen frame names no file; resolved from the program's folder it looked like
    # one of the program's, and its line holds the program's whole namespace, made-up values
    # included, so any failure was blamed on the mocks.
    exc = _stop(tmp_path, monkeypatch, 'TIERS = {"small": "t3.small"}\nTIERS["medium"]\n')
    assert classify(exc, tmp_path, made_up) == {
        "kind": "program_error",
        "type": "KeyError",
        "message": "'medium'",
        "where": "__main__.py:3",
    }


def test_what_a_line_would_read_after_it_stopped_is_not_blamed(tmp_path, monkeypatch, made_up):
    # `describe` is not defined: the line stops before it reads the made-up answer.
    exc = _stop(tmp_path, monkeypatch, 'label = describe(home["cidr_block"])\n')
    record = classify(exc, tmp_path, made_up)
    assert record == {
        "kind": "program_error",
        "type": "NameError",
        "message": "name 'describe' is not defined",
        "where": "__main__.py:2",
    }


def test_a_failure_on_the_made_up_value_is_still_the_scanners(tmp_path, monkeypatch, made_up):
    exc = _stop(tmp_path, monkeypatch, 'prefix = int(home["cidr_block"].split(".")[3])\n')
    record = classify(exc, tmp_path, made_up)
    assert record["kind"] == "not_emulated"
    assert record["what"] == "`cidr_block` of the answer of the data source aws.ec2.get_vpc"
    assert record["where"] == "__main__.py:2"


def test_a_name_the_installed_sdk_lacks_is_the_programs_with_its_version(
    tmp_path, monkeypatch, made_up
):
    # The made-up value is an argument of the call, read only after the lookup that failed.
    exc = _stop(
        tmp_path,
        monkeypatch,
        'import pulumi_aws as aws\nids = aws.ec2.get_subnet_ids(vpc_id=home["cidr_block"])\n',
    )
    record = classify(exc, tmp_path, made_up)
    assert record["kind"] == "program_error"
    assert record["type"] == "AttributeError"
    assert record["where"] == "__main__.py:3"
    assert record["sdk"] == f"pulumi_aws {metadata.version('pulumi_aws')}"


def test_an_argument_the_installed_sdk_dropped_is_the_programs(tmp_path, monkeypatch, made_up):
    exc = _stop(
        tmp_path,
        monkeypatch,
        "import pulumi_aws as aws\n"
        'aws.apigateway.Deployment("release", rest_api=home["cidr_block"], stage_name="v1")\n',
    )
    record = classify(exc, tmp_path, made_up)
    assert record["kind"] == "program_error"
    assert record["message"] == (
        "Deployment._internal_init() got an unexpected keyword argument 'stage_name'"
    )
    assert record["sdk"].startswith("pulumi_aws ")


def test_a_programs_callback_called_with_the_wrong_arguments_names_no_sdk(
    tmp_path, monkeypatch, made_up
):
    # A library calls the program's `lambda` with one list of two made-up answers; the lambda
    # wants two arguments: its signature refuses whatever the values.
    exc = _stop(
        tmp_path,
        monkeypatch,
        "join = lambda first, second: first + second\nlibrary_calls(join, [home, home])\n",
        {"library_calls": _library_calls},
    )
    record = classify(exc, tmp_path, made_up)
    assert record["kind"] == "program_error"
    assert record["message"] == "<lambda>() missing 1 required positional argument: 'second'"
    assert "sdk" not in record


def test_an_attribute_a_plain_value_lacks_names_no_sdk(tmp_path, monkeypatch, made_up):
    exc = _stop(tmp_path, monkeypatch, 'home["cidr_block"].network_address\n')
    record = classify(exc, tmp_path, made_up)
    assert "sdk" not in record


def test_the_walk_to_the_cause_goes_past_an_error_raised_from_itself():
    # Pulumi's wait_for_rpcs: `raise exn from cause` with cause the same object.
    def apply_callback():
        raise ValueError("Expecting value: line 1 column 1 (char 0)")

    try:
        try:
            apply_callback()
        except ValueError as inner:
            raise ValueError("While processing resource: 'queue'") from inner
    except ValueError as wrapper:
        try:
            raise wrapper from wrapper
        except ValueError as outer:
            found = root_cause(outer)
    assert str(found) == "Expecting value: line 1 column 1 (char 0)"


def test_an_ecr_login_token_decodes_to_user_and_password():
    from pulumi_aws.ecr import GetCredentialsResult

    ctx = Context("aws:ecr/getCredentials:getCredentials", "creds", "c-1", "us-east-1", "1" * 12)
    token = synthesize_object(GetCredentialsResult, ctx)["authorizationToken"]
    user, sep, password = base64.b64decode(token, validate=True).decode().partition(":")
    assert sep == ":" and user == "c-1"
    assert password.startswith("authorization_token-")
