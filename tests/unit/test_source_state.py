"""The `state` source: `pulumi stack export` files (and DIY checkpoints) turned into the inventory,
and the decoding of engine property values both file sources share."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from checks.errors import InputError
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory
from checks.registry import Status
from checks.sources.engine_values import (
    PREVIEW,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN_SENTINEL,
    decode,
    parse_arn,
    parse_provider_ref,
    parse_urn,
)
from checks.sources.state import load_state
from tests.unit.test_source_preview import _mutations

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pulumi"
V3 = FIXTURES / "state_v3_billing.json"
V4 = FIXTURES / "state_v4_billing_show_secrets.json"
PREFIX = "urn:pulumi:dev::billing::"
DB_URN = PREFIX + "acme:billing:Database$aws:rds/instance:Instance::billing-db-instance"
PLAINTEXT = "S3cr3t-Billing-Passw0rd!"


def by_name(collected, name: str):
    found = [r for r in collected.resources if r.name == name]
    assert len(found) == 1, f"{name}: {[r.name for r in collected.resources]}"
    return found[0]


def statuses(collected) -> dict[tuple[str, str], Status]:
    evaluation = evaluate(Inventory(collected.resources), build_registry())
    return {
        (f.check.id, f.resource.name if f.resource else "account"): f.status
        for f in evaluation.findings
    }


def write(tmp_path: Path, doc: Any, name: str = "state.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=4), encoding="utf-8")
    return path


# -- version 3, ciphertext secrets ---------------------------------------------------------


def test_v3_export_lists_the_live_resources():
    collected = load_state(V3)
    assert collected.kind == "state"
    assert (collected.project, collected.stack) == ("billing", "dev")
    assert sorted(r.name for r in collected.resources) == [
        "billing-db-instance",
        "billing-db-key",
        "billing-records",
        "records-pab",
        "records-sse",
        "records-versioning",
    ]
    assert [p.name for p in collected.providers] == ["default_7_51_1", "billing-west"]
    assert [c.name for c in collected.components] == ["billing-db"]


def test_ids_arns_regions_and_accounts_come_from_the_state():
    collected = load_state(V3)
    db = by_name(collected, "billing-db-instance")
    assert db.id == "db-B1LL1NGQ4W7E2R9T5Y3U8I6O0P"  # the live copy, not the delete: true one
    assert db.arn == "arn:aws:rds:us-west-2:111122223333:db:billing-db-instance-3f2a9c1"
    assert (db.region, db.account) == ("us-west-2", "111122223333")
    bucket = by_name(collected, "billing-records")
    assert bucket.arn == "arn:aws:s3:::billing-records-8d41e07"  # names no account...
    # ...so the account comes from the default provider's allowedAccountIds
    assert (bucket.region, bucket.account) == ("us-east-1", "111122223333")


def test_ciphertext_secrets_are_secret_and_inputs_win_over_outputs():
    db = by_name(load_state(V3), "billing-db-instance")
    assert db.props["password"] is SECRET
    assert db.props["kms_key_id"].startswith("arn:aws:kms:us-west-2:111122223333:key/")
    assert db.props["storage_encrypted"] is True
    # outputs fill in what the inputs leave unsaid
    assert db.props["endpoint"].endswith(".rds.amazonaws.com:5432")
    assert "v1:kX2fR8bQ9mLzT4wC" not in repr(db)


def test_outputs_never_stand_in_for_what_the_program_left_undeclared(tmp_path):
    urn = "urn:pulumi:dev::p::aws:rds/instance:Instance::db"
    aws_managed_key = "arn:aws:kms:us-east-1:111122223333:key/5e6f7a8b-aws-managed-rds"
    resource = {
        "urn": urn,
        "custom": True,
        "id": "db-1",
        "type": "aws:rds/instance:Instance",
        "inputs": {"engine": "postgres", "storageEncrypted": True},
        "outputs": {
            "arn": "arn:aws:rds:us-east-1:111122223333:db:db",
            "endpoint": "db.x.us-east-1.rds.amazonaws.com:5432",
            "kmsKeyId": aws_managed_key,
            "storageEncrypted": True,
        },
    }
    collected = load_state(write(tmp_path, {"version": 3, "deployment": {"resources": [resource]}}))
    db = collected.resources[0]
    assert "kms_key_id" not in db.props  # what AWS chose, not what the program declared
    assert db.props["endpoint"] == "db.x.us-east-1.rds.amazonaws.com:5432"
    assert statuses(collected)[("rds_storage_encrypted_cmk", "db")] is Status.FAIL


def test_declarable_outputs_stay_out_where_the_sdk_names_the_args_init_args(tmp_path):
    # pulumi_aws names the resource's args `BucketVersioningInitArgs`: `BucketVersioningArgs` is
    # the old Bucket's inline block ({enabled, mfaDelete}), which must not be read as the inputs.
    urn = "urn:pulumi:dev::p::aws:s3/bucketVersioning:BucketVersioning::v"
    resource = {
        "urn": urn,
        "custom": True,
        "id": "records",
        "type": "aws:s3/bucketVersioning:BucketVersioning",
        "inputs": {"bucket": "records", "versioningConfiguration": {"status": "Enabled"}},
        "outputs": {
            "bucket": "records",
            "expectedBucketOwner": "111122223333",
            "versioningConfiguration": {"status": "Enabled", "mfaDelete": "Disabled"},
        },
    }
    collected = load_state(write(tmp_path, {"version": 3, "deployment": {"resources": [resource]}}))
    props = collected.resources[0].props
    assert props == {"bucket": "records", "versioning_configuration": {"status": "Enabled"}}


def test_delete_marked_copy_is_excluded_and_the_pending_delete_noted():
    collected = load_state(V3)
    assert [(e.urn, e.type) for e in collected.excluded] == [(DB_URN, "aws:rds/instance:Instance")]
    assert "delete: true" in collected.excluded[0].reason
    assert collected.notes == (
        f"a delete of {DB_URN} was interrupted (pending operation 'deleting'): the state may "
        "not match the cloud; run `pulumi refresh`",
    )


def test_v3_verdicts_are_those_of_the_live_resources():
    found = statuses(load_state(V3))
    # the live instance is encrypted with a CMK; the unencrypted old copy is not evaluated
    assert found[("rds_storage_encrypted_cmk", "billing-db-instance")] is Status.PASS
    assert found[("s3_bucket_sse_kms", "billing-records")] is Status.PASS
    assert found[("s3_bucket_public_access_blocked", "billing-records")] is Status.PASS
    assert found[("s3_bucket_versioning_enabled", "billing-records")] is Status.PASS


# -- version 4, plaintext secrets (--show-secrets) -------------------------------------------


def test_v4_export_with_features_is_read():
    collected = load_state(V4)
    assert json.loads(V4.read_text())["features"] == ["refreshBeforeUpdate"]
    assert by_name(collected, "billing-db-key").props["enable_key_rotation"] is True


def test_plaintext_secrets_are_kept_for_checks_but_never_shown():
    # A `--show-secrets` export's plaintext decides checks (secrecy hides a value from the
    # reports, never from the check); nothing that prints or serialises a resource shows it.
    collected = load_state(V4)
    assert PLAINTEXT in V4.read_text()
    db = by_name(collected, "billing-db-instance")
    password = db.props["password"]
    assert password == SECRET and password.revealable
    assert db.value("password") == PLAINTEXT
    as_json = json.dumps(
        [dataclasses.asdict(r) for r in (*collected.resources, *collected.providers)],
        default=repr,
    )
    assert PLAINTEXT not in as_json
    assert PLAINTEXT not in repr(collected)


def test_pending_replacement_and_interrupted_create_are_excluded():
    collected = load_state(V4)
    reasons = {e.urn.rsplit("::", 1)[1]: e.reason for e in collected.excluded}
    assert set(reasons) == {"billing-db-sg", "billing-db-key-alias"}
    assert reasons["billing-db-sg"].startswith("deleted in the cloud and not yet recreated")
    assert reasons["billing-db-key-alias"] == (
        "a create was interrupted (pending operation 'creating'): it may exist in the cloud but "
        "is not in the state"
    )
    assert "billing-db-sg" not in {r.name for r in collected.resources}
    assert any("pending operation 'creating'" in n for n in collected.notes)


# -- other shapes --------------------------------------------------------------------------


def test_diy_checkpoint_file_reads_checkpoint_latest():
    collected = load_state(FIXTURES / "state_diy_checkpoint.json")
    assert sorted(r.name for r in collected.resources) == ["billing-records", "records-pab"]
    found = statuses(collected)
    assert found[("s3_bucket_public_access_blocked", "billing-records")] is Status.PASS
    assert found[("s3_bucket_sse_kms", "billing-records")] is Status.FAIL


def test_empty_checkpoint_is_an_empty_inventory(tmp_path):
    path = write(tmp_path, {"version": 3, "checkpoint": {"stack": "dev", "latest": None}})
    collected = load_state(path)
    assert collected.resources == ()
    assert collected.notes == ("the checkpoint holds no deployment yet (never updated)",)


def test_reference_sample_with_duplicate_urn_keeps_the_live_copy():
    collected = load_state(FIXTURES / "state_e2_show_secrets.json")
    db = by_name(collected, "app-db")
    assert db.id == "db-Q9W8E7R6T5Y4U3I2O1P0A9S8D7"
    assert db.props["storage_encrypted"] is True
    assert "S3cr3t-Passw0rd!" not in repr(collected)


def test_external_resources_are_excluded(tmp_path):
    urn = "urn:pulumi:dev::p::aws:s3/bucket:Bucket::shared"
    doc = {
        "version": 3,
        "deployment": {
            "resources": [
                {"urn": urn, "custom": True, "external": True, "id": "shared", "type": "x"}
            ],
            "someFutureKey": {"ignored": True},
        },
    }
    collected = load_state(write(tmp_path, doc))
    assert collected.resources == ()
    assert [(e.urn, e.type) for e in collected.excluded] == [(urn, "x")]
    assert "external: true" in collected.excluded[0].reason


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"version": 1, "deployment": {}}, "unsupported deployment version 1 (supported: 3, 4)"),
        ({"version": "3", "deployment": {}}, "unsupported deployment version '3'"),
        ({"deployment": {}}, "unsupported deployment version missing"),
        ({"version": True, "deployment": {}}, "unsupported deployment version True"),
        ([1, 2], "not a Pulumi deployment: the document is a list"),
        ({"stack": "dev"}, "not a Pulumi deployment: no 'deployment'"),
        ({"steps": [], "changeSummary": {}}, "scan it with --preview"),
        ({"version": 3, "deployment": []}, "deployment: expected an object, found a list"),
        (
            {"version": 3, "deployment": {"resources": [{"urn": "nope"}]}},
            "deployment.resources[0]: 'urn' 'nope' is not a Pulumi URN",
        ),
        (
            {"version": 3, "deployment": {"pending_operations": [3]}},
            "deployment.pending_operations[0]: expected an object",
        ),
        ({"version": 3, "checkpoint": {"latest": 5}}, "checkpoint.latest: expected an object"),
    ],
)
def test_documents_that_are_not_exports_are_input_errors(tmp_path, doc, expected):
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        load_state(path)
    assert str(err.value).startswith(f"{path}: ")
    assert expected in str(err.value)


def test_version_5_is_rejected_naming_the_file_and_version():
    path = FIXTURES / "state_v5_unsupported.json"
    with pytest.raises(InputError) as err:
        load_state(path)
    assert str(err.value) == f"{path}: unsupported deployment version 5 (supported: 3, 4)"


def test_malformed_json_names_the_file_and_line():
    path = FIXTURES / "state_malformed.json"
    with pytest.raises(InputError) as err:
        load_state(path)
    assert str(err.value) == (
        f"{path}: not valid JSON: line 44: Expecting property name enclosed in double quotes "
        "(column 1)"
    )


def test_unreadable_inputs_are_input_errors(tmp_path):
    empty = write(tmp_path, "", "empty.json")
    with pytest.raises(InputError, match="the file is empty"):
        load_state(empty)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x80\x81\xfe{")
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_state(binary)
    deep = write(tmp_path, "[" * 100_000 + "]" * 100_000, "deep.json")
    with pytest.raises(InputError, match="nested more than 100 levels"):
        load_state(deep)
    value: Any = 1
    for _ in range(600):
        value = {"a": value}
    resource = {"urn": "urn:pulumi:d::p::t::n", "custom": True, "type": "t", "inputs": {"a": value}}
    nested = write(tmp_path, {"version": 3, "deployment": {"resources": [resource]}}, "nested.json")
    with pytest.raises(InputError, match="nested more than 100 levels"):
        load_state(nested)


def test_utf16_export_from_powershell_is_read(tmp_path):
    path = tmp_path / "state.json"
    path.write_bytes(V3.read_text().encode("utf-16"))
    assert len(load_state(path).resources) == 6


@pytest.mark.parametrize("fixture", ["state_v3_billing.json", "state_v4_billing_show_secrets.json"])
def test_damaged_exports_never_raise_anything_but_input_errors(tmp_path, fixture):
    doc = json.loads((FIXTURES / fixture).read_text())
    rng = random.Random(11262026)
    outcomes = {"ok": 0, "input_error": 0}
    for mutated in _mutations(doc, rng, 300):
        path = write(tmp_path, mutated)
        try:
            load_state(path)
            outcomes["ok"] += 1
        except InputError as exc:
            assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
            outcomes["input_error"] += 1
    assert outcomes["ok"] > 0 and outcomes["input_error"] > 0


# -- engine values -------------------------------------------------------------------------


def test_secret_objects_of_every_form_are_secret_and_keep_a_plaintext_only_when_given():
    # A ciphertext stays opaque; `--show-secrets` plaintext (JSON text) and the wire form's
    # value are kept inside the Secret, for checks only. The CLI's "null" plaintext (a wrong
    # passphrase) and an unreadable one are opaque.
    for body in ({"ciphertext": "v1:abc"}, {}, {"plaintext": "null"}, {"plaintext": "{not json"}):
        decoded = decode({SIG_KEY: SECRET_SIG, **body})
        assert decoded == SECRET and not decoded.revealable
    for body in ({"plaintext": '"hunter2"'}, {"value": "hunter2"}):
        decoded = decode({SIG_KEY: SECRET_SIG, **body})
        assert decoded == SECRET and decoded.plaintext == "hunter2"
        assert "hunter2" not in repr(decoded) and "hunter2" not in str(decoded)
    nested = decode({"nested": [{SIG_KEY: SECRET_SIG, "plaintext": "5432"}]})
    assert nested == {"nested": [SECRET]} and nested["nested"][0].plaintext == 5432


def test_preview_spellings_are_decoded_only_in_previews():
    assert decode("[secret]", PREVIEW) is SECRET
    assert decode("[secret]") == "[secret]"
    assert decode(UNKNOWN_SENTINEL) is UNKNOWN
    assert decode({"a": UNKNOWN_SENTINEL, "__defaults": ["a"]}) == {"a": UNKNOWN}


def test_other_special_objects():
    asset = {SIG_KEY: "c44067f5952c0a294b673a41bacd8c17", "hash": "ab", "text": "code"}
    assert decode(asset) == {"asset": {"hash": "ab"}}
    ref = "5cf8f73096256a8f31e491e813e4eb8e"
    assert decode({SIG_KEY: ref, "urn": "urn:pulumi:a::b::c::d", "id": "i-1"}) == "i-1"
    assert decode({SIG_KEY: ref, "urn": "urn:pulumi:a::b::c::d", "id": UNKNOWN_SENTINEL}) is UNKNOWN
    assert decode({SIG_KEY: ref, "urn": "urn:pulumi:a::b::c::d"}) == "urn:pulumi:a::b::c::d"
    nan = {SIG_KEY: "8ad145fe-0d11-4827-bfd7-1abcbf086f5c", "value": "7ff8000000000000"}
    assert math.isnan(decode(nan))
    raw = {SIG_KEY: "803fd3297a5875dc03ca845dda5d2a98", "value": "aGk="}
    assert decode(raw) == "hi"
    assert decode({SIG_KEY: "a-signature-from-the-future"}) is UNKNOWN


def test_urn_provider_reference_and_arn_parsing():
    urn = parse_urn("urn:pulumi:dev::proj::acme:x:Comp$aws:s3/bucket:Bucket::name::with::colons")
    assert urn is not None
    assert (urn.stack, urn.project, urn.type, urn.name) == (
        "dev",
        "proj",
        "aws:s3/bucket:Bucket",
        "name::with::colons",
    )
    assert parse_urn("urn:pulumi:dev::proj") is None
    ref = "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_51_1::" + UNKNOWN_SENTINEL
    assert parse_provider_ref(ref) == (
        "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_51_1",
        UNKNOWN,
    )
    arn = parse_arn("arn:aws-us-gov:rds:us-gov-west-1:111122223333:db:x")
    assert arn is not None and (arn.partition, arn.region, arn.account) == (
        "aws-us-gov",
        "us-gov-west-1",
        "111122223333",
    )
    assert parse_arn("not-an-arn") is None
