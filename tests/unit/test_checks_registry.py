"""The built-in check library: it loads, and its metadata agrees with the controls reference."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from checks.controls import CONTROLS
from checks.evaluate import evaluate
from checks.library import LIBRARY, build_registry
from checks.model import UNKNOWN, Inventory, Resource
from checks.registry import Status

CONTROLS_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "controls.csv"


def _controls() -> dict[str, dict[str, set[str]]]:
    if not CONTROLS_CSV.is_file():
        pytest.skip(f"the controls reference {CONTROLS_CSV} is not present next to the repo")
    with CONTROLS_CSV.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["id"]: {
            # "+" marks citations that apply in part; they are citations all the same.
            "citations": {c for c in re.split(r"[;+\s]+", row["hipaa_citations"]) if c},
            # Drop notes such as "(not in HIPAA pack)" after a rule name.
            "config_rules": {r.split(" (")[0].strip() for r in row["aws_config_rules"].split(";")},
        }
        for row in rows
    }


def test_library_loads_with_unique_ids():
    registry = build_registry()
    ids = [chk.id for module in LIBRARY for chk in module.CHECKS]
    assert len(ids) == len(set(ids))
    assert len(registry) == len(ids)  # the exact list: tests/unit/test_library_ids.py


def test_every_check_cites_only_its_controls_citations_and_config_rules():
    controls = _controls()
    for chk in build_registry():
        if chk.control not in controls and chk.control in CONTROLS:
            continue  # added after the reference (issue 11): `Check.validate` holds it to its row
        assert chk.control in controls, f"{chk.id}: unknown control {chk.control}"
        extra = set(chk.citations) - controls[chk.control]["citations"]
        assert not extra, f"{chk.id}: citations {sorted(extra)} are not in {chk.control}'s row"
        if chk.config_rule is not None:
            assert chk.config_rule in controls[chk.control]["config_rules"], chk.id


def test_every_pulumi_fix_is_python():
    for chk in build_registry():
        compile(chk.pulumi_fix, f"<pulumi_fix of {chk.id}>", "exec")


def test_evaluate_turns_unknown_values_into_not_evaluated_with_the_reason():
    db = Resource("aws:rds/instance:Instance", "phi-db", {"storage_encrypted": UNKNOWN})
    evaluation = evaluate(Inventory([db]), build_registry())
    by_id = {f.check.id: f for f in evaluation.findings}
    storage = by_id["rds_storage_encrypted_cmk"]
    assert storage.status is Status.NOT_EVALUATED
    assert (
        storage.message == "storage_encrypted of phi-db is not known yet (computed at deployment)"
    )
    assert by_id["rds_instance_not_public"].status is Status.PASS


def test_a_type_no_check_examined_is_uncovered_whatever_it_is():
    # Coverage is what the checks did, not a list of types: a queue policy joined to its queue
    # was examined; one naming a queue from elsewhere, alone in the scan, was not: its type is
    # listed.
    from checks.model import Inventory, Resource

    queue = Resource(
        "aws:sqs/queue:Queue", "claims", {"sqs_managed_sse_enabled": True},
        urn="urn:pulumi:dev::p::aws:sqs/queue:Queue::claims", id="https://sqs/1/claims",
    )  # fmt: skip
    policy = {"Version": "2012-10-17", "Statement": []}
    joined = Resource(
        "aws:sqs/queuePolicy:QueuePolicy", "claims", {"queue_url": "https://sqs/1/claims",
        "policy": policy}, urn="urn:pulumi:dev::p::aws:sqs/queuePolicy:QueuePolicy::claims",
    )  # fmt: skip
    orphan = Resource(
        "aws:sqs/queuePolicy:QueuePolicy", "elsewhere", {"queue_url": "https://sqs/1/other",
        "policy": policy}, urn="urn:pulumi:dev::p::aws:sqs/queuePolicy:QueuePolicy::elsewhere",
    )  # fmt: skip
    registry = build_registry()
    assert evaluate(Inventory([queue, joined]), registry).uncovered_types == ()
    uncovered = evaluate(Inventory([queue, orphan]), registry).uncovered_types
    assert uncovered == ("aws:sqs/queuePolicy:QueuePolicy",)
