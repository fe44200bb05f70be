"""The pieces of the `program` source that need no program run: invokes, naming, config."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest

from checks.errors import InputError
from checks.sources.pulumi_invokes import answer, render_policy_document
from checks.sources.pulumi_project import load_config, load_project
from checks.sources.pulumi_schema import (
    Context,
    object_to_python,
    resource_class,
    synthesize_object,
)

CTX = Context("aws:ec2/vpc:Vpc", "main", "vpc-0123", "eu-west-1", "123456789012")


def test_policy_document_renders_statements_like_the_provider():
    doc = render_policy_document(
        {
            "statements": [
                {
                    "sid": "DenyInsecureTransport",
                    "effect": "Deny",
                    "actions": ["s3:*"],
                    "resources": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"],
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                    "conditions": [
                        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
                    ],
                },
                {
                    "actions": ["kms:*"],
                    "resources": ["*"],
                    "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::1:root"]}],
                },
            ]
        }
    )
    policy = json.loads(doc["json"])
    assert policy["Version"] == "2012-10-17"
    deny, allow = policy["Statement"]
    assert deny == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Principal": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert allow["Effect"] == "Allow"
    assert allow["Principal"] == {"AWS": "arn:aws:iam::1:root"}
    assert json.loads(doc["minifiedJson"]) == policy


def test_policy_document_override_replaces_statement_with_same_sid():
    override = json.dumps({"Statement": [{"Sid": "A", "Effect": "Deny", "Action": "*"}]})
    doc = render_policy_document(
        {
            "statements": [{"sid": "A", "actions": ["s3:GetObject"], "resources": ["*"]}],
            "overridePolicyDocuments": [override],
        }
    )
    assert json.loads(doc["json"])["Statement"] == [{"Sid": "A", "Effect": "Deny", "Action": "*"}]


def test_identity_invokes_answer_for_the_scan_region_and_account():
    azs = answer("aws:index/getAvailabilityZones:getAvailabilityZones", {}, CTX)
    assert azs["names"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    who = answer("aws:index/getCallerIdentity:getCallerIdentity", {}, CTX)
    assert who["accountId"] == "123456789012"
    assert answer("aws:index/getPartition:getPartition", {}, CTX)["partition"] == "aws"


def test_unknown_data_source_gets_every_declared_result_property():
    result = answer("aws:ec2/getVpc:getVpc", {"default": True}, CTX)
    assert result["default"] is True
    # A valid private range, distinct per data source, so what a program builds on it can be
    # told from a range it declares itself.
    cidr = ipaddress.ip_network(result["cidrBlock"])
    assert cidr.is_private and cidr != ipaddress.ip_network("10.0.0.0/16")
    other = answer("aws:ec2/getVpc:getVpc", {"default": False}, CTX)["cidrBlock"]
    assert other == result["cidrBlock"]  # deterministic for the same data source
    assert result["arn"].startswith("arn:aws:ec2:eu-west-1:123456789012:")


def test_engine_names_and_numbers_become_sdk_names_and_types():
    cls = resource_class("aws:ec2/securityGroup:SecurityGroup")
    props = object_to_python(
        {
            "vpcId": "vpc-1",
            "ingress": [
                {"fromPort": 22.0, "toPort": 22.0, "protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"]}
            ],
            "tags": {"dataClassification": "ePHI", "Name": "x"},
        },
        cls,
    )
    assert props == {
        "vpc_id": "vpc-1",
        "ingress": [
            {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}
        ],
        "tags": {"dataClassification": "ePHI", "Name": "x"},  # user keys are never renamed
    }
    assert isinstance(props["ingress"][0]["from_port"], int)


def test_synthesized_outputs_are_plausible_and_deterministic():
    cls = resource_class("aws:acm/certificate:Certificate")
    ctx = Context("aws:acm/certificate:Certificate", "cert", "cert-1", "us-east-1", "123456789012")
    first, second = synthesize_object(cls, ctx), synthesize_object(cls, ctx)
    assert first == second
    assert first["arn"] == "arn:aws:acm:us-east-1:123456789012:certificate/cert-1"
    # programs index into this list (domain_validation_options[0]): it must not be empty
    assert first["domainValidationOptions"][0]["resourceRecordName"]


def _project(tmp_path: Path, stack_text: str | None = None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")
    if stack_text is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(stack_text)
    return tmp_path


def test_stack_config_marks_secure_values_secret_and_namespaces_keys(tmp_path):
    project = load_project(
        _project(
            tmp_path,
            "config:\n  aws:region: eu-central-1\n  demo:multiAz: true\n"
            "  dbPassword:\n    secure: v1:abc:def\n  tiers: [a, b]\n",
        )
    )
    config = load_config(project, "dev", {"extra": "1"}, {"apiToken": "tok-123456"})
    assert config.values["aws:region"] == "eu-central-1"
    assert config.values["demo:multiAz"] == "true"
    assert config.values["demo:tiers"] == '["a", "b"]'
    assert config.values["demo:extra"] == "1"
    assert config.secret_keys == {"demo:dbPassword", "demo:apiToken"}
    assert "v1:abc:def" not in json.dumps(config.values)


def test_malformed_stack_file_names_file_and_line(tmp_path):
    project = load_project(_project(tmp_path, "config:\n  demo:a: 1\n  demo:b: [unclosed\n"))
    with pytest.raises(InputError) as err:
        load_config(project, "dev")
    assert str(err.value).startswith(f"{tmp_path / 'Pulumi.dev.yaml'}: line ")
    assert "malformed YAML" in str(err.value)


def test_project_without_python_runtime_is_refused(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: nodejs\n")
    with pytest.raises(InputError, match="only Python programs can be scanned"):
        load_project(tmp_path)


def test_errors_of_the_scanner_itself_are_never_blamed_on_the_program(tmp_path):
    from checks.sources import program_values
    from checks.sources.program_errors import classify
    from checks.sources.program_made_up import MadeUp

    try:
        program_values.engine_urn(None)  # a bug of ours: None has no split()
    except AttributeError as exc:
        ours = classify(exc, tmp_path, MadeUp())
    assert ours["kind"] == "internal_error"
    assert ours["where"].startswith("program_values.py:")

    program = tmp_path / "__main__.py"
    program.write_text("def main():\n    raise ValueError('tier missing')\n")
    namespace: dict = {}
    exec(compile(program.read_text(), str(program), "exec"), namespace)
    try:
        namespace["main"]()
    except ValueError as exc:
        theirs = classify(exc, tmp_path, MadeUp())
    assert theirs == {
        "kind": "program_error",
        "type": "ValueError",
        "message": "tier missing",
        "where": "__main__.py:2",
    }
