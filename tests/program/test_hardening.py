"""The hardening transform: on an insecure program it fixes what an input of the same resource
can fix, reports each change, and leaves everything else exactly as declared.

The sample program is scanned twice by the scanner itself (`scan_program`, whose worker runs a
program's registered transforms as the engine does): once as it is, hardened, and once with its
one `register_stack_transform` line blanked out, as declared."""

from __future__ import annotations

import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Status
from checks.sources.program import ProgramScan, scan_program
from checks.sources.pulumi_schema import camel_to_snake
from tests.program.stack import REPO

sys.path.insert(0, str(REPO / "stacks"))
from hardening import DEFAULTS, RULES, Change, Hardener  # noqa: E402

SAMPLE = Path(__file__).resolve().parent / "insecure_for_transform"
REGISTRATION = "pulumi.runtime.register_stack_transform(harden)\n"


def _as_declared(tmp: Path) -> Path:
    """A copy of the sample without its transform registration (the line is left blank, so
    every resource keeps its line), finding stacks/ three folders up as the sample does."""
    program = tmp / "t" / "p" / SAMPLE.name
    program.mkdir(parents=True)
    (tmp / "stacks").symlink_to(REPO / "stacks", target_is_directory=True)
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(SAMPLE / name, program / name)
    source = (SAMPLE / "__main__.py").read_text()
    assert source.count(REGISTRATION) == 1, "the sample must register the transform once"
    (program / "__main__.py").write_text(source.replace(REGISTRATION, "\n"))
    return program


class Sample:
    def __init__(self, scan: ProgramScan) -> None:
        self.resources = scan.resources
        self.findings = {
            (f.check.id, f.resource.name if f.resource else None): f.status
            for f in evaluate(Inventory(scan.resources), build_registry()).findings
        }

    def resource(self, name: str) -> Resource:
        (found,) = [r for r in self.resources if r.name == name]
        return found

    def props(self, name: str) -> dict[str, Any]:
        return dict(self.resource(name).props)


