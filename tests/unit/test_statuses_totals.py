"""Totals that add up: checks with nothing to look at apart, the classification ask over
data-holding resources only, and a limitations list built from data."""

from __future__ import annotations

from collections import Counter

import pytest

from checks.config_pack import load_config_pack
from checks.support import resource_types
from policies.data_holding import data_holding_types, holds_data
from policies.framework import load_framework
from policies.limitations import limitations
from policies.totals import check_totals, classification_ask
from reports.status_view import classify_items, decided, limitation_groups, status_context
from tests.unit.test_report_formats import pipeline_document


def _check(cid: str, **results: int) -> dict:
    return {"id": cid, "results": {"FAIL": 0, "PASS": 0, "NOT_APPLICABLE": 0, **results}}


def test_checks_with_nothing_to_look_at_are_counted_apart():
    document = {
        "checks": [
            _check("a", FAIL=1),
            _check("b", PASS=2),
            _check("c", NOT_APPLICABLE=1),  # looked at a resource, found it out of its reach
            _check("d"),
            _check("e"),
        ],
        "findings": [
            {"resource": {"urn": "urn:db", "name": "db"}},
            {"resource": {"urn": "urn:db", "name": "db"}},
            {"resource": {"name": "bucket"}},
            {"resource": None},  # an account-level finding judges no resource
        ],
    }
    assert check_totals(document) == {
        "checks_evaluated": 3,
        "checks_nothing_to_look_at": 2,
        "resources_judged": 2,
    }
    assert check_totals({}) == {
        "checks_evaluated": 0,
        "checks_nothing_to_look_at": 0,
        "resources_judged": 0,
    }


SUB_RESOURCES = (
    "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:kms/alias:Alias",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:secretsmanager/secret:Secret",
)


@pytest.mark.parametrize("token", SUB_RESOURCES)
def test_settings_and_links_hold_no_data(token):
    assert holds_data(token) is False


def test_every_data_store_the_library_knows_holds_data():
    stores = set(resource_types.DATA_STORE_TYPES) | set(resource_types.BACKED_UP_TYPES)
    assert stores <= data_holding_types()
    assert holds_data("aws:s3/bucket:Bucket") is True
    assert holds_data("aws:cloudwatch/logGroup:LogGroup") is True
    assert len(data_holding_types()) == 26


def test_the_classification_ask_counts_only_data_holding_resources():
    items = [
        {"name": "patients", "type": "aws:rds/instance:Instance", "ephi_role": "unknown"},
        {"name": "exports", "type": "aws:s3/bucket:Bucket", "ephi_role": "ephi"},
        {"name": "logs", "type": "aws:cloudwatch/logGroup:LogGroup"},  # no role: unknown
        *(
            {"name": f"sub-{i}", "type": t, "ephi_role": "unknown"}
            for i, t in enumerate(SUB_RESOURCES)
        ),
    ]
    assert classification_ask(items) == {
        "data_holding": 3,
        "unclassified_data_holding": 2,
        "unclassified_names": ["logs", "patients"],
    }
    assert [i["name"] for i in classify_items(items)] == ["patients", "logs"]
    # The record's own flag wins over the type table (an older record has none).
    flagged = [{"name": "x", "type": "aws:kms/alias:Alias", "holds_data": True}]
    assert [i["name"] for i in classify_items(flagged)] == ["x"]


def test_limitations_list_every_control_the_tool_cannot_see():
    framework = load_framework()
    rows = limitations(framework, "program")
    kinds = Counter(r["kind"] for r in rows)
    pack_gaps = sum(1 for r in load_config_pack() if not r.checked)
    attest_only = [s for s in framework.specifications if "automated" not in s.evidence]
    assert kinds == {
        "not_checked": 2,
        "partly_checked": 7,
        "live_only": 3,
        "config_rule": pack_gaps,
        "attestation_only": len(attest_only),
    }
    assert [r["control"] for r in rows if r["kind"] == "not_checked"] == ["GOV-01", "S3-07"]
    assert [r["kind"] for r in rows] == sorted(
        (r["kind"] for r in rows),
        key=("not_checked", "partly_checked", "live_only", "config_rule", "attestation_only").index,
    )
    live_only = next(r for r in rows if r["kind"] == "live_only")
    assert live_only["what"] == "Root account MFA and access keys"
    assert "iam_root_mfa_enabled" in live_only["checks"]
    sanction = next(r for r in rows if r.get("citation") == "164.308(a)(1)(ii)(C)")
    assert sanction["what"] == "164.308(a)(1)(ii)(C) Sanction policy"
    assert all(r["why"].strip() for r in rows)
    # A live audit sees the account: nothing is "visible only to a live audit" there.
    assert "live_only" not in {r["kind"] for r in limitations(framework, "aws")}
    assert len(limitations(framework, "aws")) == len(rows) - 3


def test_the_record_carries_the_totals_the_limitations_and_the_links():
    document = pipeline_document()
    summary = document["summary"]
    assert summary["checks"] == summary["checks_evaluated"] + summary["checks_nothing_to_look_at"]
    assert summary["resources_judged"] == 2
    # The open security group takes no data-classification tag: it holds no data.
    assert document["inventory"]["ephi_roles"] == {"ephi": 1, "unknown": 1}
    assert document["inventory"]["classification"] == {
        "data_holding": 1,
        "unclassified_data_holding": 0,
        "unclassified_names": [],
    }
    audit = next(s for s in document["safeguards"] if s["citation"] == "164.312(b)")
    assert audit["status"] == "not_implemented"
    assert audit["links"][0] == {
        "id": "cloudtrail_enabled_multi_region",
        "why": "API activity in every region is recorded, with tamper-evident log files",
        "ran": True,
    }
    # A program run: nothing is implemented, every Addressable one lacks its decision.
    counts = document["framework"]["status_counts"]
    assert "implemented" not in counts
    assert counts["decision_missing"] == 22
    assert [s["status"] for s in document["framework"]["statuses"]][:2] == [
        "implemented",
        "designed",
    ]
    context = status_context(document)
    assert context["check_totals"]["checks_evaluated"] == summary["checks_evaluated"]
    assert context["classify_items"] == []
    assert context["data_holding_count"] == 1
    assert [g["kind"] for g in context["limitation_groups"]] == [
        "not_checked",
        "partly_checked",
        "live_only",
        "config_rule",
        "attestation_only",
    ]


def test_a_decision_counts_only_while_current_and_never_when_the_status_says_missing():
    assert decided({"status": "designed", "decision": {"current": True}}) is True
    assert decided({"status": "designed", "attestation": {"current": True}}) is True
    assert decided({"status": "designed", "decision": {"current": False}}) is False
    assert decided({"status": "decision_missing", "decision": {"current": True}}) is False
    assert limitation_groups([{"kind": "nonsense"}]) == []
