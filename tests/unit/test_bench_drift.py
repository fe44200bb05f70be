"""The drift bench's own logic: the guard that stops it when the drift misses a console change,
and the renaming that gives each copy of the stack its own stack name in its export."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from scripts.emulate.report import CreatedResource, DeployReport

BENCH = Path(__file__).resolve().parents[2] / "bench"
SG = "aws:ec2/securityGroup:SecurityGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


@pytest.fixture(scope="module")
def bench():
    """bench/drift.py and its helper, imported as the script imports them (bench/ first on the
    path); the names they bring are taken out of sys.modules again afterwards."""
    names = ("drift", "drift_changes", "audit", "prowler_peer")
    before = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("drift"), importlib.import_module("drift_changes")
    finally:
        sys.path.remove(str(BENCH))
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(before)


def _row(token: str, ident: str, **more) -> dict:
    return {"resource": {"type": token, "id": ident, "arn": None, "name": "n"}, **more}


def test_every_change_found_leaves_nothing_missing(bench) -> None:
    _, changes = bench
    expected = {
        "ssh": changes.Expected("changed", SG, "sg-1", "ingress (every rule)"),
        "encryption": changes.Expected("changed or gone", SSE, "docs"),
        "log group": changes.Expected("gone", LOG_GROUP, "/billing/upgrade"),
        "by hand": changes.Expected("unmanaged", BUCKET, "by-hand"),
    }
    drift = {
        "changed": [
            _row(SG, "sg-1", property="ingress (every rule)", declared=["a"], live=["a", "b"])
        ],  # fmt: skip
        "gone": [_row(SSE, "docs"), _row(LOG_GROUP, "/billing/upgrade")],
        "unmanaged": [_row(BUCKET, "by-hand")],
    }
    assert changes.missing(drift, expected) == []


def test_a_change_missing_or_shown_without_a_difference_is_named(bench) -> None:
    _, changes = bench
    expected = {
        "tag removed": changes.Expected("changed", SG, "sg-2", "tags"),
        "same values": changes.Expected("changed", SG, "sg-3", "tags"),
        "wrong kind": changes.Expected("unmanaged", BUCKET, "by-hand"),
    }
    drift = {
        "changed": [
            _row(SG, "sg-2", property="description", declared="x", live="y"),
            _row(SG, "sg-3", property="tags", declared={"owner": "a"}, live={"owner": "a"}),
        ],
        "gone": [_row(BUCKET, "by-hand")],
        "unmanaged": [],
    }
    assert changes.missing(drift, expected) == [
        f"tag removed: no changed row for {SG} sg-2 tags",
        f"same values: no changed row for {SG} sg-3 tags",
        f"wrong kind: no unmanaged row for {BUCKET} by-hand",
    ]


def test_a_copy_is_renamed_to_its_own_stack_in_every_urn(bench) -> None:
    drift, _ = bench
    urn = f"urn:pulumi:prod::hipaa-billing::{BUCKET}::billing-documents"
    made = CreatedResource(BUCKET, "billing-documents", "docs-2", None, urn, "us-east-1")
    report = DeployReport(
        project="hipaa-billing", stack="prod", endpoint="http://127.0.0.1:1",
        region="us-east-1", account="123456789012", created=(made,), not_emulated=(),
        unmapped=(), states={urn: {"inputs": {"bucket": "docs-2"}}, "urn:other": {}},
    )  # fmt: skip
    copy = drift.as_stack(report, "prod2")
    renamed = f"urn:pulumi:prod2::hipaa-billing::{BUCKET}::billing-documents"
    assert copy.stack == "prod2"
    assert [r.urn for r in copy.created] == [renamed]
    assert dict(copy.states) == {renamed: {"inputs": {"bucket": "docs-2"}}, "urn:other": {}}
    assert report.created[0].urn == urn  # the deploy's own report is left as it was