def _reported(declared: Sample) -> list[Change]:
    """The changes the transform reports for the inputs the program declared.

    The worker keeps the inputs a program registers, not what its transforms logged, so the
    report is replayed on the declared inputs (SDK names, which the transform reads as well);
    the tests then hold it against what the hardened program registered."""
    hardener = Hardener(log=False)
    for res in declared.resources:
        hardener(_args(res.type, dict(res.props), name=res.name))
    return hardener.changes


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> tuple[Sample, Sample, list[Change]]:
    declared_dir = _as_declared(tmp_path_factory.mktemp("transform"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        plain, hardened = pool.map(
            lambda d: Sample(scan_program(d, stack="dev")), (declared_dir, SAMPLE)
        )
    return plain, hardened, _reported(plain)


FIXED = [
    ("rds_instance_not_public", "patients-db"),
    ("rds_storage_encrypted_cmk", "patients-db"),
    ("rds_backup_retention_7_days", "patients-db"),
    ("rds_instance_deletion_protection", "patients-db"),
    ("rds_iam_authentication", "patients-db"),
    ("kms_key_rotation_enabled", "customer-key"),
    ("s3_bucket_public_access_blocked", "patient-exports"),
    ("s3_bucket_versioning_enabled", "patient-exports"),
    ("ec2_imdsv2_required", "report-worker"),
    ("ec2_instance_no_public_ip", "report-worker"),
    ("dynamodb_pitr_enabled", "claims-cache"),
    ("dynamodb_deletion_protection", "claims-cache"),
    ("cloudtrail_log_file_validation", "audit"),
    ("cloudtrail_multi_region", "audit"),
]
NOT_FIXABLE = [
    ("s3_bucket_sse_kms", "patient-exports"),  # needs an encryption resource
    ("s3_bucket_tls_only", "patient-exports"),  # needs a bucket policy resource
    ("sg_no_internet_admin_ports", "ssh-from-anywhere"),  # needs a judgement on who connects
    ("sg_internet_ingress_authorized_ports", "ssh-from-anywhere"),
]


@pytest.mark.parametrize(("check_id", "resource"), FIXED)
def test_registered_transform_makes_the_fixable_checks_pass(samples, check_id, resource):
    plain, hardened, changes = samples
    assert plain.findings[(check_id, resource)] is Status.FAIL
    assert hardened.findings[(check_id, resource)] is Status.PASS
    # The fix that made the check pass is the rule filed under that check's id.
    assert check_id in {c.rule for c in changes}


@pytest.mark.parametrize(("check_id", "resource"), NOT_FIXABLE)
def test_what_it_cannot_fix_still_fails(samples, check_id, resource):
    plain, hardened, _ = samples
    assert plain.findings[(check_id, resource)] is Status.FAIL
    assert hardened.findings[(check_id, resource)] is Status.FAIL


def test_what_it_cannot_fix_is_left_exactly_as_declared(samples):
    plain, hardened, changes = samples
    for name in ("ssh-from-anywhere", "patient-exports"):
        assert hardened.props(name) == plain.props(name)
        assert not [c for c in changes if c.resource_name == name]
    assert not [
        r for r in hardened.resources if r.type.startswith("aws:s3/bucketServerSideEncryption")
    ]


def _registered(sample: Sample, name: str, path: str) -> Any:
    value: Any = sample.props(name)
    for part in path.split("."):
        value = value[camel_to_snake(part)]
    return value


def test_every_change_is_reported_with_before_and_after(samples):
    plain, hardened, reported = samples
    changes = {(c.resource_name, c.path): (c.before, c.after) for c in reported}
    assert changes[("patients-db", "publiclyAccessible")] == (True, False)
    assert changes[("patients-db", "storageEncrypted")] == (False, True)
    assert changes[("patients-db", "backupRetentionPeriod")] == (0, 7)
    assert changes[("customer-key", "deletionWindowInDays")] == (7, 30)
    assert changes[("report-worker", "metadataOptions.httpTokens")] == ("optional", "required")
    assert changes[("patient-exports-versioning", "versioningConfiguration.status")] == (
        "Suspended",
        "Enabled",
    )
    # Each reported change is what the resource was registered with...
    for (name, path), (_, after) in changes.items():
        assert _registered(hardened, name, path) == after, (name, path)
    # ...and the transform changed nothing it did not report.
    for res in plain.resources:
        declared, registered = plain.props(res.name), hardened.props(res.name)
        differ = {
            k for k in declared.keys() | registered.keys() if declared.get(k) != registered.get(k)
        }
        assert differ == {
            camel_to_snake(c.path.split(".")[0]) for c in reported if c.resource_name == res.name
        }, res.name


def _service(type_: str) -> str:
    return type_.split("/")[0]  # "aws:s3/bucketAcl:BucketAcl" -> "aws:s3"


def test_every_rule_is_filed_under_the_check_it_answers():
    checks = {c.id: c for c in build_registry()}
    for check_id, rules in RULES.items():
        assert check_id in checks, f"{check_id} is not a check of the library"
        judged = checks[check_id].resource_types
        if judged:  # account-wide checks name no resource type
            # A resource the check judges, or one the check joins to it (a bucket's ACL,
            # public access block, versioning ...), which belongs to the same service.
            assert {_service(t) for t in rules} <= {_service(t) for t in judged}, check_id
    assert not checks.keys() & DEFAULTS.keys()


def _args(
    type_: str, props: dict[str, Any], custom: bool = True, name: str = "r"
) -> pulumi.ResourceTransformArgs:
    return pulumi.ResourceTransformArgs(
        custom=custom,
        type_=type_,
        name=name,
        props=props,
        opts=pulumi.ResourceOptions(protect=True),
    )


def test_each_change_is_logged(monkeypatch):
    lines: list[str] = []
    monkeypatch.setattr(pulumi.log, "info", lambda message, *a, **k: lines.append(message))
    hardener = Hardener()
    result = hardener(_args("aws:kms/key:Key", {"enableKeyRotation": False}))
    assert result is not None and result.props["enableKeyRotation"] is True
    assert result.opts.protect is True
    assert lines == [str(c) for c in hardener.changes] and len(lines) == 2
    assert "enableKeyRotation False -> True" in lines[0]


def test_secure_resources_and_components_are_returned_untouched():
    hardener = Hardener(log=False)
    secure_key = {"enableKeyRotation": True, "deletionWindowInDays": 30}
    assert hardener(_args("aws:kms/key:Key", secure_key)) is None
    assert hardener(_args("aws:kms/key:Key", {"enableKeyRotation": False}, custom=False)) is None
    assert hardener(_args("aws:ec2/securityGroup:SecurityGroup", {"ingress": []})) is None
    assert hardener.changes == []


def test_secret_and_unknown_inputs_are_neither_read_nor_changed():
    hardener = Hardener(log=False)
    secret = rpc.wrap_rpc_secret(False)
    result = hardener(
        _args(
            "aws:rds/instance:Instance",
            {
                "engine": "postgres",
                "storageEncrypted": secret,
                "publiclyAccessible": rpc.UNKNOWN,
                "deletionProtection": True,
                "backupRetentionPeriod": 7,
                "copyTagsToSnapshot": True,
                "autoMinorVersionUpgrade": True,
                "iamDatabaseAuthenticationEnabled": True,
            },
        )
    )
    assert result is None
    assert hardener.changes == []


def test_snake_case_inputs_are_fixed_under_their_own_names():
    result = Hardener(log=False)(_args("aws:ebs/volume:Volume", {"encrypted": False, "size": 8}))
    assert result.props == {"encrypted": True, "size": 8}
    result = Hardener(log=False)(
        _args(
            "aws:rds/cluster:Cluster",
            {
                "storage_encrypted": False,
                "deletion_protection": True,
                "backup_retention_period": 7,
                "copy_tags_to_snapshot": True,
            },
        )
    )
    assert result.props["storage_encrypted"] is True and "storageEncrypted" not in result.props


def test_rules_can_be_skipped_by_id_and_unknown_ids_are_refused():
    hardener = Hardener(skip={"kms_key_rotation_enabled"}, log=False)
    result = hardener(_args("aws:kms/key:Key", {"enableKeyRotation": False}))
    assert result.props["enableKeyRotation"] is False
    assert [c.rule for c in hardener.changes] == ["kms-deletion-window"]
    with pytest.raises(ValueError, match="no-such-rule"):
        Hardener(skip={"no-such-rule"})


@pytest.mark.parametrize(
    ("type_", "props", "path", "expected"),
    [
        (
            "aws:lb/listener:Listener",
            {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"},
            "sslPolicy",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ),
        ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 14}, "retentionInDays", 365),
        ("aws:s3/bucketAcl:BucketAcl", {"acl": "public-read"}, "acl", "private"),
        (
            "aws:ec2/launchTemplate:LaunchTemplate",
            {"metadataOptions": {"httpTokens": "optional"}},
            "metadataOptions",
            {"httpTokens": "required"},
        ),
        (
            "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
            {"minimumPasswordLength": 8},
            "minimumPasswordLength",
            14,
        ),
    ],
)
def test_rules_raise_inputs_to_the_safeguard(type_, props, path, expected):
    result = Hardener(log=False)(_args(type_, props))
    assert result.props[path] == expected


def test_sse_s3_default_encryption_becomes_sse_kms_and_kms_keys_are_kept():
    rules = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    type_ = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    result = Hardener(log=False)(_args(type_, {"bucket": "b", "rules": rules}))
    (rule,) = result.props["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["bucketKeyEnabled"] is True
    kms = [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": "arn:key",
            }
        }
    ]
    assert Hardener(log=False)(_args(type_, {"bucket": "b", "rules": kms})) is None


def test_asymmetric_keys_and_read_replicas_are_not_given_impossible_settings():
    key = {"customerMasterKeySpec": "RSA_2048", "deletionWindowInDays": 30}
    assert Hardener(log=False)(_args("aws:kms/key:Key", key)) is None
    replica = {
        "replicateSourceDb": "primary",
        "storageEncrypted": True,
        "deletionProtection": True,
        "copyTagsToSnapshot": True,
        "publiclyAccessible": False,
        "autoMinorVersionUpgrade": True,
        "backupRetentionPeriod": 0,
    }
    assert Hardener(log=False)(_args("aws:rds/instance:Instance", replica)) is None
