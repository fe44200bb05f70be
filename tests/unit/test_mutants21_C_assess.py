"""assess() hands each part of the assessment what it needs: the waivers file into the source,
the source's kind to the safeguard statuses, the secrets to the record's redaction, and the
inventory to the asset map. Pinned where mutation testing (issue 15) showed that no test told a
dropped or renamed argument apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.aws import rds
from checks.evaluate import Evaluation, evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from policies.assess import assess
from policies.framework import load_framework
from policies.inputs import PolicyInputs
from policies.profiles import load_profile
from policies.record import build_record
from tests.unit.test_policies import SOUND_DB

GENERATED_AT = "2026-11-26T00:00:00Z"
SECRET = "s3cr3tpw"
NAME = f"db-{SECRET}"  # a secret built into a resource's name, as programs sometimes do
URN = f"urn:pulumi:dev::demo::aws:rds/instance:Instance::{NAME}"
WAIVERS_FILE = Path("/srv/policies/waivers/dev.yaml")


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    db = Resource(
        "aws:rds/instance:Instance",
        NAME,
        dict(SOUND_DB),
        urn=URN,
        id=NAME,
    )
    return evaluate(Inventory([db]), build_registry([rds]))


@pytest.fixture(scope="module")
def inputs() -> PolicyInputs:
    return PolicyInputs(profile=load_profile("default"), framework=load_framework())


def _safeguard(assessment, citation: str) -> tuple[str, str]:
    found = next(s for s in assessment.safeguards if s.spec.citation == citation)
    return found.status, found.reason


def test_the_waivers_file_is_recorded_in_the_source_beside_what_the_source_says(evaluation, inputs):
    read = PolicyInputs(inputs.profile, inputs.framework, waivers_file=WAIVERS_FILE)
    result = assess(evaluation, read, source={"kind": "state"}, generated_at=GENERATED_AT)
    assert dict(result.source) == {
        "kind": "state",
        "waivers_file": "/srv/policies/waivers/dev.yaml",
    }
    none = assess(evaluation, inputs, source={"kind": "state"}, generated_at=GENERATED_AT)
    assert dict(none.source) == {"kind": "state", "waivers_file": None}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "state",
            (
                "partially_implemented",
                "automated evidence passes; 17 linked check(s) did not run",
            ),
        ),
        (
            "program",
            (
                "designed",
                "intended state only, nothing deployed shows it: automated evidence passes; "
                "17 linked check(s) did not run",
            ),
        ),
    ],
)
def test_the_sources_kind_decides_whether_a_safeguard_can_be_deployed(
    evaluation, inputs, kind, expected
):
    result = assess(evaluation, inputs, source={"kind": kind}, generated_at=GENERATED_AT)
    assert _safeguard(result, "164.312(e)(1)") == expected


def test_the_secrets_given_are_kept_and_scrubbed_from_the_record(evaluation, inputs):
    result = assess(
        evaluation,
        inputs,
        source={"kind": "state"},
        generated_at=GENERATED_AT,
        secrets=[SECRET],  # any iterable: kept as a tuple
    )
    assert result.secrets == (SECRET,)
    record = build_record(result)
    assert SECRET not in json.dumps(record, default=str)
    assert record["findings"][0]["resource"]["name"] == "db-[secret]"


def test_the_asset_map_is_built_from_the_inventory(evaluation, inputs):
    result = assess(evaluation, inputs, source={"kind": "state"}, generated_at=GENERATED_AT)
    assert result.asset_map["summary"] == {"assets": 1, "ephi": 0, "exposure": {"private": 1}}
    [asset] = result.asset_map["assets"]
    assert (asset["name"], asset["kind"], asset["exposure"]) == (
        NAME,
        "databases",
        {"state": "private", "basis": "rds_instance_not_public passed"},
    )
