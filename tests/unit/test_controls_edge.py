"""The edge controls added after the reference table of controls (issue 11) carry the
conformance pack's facts: the citations, checkov and Prowler ids of the pack's rows for their
AWS Config rules, or, for a control whose rules are all outside the pack, the citations of the
pack's closest rule of the same kind."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from checks.controls import CONTROLS

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "aws_config_hipaa.csv"
# Control -> the pack rule whose citations it takes, where none of its own rules is in the pack.
CLOSEST = {
    "CF-01": "elb-tls-https-listeners-only",
    "APIGW-01": "lambda-function-public-access-prohibited",
}
EDGE = ("LB-04", "CF-01", "APIGW-01", "APIGW-02", "APIGW-03", "KIN-01", "ACM-01")


@pytest.fixture(scope="module")
def pack() -> dict[str, dict[str, str]]:
    if not REFERENCE.is_file():
        pytest.skip(f"the reference table {REFERENCE} is not present next to the repo")
    with REFERENCE.open(newline="") as handle:
        return {row["config_rule"]: row for row in csv.DictReader(handle)}


def _cell(text: str) -> list[str]:
    return [t.strip() for t in text.split(";") if t.strip()]


@pytest.mark.parametrize("control_id", EDGE)
def test_an_edge_control_cites_what_the_pack_cites_for_its_rules(control_id, pack):
    control = CONTROLS[control_id]
    inside = [r for r in control.config_rules if r not in control.config_rules_outside_hipaa_pack]
    assert set(inside) <= set(pack), control_id
    sources = inside or [CLOSEST[control_id]]
    cited = {c for rule in sources for c in _cell(pack[rule]["hipaa_citations"])}
    assert set(control.citations) == cited
    assert control.citations_beyond_aws == ()
    checkov = {c for rule in inside for c in _cell(pack[rule]["checkov_ids"])}
    prowler = {p for rule in inside for p in _cell(pack[rule]["prowler_checks"])}
    assert (set(control.checkov), set(control.prowler)) == (checkov, prowler)


def test_the_closest_rules_are_named_only_for_controls_outside_the_pack():
    for control_id, rule in CLOSEST.items():
        control = CONTROLS[control_id]
        assert set(control.config_rules) == set(control.config_rules_outside_hipaa_pack), rule
