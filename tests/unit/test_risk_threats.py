"""The threat catalogue (policies/threats.yaml): every control and every check has a problem, a
threat and a consequence; the file is validated as it loads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checks.controls import CONTROLS
from checks.library import build_registry
from policies.risk_scale import Level
from policies.threats import (
    ASSET,
    SOURCE_KINDS,
    THREATS_FILE,
    ThreatDataError,
    catalogue,
    load_catalogue,
)

REGISTRY = build_registry()
DOC = yaml.safe_load(THREATS_FILE.read_text(encoding="utf-8"))


def test_every_control_of_the_control_table_has_an_entry():
    assert sorted(catalogue().controls) == sorted(CONTROLS)
    assert len(catalogue().controls) == 111


def test_every_check_of_the_library_gets_a_threat_from_its_control_or_itself():
    for check in REGISTRY:
        problem = catalogue().problem(check.id, check.control, check.title)
        assert problem.threat is not None, check.id
        assert problem.threat.source in SOURCE_KINDS


def test_check_entries_name_only_checks_of_the_library():
    assert set(catalogue().checks) <= {c.id for c in REGISTRY}


def test_a_resource_check_names_its_asset_and_an_account_check_names_none():
    for check in REGISTRY:
        phrase = catalogue().problem(check.id, check.control, check.title).phrase
        if check.resource_types:
            assert phrase.count(ASSET) == 1, check.id
        else:
            assert ASSET not in phrase, check.id


def test_problems_say_what_is_wrong():
    by_check = {
        "rds_instance_not_public": ("patients-db", "patients-db is reachable from the internet"),
        "cloudtrail_enabled_multi_region": (
            None,
            "No CloudTrail trail records API activity in every region with validated log files",
        ),
        "sg_no_internet_admin_ports": ("ops", "ops opens SSH or RDP to the internet"),
        "vpc_default_security_group_closed": (
            "main",
            "The default security group of main allows traffic",
        ),
        "rds_in_backup_plan": ("billing-db", "billing-db is in no AWS Backup plan"),
    }
    for check_id, (asset, title) in by_check.items():
        check = REGISTRY.get(check_id)
        assert catalogue().problem(check_id, check.control, check.title).title(asset) == title


def test_an_unknown_control_keeps_its_check_title_and_no_threat():
    problem = catalogue().problem("custom_check", "ZZZ-01", "Widget is frobbed")
    assert problem.threat is None
    assert problem.consequence.name == "access"
    assert problem.title("w1") == "w1 fails: Widget is frobbed"
    assert problem.title(None) == "The account fails: Widget is frobbed"


@pytest.mark.parametrize(
    ("consequence", "ephi", "internal", "none"),
    [
        ("exposure", Level.VERY_HIGH, Level.MODERATE, Level.LOW),
        ("loss", Level.VERY_HIGH, Level.MODERATE, Level.LOW),
        ("detection", Level.VERY_HIGH, Level.MODERATE, Level.LOW),
        ("access", Level.HIGH, Level.MODERATE, Level.LOW),
        ("confidentiality", Level.HIGH, Level.LOW, Level.VERY_LOW),
        ("availability", Level.MODERATE, Level.LOW, Level.VERY_LOW),
    ],
)
def test_impact_by_consequence_and_data(consequence, ephi, internal, none):
    impact = catalogue().consequences[consequence].impact
    assert (impact["ephi"], impact["internal"], impact["none"]) == (ephi, internal, none)


def test_the_threat_sources_are_the_five_table_d2_kinds():
    assert sorted(DOC["threat_sources"]) == sorted(SOURCE_KINDS)
    assert catalogue().threats["internet-exposure"].source == "adversarial-outsider"
    assert catalogue().threats["accidental-loss"].source == "accidental"


def _broken(tmp_path: Path, change) -> Path:
    doc = yaml.safe_load(THREATS_FILE.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "threats.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra=1), r"unknown top-level fields \['extra'\]"),
        (lambda d: d["threat_sources"].pop("structural"), "threat_sources must be exactly"),
        (
            lambda d: d["threats"]["tampering"].update(source="ghosts"),
            "threat tampering: unknown source 'ghosts'",
        ),
        (
            lambda d: d["controls"]["RDS-01"].update(threat="ghosts"),
            "controls RDS-01: unknown threat 'ghosts'",
        ),
        (
            lambda d: d["controls"]["RDS-01"].pop("problem"),
            "control RDS-01 needs threat, consequence and problem",
        ),
        (
            lambda d: d["checks"]["rds_snapshot_not_public"].update(why="x"),
            r"checks rds_snapshot_not_public: unknown fields \['why'\]",
        ),
        (
            lambda d: d["consequences"]["loss"]["impact"].update(none="very high"),
            "consequence loss: impact must not fall as the data grows",
        ),
        (
            lambda d: d["consequences"]["loss"]["impact"].pop("internal"),
            "consequence loss: impact must rate none, internal, ephi",
        ),
        (lambda d: d["consequences"]["loss"].update(cia="privacy"), "cia must be one of"),
        (lambda d: d["consequences"].pop("access"), "consequence 'access' is required"),
    ],
)
def test_a_malformed_catalogue_is_refused(tmp_path, change, message):
    with pytest.raises(ThreatDataError, match=message):
        load_catalogue(_broken(tmp_path, change))


def test_an_unreadable_catalogue_is_refused(tmp_path):
    with pytest.raises(ThreatDataError, match="missing.yaml"):
        load_catalogue(tmp_path / "missing.yaml")
