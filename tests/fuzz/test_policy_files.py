"""Hostile YAML files people write for the tool, through the command: waivers, attestations,
risk overrides, SLA files and profiles."""

from __future__ import annotations

import yaml
from hypothesis import given

from tests.fuzz.hostile import FUZZ, REPO, WAIVERS, WITH_PREVIEW, as_yaml, check_run, documents

ATTESTATIONS = yaml.safe_load((REPO / "policies" / "attestations.example.yaml").read_text())
OVERRIDES = [
    {"check": "rds_multi_az", "likelihood": "low", "by": "Dana Lee", "reason": "dev only"},
    {
        "finding": "F-000000000001",
        "impact": "high",
        "by": "Dana",
        "reason": "r",
        "date": "2026-09-01",
    },
]
SLA = {"high": 14, "very high": 3, "low": 200}
PROFILE = {
    "name": "mine",
    "fail_on": "high",
    "not_evaluated_blocks": "never",
    "mandatory_from": "high",
}


@FUZZ
@given(content=documents([WAIVERS], as_yaml))
def test_waiver_files(scratch, content):
    check_run(scratch, content, [*WITH_PREVIEW, "--waivers", "FILE"], ".yaml")


@FUZZ
@given(content=documents([ATTESTATIONS], as_yaml))
def test_attestation_files(scratch, content):
    check_run(scratch, content, [*WITH_PREVIEW, "--attestations", "FILE"], ".yaml")


@FUZZ
@given(content=documents([OVERRIDES], as_yaml))
def test_risk_override_files(scratch, content):
    check_run(scratch, content, [*WITH_PREVIEW, "--risk-overrides", "FILE"], ".yaml")


@FUZZ
@given(content=documents([SLA], as_yaml))
def test_sla_files(scratch, content):
    check_run(scratch, content, [*WITH_PREVIEW, "--sla", "FILE"], ".yaml")


@FUZZ
@given(content=documents([PROFILE], as_yaml))
def test_profile_files(scratch, content):
    check_run(scratch, content, [*WITH_PREVIEW, "--profile", "FILE"], ".yaml")
