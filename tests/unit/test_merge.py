"""`policies.merge`: per-account run documents, built by the real evaluator and assessment over
small hand-made inventories, combined into one organisation-level run document."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from checks.aws import rds
from checks.errors import InputError
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from policies.assess import assess
from policies.framework import load_framework
from policies.gate import record_gate_problems
from policies.inputs import PolicyInputs
from policies.merge import RunInput, merge_runs
from policies.profiles import load_profile
from policies.record import build_record
from policies.run_identity import document_sha256
from policies.run_shape import problem
from reports.renderers import build_renderers
from scripts.output import write_outputs

REGISTRY = build_registry([rds])
A, B = "111111111111", "222222222222"
NOW = "2026-12-06T12:00:00Z"


def _db(account: str, name: str, encrypted: bool) -> Resource:
    props = {
        "engine": "postgres",
        "storage_encrypted": encrypted,
        "kms_key_id": f"arn:aws:kms:us-east-1:{account}:key/k1" if encrypted else None,
        "backup_retention_period": 14 if encrypted else 0,
        "deletion_protection": encrypted,
        "publicly_accessible": False,
    }
    return Resource(
        "aws:rds/instance:Instance",
        name,
        props,
        id=name,
        arn=f"arn:aws:rds:us-east-1:{account}:db:{name}",
        account=account,
        region="us-east-1",
    )


def _document(account: str, *dbs: Resource, profile: str = "default") -> dict:
    inputs = PolicyInputs(profile=load_profile(profile), framework=load_framework())
    source = {"kind": "aws", "accounts": [account], "regions": ["us-east-1"], "api_calls": 7}
    assessment = assess(
        evaluate(Inventory(list(dbs)), REGISTRY), inputs, source=source, generated_at=NOW
    )
    return build_record(assessment)


@pytest.fixture(scope="module")
def docs() -> tuple[dict, dict]:
    failing = _document(A, _db(A, "db-a1", False), _db(A, "db-a2", False))
    passing = _document(B, _db(B, "db-b1", True))
    return failing, passing


def _merge(*pairs: tuple[str, dict], force: bool = False) -> dict:
    return merge_runs([RunInput(label, doc) for label, doc in pairs], NOW, force=force)


def test_counts_add_up_and_the_gate_is_decided_over_all(docs):
    a, b = docs
    merged = _merge(("a.json", a), ("b.json", b))
    assert problem(merged) is None
    assert record_gate_problems(merged) == []
    for status in ("FAIL", "PASS", "NOT_EVALUATED", "NOT_APPLICABLE", "WAIVED"):
        expected = a["summary"]["findings"][status] + b["summary"]["findings"][status]
        assert merged["summary"]["findings"][status] == expected
    assert len(merged["findings"]) == len(a["findings"]) + len(b["findings"])
    assert merged["summary"]["resources"] == 3
    assert merged["inventory"]["resources"] == 3
    assert merged["inventory"]["by_type"] == {"aws:rds/instance:Instance": 3}
    assert (a["gate"]["blocking_failures"], b["gate"]["blocking_failures"]) == (6, 0)
    assert merged["gate"]["exit_code"] == 1
    assert merged["gate"]["blocking_failures"] == 6
    assert merged["source"]["accounts"] == [A, B]
    assert merged["source"]["api_calls"] == 14
    rds_check = next(c for c in merged["checks"] if c["id"] == "rds_storage_encrypted_cmk")
    assert rds_check["results"]["FAIL"] == 2


def test_each_finding_keeps_its_account_and_region(docs):
    merged = _merge(("a.json", docs[0]), ("b.json", docs[1]))
    by_name = {
        f["resource"]["name"]: (f["account"], f["resource"]["region"])
        for f in merged["findings"]
        if f["resource"]
    }
    assert by_name == {
        "db-a1": (A, "us-east-1"),
        "db-a2": (A, "us-east-1"),
        "db-b1": (B, "us-east-1"),
    }
    assert {i["name"]: i["account"] for i in merged["inventory"]["items"]} == {
        "db-a1": A,
        "db-a2": A,
        "db-b1": B,
    }


def test_provenance_names_each_run_with_its_digest(docs):
    a, b = docs
    merged = _merge(("a.json", a), ("b.json", b))
    rows = merged["source"]["merged_from"]
    assert [(r["run"], r["accounts"]) for r in rows] == [("a.json", [A]), ("b.json", [B])]
    assert rows[0]["document_sha256"] == document_sha256(a)
    assert rows[1]["document_sha256"] == document_sha256(b)
    assert rows[0]["generated_at"] == NOW
    assert rows[0]["assessment_id"].startswith("SA-20261206T120000Z-")


def test_passing_accounts_merge_to_a_passing_gate(docs):
    b = docs[1]
    other = _document(A, _db(A, "db-ok", True))
    merged = _merge(("b", b), ("other", other))
    assert merged["gate"]["blocking_failures"] == 0
    assert merged["gate"]["exit_code"] == 0
    assert merged["summary"]["findings"]["FAIL"] == 0


def _with_status(doc: dict, citation: str, status: str, reason: str) -> dict:
    edited = copy.deepcopy(doc)
    for sg in edited["safeguards"]:
        if sg["citation"] == citation:
            sg["status"], sg["reason"] = status, reason
    return edited


@pytest.mark.parametrize(
    ("status_a", "status_b", "merged_status"),
    [
        ("not_implemented", "implemented", "not_implemented"),
        ("implemented", "partially_implemented", "partially_implemented"),
        ("implemented", "implemented", "implemented"),
        ("not_applicable", "implemented", "implemented"),
        ("not_applicable", "not_applicable", "not_applicable"),
        ("decision_missing", "not_assessed", "decision_missing"),
    ],
)
def test_a_specification_is_as_weak_as_its_weakest_account(docs, status_a, status_b, merged_status):
    citation = "164.312(a)(2)(iv)"
    a = _with_status(docs[0], citation, status_a, "reason a")
    # The same status for the same reason reads once; any other pair names each account.
    reason_b = "reason a" if status_a == status_b else "reason b"
    b = _with_status(docs[1], citation, status_b, reason_b)
    merged = _merge(("a", a), ("b", b))
    row = next(sg for sg in merged["safeguards"] if sg["citation"] == citation)
    assert row["status"] == merged_status
    if status_a == status_b:
        assert row["accounts"] == {status_a: [A, B]}
        assert row["reason"] == f"{status_a} in all 2 accounts: reason a"
    else:
        assert row["accounts"] == {status_a: [A], status_b: [B]}
        assert f"{status_a} in {A} (reason a)" in row["reason"]
        assert f"{status_b} in {B} (reason b)" in row["reason"]
    assert merged["framework"]["status_counts"][merged_status] >= 1


def test_a_specification_failing_in_one_account_names_it(docs):
    merged = _merge(("a", docs[0]), ("b", docs[1]))
    failing = [sg for sg in merged["safeguards"] if sg["status"] == "not_implemented"]
    assert failing, "account A's unencrypted databases fail some specification"
    for sg in failing:
        assert A in sg["accounts"]["not_implemented"]
        assert B not in sg["accounts"]["not_implemented"]


def test_two_documents_of_one_account_are_refused(docs):
    with pytest.raises(InputError) as caught:
        _merge(("a.json", docs[0]), ("again.json", copy.deepcopy(docs[0])))
    assert str(caught.value) == f"again.json: account {A} is already in a.json"


def test_a_program_scan_is_refused_naming_it(docs):
    scan = copy.deepcopy(docs[1])
    scan["source"] = {"kind": "program", "project": "billing", "stack": "dev"}
    with pytest.raises(InputError) as caught:
        _merge(("a.json", docs[0]), ("scan.json", scan))
    assert str(caught.value).startswith(
        "scan.json: a run of source kind 'program' names no account"
    )


def test_one_account_merges_to_its_own_verdict_and_counts(docs):
    # An organisation of one account (or a fan-out where one job ran) still gives a report.
    merged = _merge(("a.json", docs[0]))
    assert merged["summary"]["findings"] == docs[0]["summary"]["findings"]
    assert merged["gate"] == docs[0]["gate"]
    assert [(s["status"], s["reason"]) for s in merged["safeguards"]] == [
        (s["status"], s["reason"]) for s in docs[0]["safeguards"]
    ]
    with pytest.raises(InputError, match="^merge needs run documents"):
        _merge()


def test_an_edited_gate_is_refused(docs):
    edited = copy.deepcopy(docs[0])
    edited["gate"]["exit_code"] = 0
    with pytest.raises(InputError) as caught:
        _merge(("edited.json", edited), ("b.json", docs[1]))
    assert str(caught.value).startswith("edited.json: its stored gate disagrees with its findings")


def test_different_profiles_are_refused_unless_forced_then_the_strictest_applies(docs):
    strict = _document(B, _db(B, "db-b1", True), profile="strict")
    with pytest.raises(InputError) as caught:
        _merge(("a.json", docs[0]), ("strict.json", strict))
    assert str(caught.value).startswith(
        "strict.json: judged with gate profile 'strict', not 'default', than a.json"
    )
    merged = _merge(("a.json", docs[0]), ("strict.json", strict), force=True)
    gate = merged["gate"]
    assert (gate["profile"], gate["fail_on"], gate["not_evaluated_blocks"]) == (
        "default + strict",
        "info",
        "always",
    )
    assert record_gate_problems(merged) == []


def test_the_network_maps_keep_each_accounts_nodes_apart(docs):
    a, b = copy.deepcopy(docs[0]), copy.deepcopy(docs[1])
    for doc, account in ((a, A), (b, B)):
        doc["asset_map"]["network"] = {
            "nodes": [
                {"id": "internet", "kind": "internet", "label": "Internet"},
                {"id": "vpc-1", "kind": "vpc", "label": f"vpc-{account}", "address": account},
                {"id": "subnet-1", "kind": "subnet", "label": "s", "vpc": "vpc-1"},
            ],
            "edges": [{"from": "internet", "to": "subnet-1", "kind": "internet"}],
            "notes": [],
        }
    network = _merge(("a", a), ("b", b))["asset_map"]["network"]
    assert [(n["id"], n.get("vpc"), n.get("account")) for n in network["nodes"]] == [
        ("internet", None, None),
        ("vpc-1", None, A),
        ("subnet-1", "vpc-1", A),
        ("vpc-2", None, B),
        ("subnet-2", "vpc-2", B),
    ]
    assert [(e["from"], e["to"]) for e in network["edges"]] == [
        ("internet", "subnet-1"),
        ("internet", "subnet-2"),
    ]


def test_the_merged_document_renders_in_every_format(docs, tmp_path: Path):
    merged = _merge(("a", docs[0]), ("b", docs[1]))
    renderers = build_renderers("A4", "failing")
    chosen = [name for name in renderers if name != "pdf"]
    written = write_outputs(merged, chosen, renderers, tmp_path)
    assert sorted(p.name for p in written) == sorted(
        [renderers[name].filename for name in chosen] + ["manifest.json"]
    )
    sarif = json.loads((tmp_path / "safeguard-scan.sarif").read_text())
    failing = sum(1 for f in merged["findings"] if f["status"] == "FAIL")
    assert failing == 6
    assert len(sarif["runs"][0]["results"]) == failing
    assert f"{A}, {B}" in (tmp_path / "safeguard-scan.md").read_text()


def _drift(account: str, breaking: int, exit_code: int) -> dict:
    counts = ("matched", "changed_properties", "changed_resources", "gone", "unmanaged", "not_seen")
    return {
        "states": [{"file": f"{account}.json", "resources": 4}],
        "summary": {**dict.fromkeys(counts, 1), "breaking_changes": breaking},
        "exit_code": exit_code,
        "changed": [
            {"resource": {"type": "t", "name": f"db-{account}"}, "property": "p",
             "declared": True, "live": False, "checks": []}
        ],
        "gone": [],
        "unmanaged": [{"resource": {"type": "t", "name": "hand-made"}, "failing": ["c"]}],
    }  # fmt: skip


def test_drift_sections_add_up_and_a_breaking_change_anywhere_fails(docs):
    a, b = copy.deepcopy(docs[0]), copy.deepcopy(docs[1])
    a["drift"], b["drift"] = _drift(A, 0, 0), _drift(B, 2, 1)
    merged = _merge(("a", a), ("b", b))
    assert problem(merged) is None
    drift = merged["drift"]
    assert drift["exit_code"] == 1
    assert drift["summary"]["breaking_changes"] == 2
    assert drift["summary"]["unmanaged"] == 2
    assert [s["file"] for s in drift["states"]] == [f"{A}.json", f"{B}.json"]
    assert [(r["resource"]["name"], r["account"]) for r in drift["changed"]] == [
        (f"db-{A}", A),
        (f"db-{B}", B),
    ]
    assert "drift" not in _merge(("a", docs[0]), ("b", docs[1]))


def test_a_merged_run_merges_again_keeping_each_account(docs):
    citation = "164.312(a)(2)(iv)"
    a = _with_status(docs[0], citation, "not_implemented", "fails")
    b = _with_status(docs[1], citation, "implemented", "passes")
    third = _with_status(_document("333333333333", _db("333333333333", "db-c", True)), citation,
                         "implemented", "passes")  # fmt: skip
    group = _merge(("a", a), ("b", b))
    merged = _merge(("group.json", group), ("c.json", third))
    assert merged["source"]["accounts"] == [A, B, "333333333333"]
    row = next(sg for sg in merged["safeguards"] if sg["citation"] == citation)
    assert row["status"] == "not_implemented"
    assert row["accounts"] == {"implemented": [B, "333333333333"], "not_implemented": [A]}
    assert merged["summary"]["findings"]["FAIL"] == 6
    assert [r["run"] for r in merged["source"]["merged_from"]] == ["group.json", "c.json"]


# -- held against a hostile review -----------------------------------------------------------


def test_findings_marked_existing_without_a_baseline_are_refused_not_set_aside(docs):
    failing, passing = copy.deepcopy(docs[0]), docs[1]
    assert failing["gate"]["exit_code"] == 1 and "baseline" not in failing["gate"]
    for finding in failing["findings"]:
        finding["baseline"] = "existing"
    with pytest.raises(InputError, match=r"^a\.json: findings are marked existing, but the run"):
        _merge(("a.json", failing), ("b.json", passing))
    with pytest.raises(InputError, match=r"^a\.json: findings are marked existing"):
        _merge(("a.json", failing))


@pytest.mark.parametrize("account", [" 111111111111", "１１１１１１１１１１１１", "11111111111"])
def test_an_account_id_must_be_twelve_ascii_digits(docs, account):
    odd = copy.deepcopy(docs[0])
    odd["source"]["accounts"] = [account]
    with pytest.raises(InputError, match="is not a 12-digit AWS account id"):
        _merge(("a.json", odd), ("b.json", docs[1]))
