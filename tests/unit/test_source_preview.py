"""The `preview` source: `pulumi preview --json` files turned into the inventory."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from checks.errors import InputError
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, Secret
from checks.registry import Status
from checks.sources.engine_values import UNKNOWN_SENTINEL
from checks.sources.preview import load_preview

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pulumi"
BILLING = FIXTURES / "preview_billing_update.json"
PREFIX = "urn:pulumi:dev::billing::"


def by_name(collected, name: str):
    found = [r for r in collected.resources if r.name == name]
    assert len(found) == 1, f"{name}: {[r.name for r in collected.resources]}"
    return found[0]


def finding(collected, check_id: str, name: str):
    evaluation = evaluate(Inventory(collected.resources), build_registry())
    matches = [
        f
        for f in evaluation.findings
        if f.check.id == check_id and f.resource is not None and f.resource.name == name
    ]
    assert len(matches) == 1
    return matches[0]


def write(tmp_path: Path, doc: Any, name: str = "preview.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=4), encoding="utf-8")
    return path


# -- the billing stack preview -------------------------------------------------------------


def test_billing_preview_lists_the_resources_the_update_leaves():
    collected = load_preview(BILLING)
    assert collected.kind == "preview"
    assert (collected.project, collected.stack) == ("billing", "dev")
    assert sorted((r.type, r.name) for r in collected.resources) == [
        ("aws:kms/key:Key", "billing-db-key"),
        ("aws:rds/instance:Instance", "billing-db-instance"),
        ("aws:s3/bucketVersioning:BucketVersioning", "records-versioning"),
    ]
    assert {r.source for r in collected.resources} == {"preview"}
    db = by_name(collected, "billing-db-instance")
    assert db.urn == PREFIX + "acme:billing:Database$aws:rds/instance:Instance::billing-db-instance"
    assert db.parent == PREFIX + "acme:billing:Database::billing-db"


def test_unknown_kms_key_leaves_the_cmk_check_not_evaluated():
    collected = load_preview(BILLING)
    db = by_name(collected, "billing-db-instance")
    assert db.props["kms_key_id"] is UNKNOWN
    assert db.props["storage_encrypted"] is True
    result = finding(collected, "rds_storage_encrypted_cmk", "billing-db-instance")
    assert result.status is Status.NOT_EVALUATED
    assert "kms_key_id of billing-db-instance is not known yet" in result.message


def test_hidden_secrets_become_secret_and_other_values_keep_their_types():
    db = by_name(load_preview(BILLING), "billing-db-instance")
    assert db.props["password"] is SECRET
    assert db.props["allocated_storage"] == 50
    assert db.props["backup_retention_period"] == 35
    assert db.props["tags"] == {"data-classification": "ePHI"}
    assert "__defaults" not in db.props and "defaults" not in db.props


def test_ids_and_outputs_never_come_from_new_state():
    collected = load_preview(BILLING)
    # created in this update: no id, no ARN yet
    assert by_name(collected, "billing-db-instance").id is None
    assert by_name(collected, "billing-db-key").arn is None
    # updated in place: the id is the existing one, the settings are the new ones
    versioning = by_name(collected, "records-versioning")
    assert versioning.id == "billing-records-8d41e07"
    assert versioning.props["versioning_configuration"] == {"status": "Enabled"}
    assert "expected_bucket_owner" not in versioning.props  # old outputs not merged


def test_deleted_resources_are_excluded_with_their_reason():
    collected = load_preview(BILLING)
    assert "legacy-billing-db" not in {r.name for r in collected.resources}
    assert [(e.urn, e.type) for e in collected.excluded] == [
        (PREFIX + "aws:rds/instance:Instance::legacy-billing-db", "aws:rds/instance:Instance")
    ]
    assert collected.excluded[0].reason == "deleted by this update (step 'delete')"


def test_provider_and_component_are_kept_apart_and_the_stack_is_skipped():
    collected = load_preview(BILLING)
    assert [(p.type, p.name, p.region) for p in collected.providers] == [
        ("pulumi:providers:aws", "billing-west", "us-west-2")
    ]
    assert collected.providers[0].id is None  # created by this update
    assert [(c.type, c.name, c.parent) for c in collected.components] == [
        ("acme:billing:Database", "billing-db", PREFIX + "pulumi:pulumi:Stack::billing-dev")
    ]
    everything = [*collected.resources, *collected.providers, *collected.components]
    assert all(r.type != "pulumi:pulumi:Stack" for r in everything)


def test_region_comes_from_the_explicit_provider_or_the_stack_config():
    collected = load_preview(BILLING)
    # explicit provider (its id is still unknown in the reference): its region input
    assert by_name(collected, "billing-db-instance").region == "us-west-2"
    assert by_name(collected, "billing-db-key").region == "us-west-2"
    # default provider (never listed in a preview): config aws:region
    assert by_name(collected, "records-versioning").region == "us-east-1"


def test_hidden_unchanged_resources_are_noted():
    notes = load_preview(BILLING).notes
    assert any(n.startswith("4 unchanged resource(s) are counted but not listed") for n in notes)


# -- the reference samples (P1: first preview, P2: replace with a failed policy) -------------


def test_first_preview_maps_old_type_tokens_and_leaves_bucket_joins_undecided():
    collected = load_preview(FIXTURES / "preview_first_create.json")
    bucket = by_name(collected, "logs-bucket")
    assert bucket.type == "aws:s3/bucket:Bucket"  # written as aws:s3/bucketV2:BucketV2
    sse = by_name(collected, "logs-sse")
    assert sse.type.endswith("BucketServerSideEncryptionConfiguration")
    assert sse.props["bucket"] is UNKNOWN
    assert finding(collected, "s3_bucket_sse_kms", "logs-bucket").status is Status.NOT_EVALUATED
    assert collected.providers[0].name == "useast1"
    assert collected.notes == ()


def test_replace_and_failed_policy_preview():
    collected = load_preview(FIXTURES / "preview_replace_policy_failed.json")
    db = by_name(collected, "app-db")
    assert db.id is None and db.arn is None  # a replacement is a new object
    assert db.props["storage_encrypted"] is True
    sse = by_name(collected, "logs-sse")
    assert sse.id == "logs-bucket-7c1e2f4"
    rule = sse.props["rules"][0]["apply_server_side_encryption_by_default"]
    assert rule == {"kms_master_key_id": UNKNOWN, "sse_algorithm": "aws:kms"}
    assert [e.urn.rsplit("::", 1)[1] for e in collected.excluded] == ["logs-pab"]
    assert "the preview reported an error: preview failed" in collected.notes


# -- reading the file ----------------------------------------------------------------------


def test_text_before_the_json_is_skipped(tmp_path):
    text = "Installing policy pack hipaa-safeguard 0.1.0...\nDone.\n" + BILLING.read_text()
    collected = load_preview(write(tmp_path, text))
    assert len(collected.resources) == 3
    assert "skipped 2 line(s) of other text before the JSON document" in collected.notes


def test_malformed_json_names_the_file_and_line(tmp_path):
    lines = BILLING.read_text().splitlines()
    broken = next(i for i in range(20, len(lines)) if lines[i].endswith('",'))
    lines[broken] += " oops"
    path = write(tmp_path, "warning: stray output\n" + "\n".join(lines))
    with pytest.raises(InputError) as err:
        load_preview(path)
    message = str(err.value)
    # counted in the file, stray line included
    expected = f"{path}: not valid JSON: line {broken + 2}: Expecting property name"
    assert message.startswith(expected)
    assert "\n" not in message


def test_a_failed_preview_without_steps_is_an_input_error():
    path = FIXTURES / "preview_failed_program_error.json"
    with pytest.raises(InputError) as err:
        load_preview(path)
    assert str(err.value) == (
        f"{path}: the preview failed before listing any resource: "
        "pulumi.config.ConfigMissingError: Missing required configuration variable "
        "'billing:dbPassword'"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "no JSON document found"),
        ("Previewing update (dev)\n", "no JSON document found"),
        ("[1, 2]\n", "no JSON document found"),
        ('{"version": 3, "deployment": {}}\n', "scan it with --state"),
        ('{"sequence": 1, "timestamp": 1, "preludeEvent": {}}\n', "streaming event format"),
        ('{"result": "succeeded", "summary": {}, "resources": []}\n', "--output json"),
        ('{"hello": "world"}\n', "not a `pulumi preview --json` document"),
        ('{"steps": {}}\n', "steps: expected a list, found an object"),
        ('{"steps": [{"op": "create"}]}\n', "steps[0]: 'urn' None is not a Pulumi URN"),
        (
            '{"steps": [{"op": "create", "urn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b"}]}\n',
            "steps[0]: a 'create' step with neither newState nor oldState",
        ),
    ],
)
def test_documents_that_are_not_previews_are_input_errors(tmp_path, content, expected):
    path = write(tmp_path, content)
    with pytest.raises(InputError) as err:
        load_preview(path)
    assert str(err.value).startswith(f"{path}: ")
    assert expected in str(err.value)


def test_missing_file_and_directory_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_preview(tmp_path / "absent.json")
    with pytest.raises(InputError, match="is a directory"):
        load_preview(tmp_path)


# -- values --------------------------------------------------------------------------------


def _one_step_preview(inputs: dict, provider: str | None = None, config: dict | None = None):
    urn = "urn:pulumi:dev::p::aws:s3/bucketServerSideEncryptionConfiguration:"
    urn += "BucketServerSideEncryptionConfiguration::sse"
    state = {
        "urn": urn,
        "custom": True,
        "type": "aws:s3/bucketServerSideEncryptionConfiguration:"
        "BucketServerSideEncryptionConfiguration",
        "inputs": inputs,
    }
    step: dict[str, Any] = {"op": "create", "urn": urn}
    if provider:
        step["provider"] = state["provider"] = provider
    step["newState"] = state
    step["detailedDiff"] = None
    return {"config": config or {}, "steps": [step]}


def test_unknown_stands_for_whole_objects_and_array_items(tmp_path):
    doc = _one_step_preview(
        {"bucket": "b", "rules": [UNKNOWN_SENTINEL, {"bucketKeyEnabled": UNKNOWN_SENTINEL}]}
    )
    sse = load_preview(write(tmp_path, doc)).resources[0]
    assert sse.props["rules"] == [UNKNOWN, {"bucket_key_enabled": UNKNOWN}]
    doc = _one_step_preview({"bucket": "b", "rules": UNKNOWN_SENTINEL})
    assert load_preview(write(tmp_path, doc)).resources[0].props["rules"] is UNKNOWN


def test_own_region_input_wins_over_provider_and_config(tmp_path):
    doc = _one_step_preview(
        {"bucket": "b", "region": "eu-central-1"},
        provider="urn:pulumi:dev::p::pulumi:providers:aws::default_7_51_1::" + UNKNOWN_SENTINEL,
        config={"aws:region": "us-east-1"},
    )
    assert load_preview(write(tmp_path, doc)).resources[0].region == "eu-central-1"


def test_a_secret_region_config_is_not_used(tmp_path):
    doc = _one_step_preview({"bucket": "b"}, config={"aws:region": "[secret]"})
    assert load_preview(write(tmp_path, doc)).resources[0].region == "(hidden region)"


def test_preview_secrets_are_secret_values(tmp_path):
    doc = _one_step_preview({"bucket": "[secret]", "rules": []})
    res = load_preview(write(tmp_path, doc)).resources[0]
    assert isinstance(res.props["bucket"], Secret)


# -- robustness: a damaged document is an InputError or a result, never a traceback -----------


def _mutations(doc: Any, rng: random.Random, count: int):
    junk = [None, 7, "x", [], {}, [1, "a"], {"a": None}, True, UNKNOWN_SENTINEL]
    for _ in range(count):
        mutated = copy.deepcopy(doc)
        node, path = mutated, []
        while isinstance(node, (dict, list)) and node and rng.random() < 0.85:
            key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            path.append((node, key))
            node = node[key]
        if path:
            parent, key = path[-1]
            if isinstance(parent, dict) and rng.random() < 0.3:
                del parent[key]
            else:
                parent[key] = rng.choice(junk)
        else:
            mutated = rng.choice(junk)
        yield mutated


@pytest.mark.parametrize("fixture", ["preview_billing_update.json", "preview_first_create.json"])
def test_damaged_previews_never_raise_anything_but_input_errors(tmp_path, fixture):
    doc = json.loads((FIXTURES / fixture).read_text())
    rng = random.Random(20261126)
    outcomes = {"ok": 0, "input_error": 0}
    for mutated in _mutations(doc, rng, 300):
        path = write(tmp_path, mutated)
        try:
            load_preview(path)
            outcomes["ok"] += 1
        except InputError as exc:
            assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
            outcomes["input_error"] += 1
    assert outcomes["ok"] > 0 and outcomes["input_error"] > 0
