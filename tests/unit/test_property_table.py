"""The property-name table the file sources read instead of importing pulumi_aws: it matches the
installed SDK (regenerated here and compared), it translates every type exactly as the SDK's
classes do, and a file scan runs without importing the provider SDK."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import typing
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from checks.errors import InputError
from checks.model import canonical_type
from checks.sources import property_names
from checks.sources.engine_values import recorded_keys, resource_props
from checks.sources.property_names import TABLE_FILE, input_names, resource_to_python
from scripts import property_table

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pulumi"


@pytest.fixture(scope="module")
def regenerated() -> dict[str, Any]:
    """The table built now from the installed pulumi_aws (imports every module: ~15 s)."""
    return property_table.build()


def shipped() -> dict[str, Any]:
    return json.loads(gzip.decompress(TABLE_FILE.read_bytes()))


def test_the_shipped_table_is_what_the_installed_sdk_generates(regenerated):
    # A pulumi_aws bump that renames, adds or retypes a property fails here until the table
    # is regenerated with `python -m scripts.property_table --write`.
    assert regenerated["version"] == metadata.version("pulumi_aws") == "7.51.1"
    assert shipped() == regenerated
    assert property_table.encode(regenerated) == TABLE_FILE.read_bytes()


def test_the_table_covers_every_type_the_sdk_registers(regenerated):
    assert len(shipped()["types"]) == len(property_table.registered_tokens()) == 1748
    assert shipped()["types"]["aws:rds/instance:Instance"][0] == "rds.instance.Instance"


def _as_engine(value: Any) -> Any:
    """A value as the engine hands it over: every number a float."""
    if isinstance(value, dict):
        return {k: _as_engine(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_engine(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def test_every_type_translates_as_the_sdk_classes_translate_it(regenerated):
    """For each of the 1,748 types, a full engine property map (every declared property, nested
    blocks four deep, numbers as floats, a camelCase tag key) reads the same through the table
    as through the SDK's classes."""
    from checks.sources.pulumi_schema import (
        Context,
        object_to_python,
        resource_class,
        synthesize_object,
    )

    differing = []
    for token in shipped()["types"]:
        cls = resource_class(canonical_type(token))  # as the sources read an old token
        ctx = Context(token, "res", "res-1", "us-east-1", "111122223333")
        engine = _as_engine(synthesize_object(cls, ctx)) | {"tags": {"costCenter": "a"}}
        if resource_to_python(token, engine) != object_to_python(engine, cls):
            differing.append(token)
    assert differing == []


def test_names_the_plain_translation_gets_wrong_come_from_the_table():
    props = resource_to_python(
        "aws:lb/listener:Listener",
        {"routingHttpRequestXAmznTlsVersionHeaderName": "X-TLS", "port": 443.0},
    )
    assert props == {"routing_http_request_x_amzn_tls_version_header_name": "X-TLS", "port": 443}


def test_a_float_the_sdk_declares_stays_a_float_and_map_keys_stay_as_written():
    props = resource_to_python(
        "aws:apigateway/methodSettings:MethodSettings",
        {"settings": {"throttlingRateLimit": 10.0, "throttlingBurstLimit": 5.0}},
    )
    assert props == {"settings": {"throttling_rate_limit": 10.0, "throttling_burst_limit": 5}}
    assert isinstance(props["settings"]["throttling_rate_limit"], float)
    assert isinstance(props["settings"]["throttling_burst_limit"], int)
    tagged = resource_to_python("aws:s3/bucket:Bucket", {"tagsAll": {"dataClass": "ePHI"}})
    assert tagged == {"tags_all": {"dataClass": "ePHI"}}


def test_input_names_and_aliased_tokens_resolve_through_the_table():
    names = input_names(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert names == frozenset({"bucket", "expectedBucketOwner", "region", "rules"})
    assert input_names("aws:s3/bucketV2:BucketV2") == input_names("aws:s3/bucket:Bucket")
    assert input_names("acme:index:Widget") is None
    # Outputs of what a program cannot declare join the props; declarable ones do not.
    props = resource_props(
        "aws:kms/key:Key",
        {"enableKeyRotation": True},
        {"arn": "arn:aws:kms:us-east-1:111122223333:key/k", "deletionWindowInDays": 7.0},
    )
    assert props == {"enable_key_rotation": True, "arn": "arn:aws:kms:us-east-1:111122223333:key/k"}
    assert recorded_keys(
        "aws:lb/listener:Listener", {}, {"routingHttpRequestXAmznTlsVersionHeaderName": "x"}
    ) == frozenset({"routing_http_request_x_amzn_tls_version_header_name"})


def test_an_unreadable_table_is_an_input_error_naming_the_file(tmp_path, monkeypatch):
    broken = tmp_path / "pulumi_aws_properties.json.gz"
    broken.write_bytes(b"not gzip")
    monkeypatch.setattr(property_names, "TABLE_FILE", broken)
    with pytest.raises(
        InputError, match=r"pulumi_aws_properties\.json\.gz: the property-name table"
    ):
        property_names._table.__wrapped__()


_SCAN_AND_REPORT_IMPORTS = """
import sys
from scripts.cli import main
code = main(["scan", sys.argv[1], sys.argv[2], "--out", sys.argv[3], "--force", "--quiet"])
print(code, "pulumi_aws" in sys.modules, "pulumi" in sys.modules)
"""


@pytest.mark.parametrize(
    ("option", "fixture"),
    [("--state", "state_v3_billing.json"), ("--preview", "preview_billing_update.json")],
)
def test_a_file_scan_never_imports_the_provider_sdk(tmp_path, option, fixture):
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _SCAN_AND_REPORT_IMPORTS,
            option,
            str(FIXTURES / fixture),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    code, aws_imported, pulumi_imported = proc.stdout.splitlines()[-1].split()
    assert (aws_imported, pulumi_imported) == ("False", "False")
    assert code in ("0", "1", "3")
    assert (tmp_path / "safeguard-scan.json").is_file()


def _forward_refs(hint: Any) -> list[typing.ForwardRef]:
    if isinstance(hint, typing.ForwardRef):
        return [hint]
    return [ref for arg in typing.get_args(hint) for ref in _forward_refs(arg)]


def test_a_hint_spelled_alike_in_another_module_resolves_in_its_own_module():
    """Python 3.11 may share one ForwardRef between modules that spell an annotation alike and
    then answer with whichever module evaluated it first: S3's lifecycle rules were once read
    with S3 Control's class (and classic WAF's rules with WAFv2's), depending on import order."""
    import pulumi_aws.s3 as s3
    import pulumi_aws.s3control as s3control

    from checks.sources.pulumi_schema import properties

    getter = s3.BucketLifecycleConfiguration.__dict__["rules"].fget
    (ref,) = _forward_refs(getter.__annotations__["return"])
    own, other = vars(sys.modules[getter.__module__]), {"outputs": s3control.outputs}
    try:
        # The state another module's lookup leaves (a fresh local namespace forces the
        # evaluation, whatever was cached before).
        ref._evaluate(other, {}, frozenset())
        polluted = typing.get_type_hints(getter)["return"]
        assert "s3control.outputs.BucketLifecycleConfigurationRule" in repr(polluted)
        hint = properties.__wrapped__(s3.BucketLifecycleConfiguration)["rules"].hint
        assert "pulumi_aws.s3.outputs.BucketLifecycleConfigurationRule" in repr(hint)
    finally:
        ref._evaluate(own, {}, frozenset())
