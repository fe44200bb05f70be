"""The control table as data (`checks/controls.yaml`): linted against the HIPAA framework, the
check library, the README and, where present, the reference tables it was carried over from."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from checks.controls import CONTROLS, CONTROLS_FILE, ControlDataError, load_controls
from checks.library import build_registry
from policies.framework import load_framework

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"

NIST_LEVELS = ["very low", "low", "moderate", "high", "very high"]


@pytest.fixture(scope="module")
def registry():
    return build_registry()


def _checks_by_control(registry) -> dict[str, set[str]]:
    by_control: dict[str, set[str]] = {}
    for chk in registry:
        by_control.setdefault(chk.control, set()).add(chk.id)
    return by_control


def _reference(name: str) -> list[dict[str, str]]:
    table = REFERENCE / name
    if not table.is_file():
        pytest.skip(f"the reference table {table} is not present next to the repo")
    with table.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _cell(text: str) -> list[str]:
    """The entries of a reference cell, "(none)" being none."""
    return [t.strip() for t in text.split(";") if t.strip() and t.strip() != "(none)"]


def test_ids_are_unique_and_every_list_names_each_entry_once():
    doc = yaml.safe_load(CONTROLS_FILE.read_text())
    ids = [entry["id"] for entry in doc["controls"]]
    # The reference table's 70, and the controls added after them (issue 11).
    assert len(ids) == len(set(ids)) == len(CONTROLS) >= 70
    for c in CONTROLS.values():
        for name in ("citations", "config_rules", "checkov", "prowler"):
            values = getattr(c, name)
            assert len(values) == len(set(values)), f"{c.id}: {name} lists an entry twice"


def test_every_citation_is_a_specification_of_the_framework():
    known = load_framework().citations
    for c in CONTROLS.values():
        assert set(c.citations) <= known, f"{c.id}: {sorted(set(c.citations) - known)}"


def test_marked_subsets_are_subsets():
    for c in CONTROLS.values():
        assert set(c.citations_beyond_aws) <= set(c.citations), c.id
        assert set(c.config_rules_outside_hipaa_pack) <= set(c.config_rules), c.id


def test_every_check_names_a_control_and_only_its_citations_and_config_rules(registry):
    for chk in registry:
        control = CONTROLS.get(chk.control)
        assert control is not None, f"{chk.id}: unknown control {chk.control}"
        assert set(chk.citations) <= set(control.citations), chk.id
        assert chk.config_rule is None or chk.config_rule in control.config_rules, chk.id


def test_every_control_has_a_check_or_is_listed_in_the_readme_as_not_checked(registry):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Controls not checked", 1)[1].split("Checked in part", 1)[0]
    not_checked = set(re.findall(r"^- \*\*([A-Z0-9]+-\d{2})\*\*", section, re.M))
    assert not_checked, "the README lists no control as not checked"
    unchecked = set(CONTROLS) - set(_checks_by_control(registry))
    assert unchecked == not_checked, f"no check: {sorted(unchecked)}; README: {sorted(not_checked)}"


def test_every_likelihood_is_a_nist_level_and_check_likelihoods_name_checks_of_the_control(
    registry,
):
    by_control = _checks_by_control(registry)
    for c in CONTROLS.values():
        assert c.likelihood.level in NIST_LEVELS, c.id
        assert c.likelihood.rationale.strip(), c.id
        for check_id, likelihood in c.check_likelihood.items():
            assert check_id in by_control.get(c.id, set()), f"{c.id}: {check_id} is not its check"
            assert likelihood.level in NIST_LEVELS, f"{c.id}: {check_id}"


def test_malformed_data_fails_naming_the_file_and_the_control(tmp_path):
    doc = yaml.safe_load(CONTROLS_FILE.read_text())
    doc["controls"][1]["likelihood"]["level"] = "extreme"
    bad = tmp_path / "controls.yaml"
    bad.write_text(yaml.safe_dump(doc))
    with pytest.raises(ControlDataError, match=r"controls\.yaml: control RDS-02: .*'extreme'"):
        load_controls(bad)


def test_the_table_agrees_with_the_reference_controls():
    rows = _reference("controls.csv")
    # The reference's controls come first, in its order; those added after it follow.
    assert [r["id"] for r in rows] == list(CONTROLS)[: len(rows)]
    for row in rows:
        c = CONTROLS[row["id"]]
        assert (c.service, c.title) == (row["service"], row["control"]), c.id
        within, _, beyond = row["hipaa_citations"].partition(" +")
        assert c.citations == (*_cell(within), *_cell(beyond)), c.id
        assert c.citations_beyond_aws == tuple(_cell(beyond)), c.id
        rules = _cell(row["aws_config_rules"])
        assert c.config_rules == tuple(r.split(" (")[0] for r in rules), c.id
        outside = [r.split(" (")[0] for r in rules if r.endswith(" (not in HIPAA pack)")]
        assert c.config_rules_outside_hipaa_pack == tuple(outside), c.id
        assert c.checkov == tuple(re.findall(r"CKV2?_AWS_\d+", row["checkov_ids"])), c.id
        for note in re.findall(r"\(([^)]+)\)", row["checkov_ids"]):
            assert note == "none" or note in c.checkov_note, c.id
        assert c.prowler == tuple(_cell(row["prowler_checks"])), c.id


def test_config_rules_are_in_the_hipaa_pack_unless_marked_outside():
    pack = {r["config_rule"] for r in _reference("aws_config_hipaa.csv")}
    for c in CONTROLS.values():
        outside = set(c.config_rules_outside_hipaa_pack)
        assert outside.isdisjoint(pack), f"{c.id}: {sorted(outside & pack)} are in the pack"
        inside = set(c.config_rules) - outside
        assert inside <= pack, f"{c.id}: {sorted(inside - pack)} are not in the pack"
