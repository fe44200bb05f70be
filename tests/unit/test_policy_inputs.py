"""What a run is judged by, loaded once: every problem is an InputError naming its file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.errors import InputError
from checks.registry import Severity
from policies.inputs import PreviousRun, default_waivers_file, load_policy_inputs
from policies.risk import DEFAULT_SLA_DAYS
from policies.risk_scale import Level
from tests.unit.test_report_formats import pipeline_document

KNOWN = {"rds_instance_deletion_protection", "s3_bucket_versioning_enabled"}
WAIVERS = """\
waivers:
  - id: W-1
    check: rds_instance_deletion_protection
    resources: ["urn:pulumi:dev::demo::aws:rds/instance:Instance::db"]
    type: risk_acceptance
    justification: Dev database holds synthetic data.
    approver: Dana Lee, Security Official
    approved: 2026-11-01
    expires: 2027-05-01
"""


def load(home: Path, **kwargs):
    return load_policy_inputs(known_checks=KNOWN, home=home, stack="dev", **kwargs)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- profile and --fail-on ---------------------------------------------------------------------


def test_defaults_are_the_default_profile_and_nothing_else(tmp_path):
    inputs = load(tmp_path)
    assert (inputs.profile.name, inputs.profile.fail_on) == ("default", Severity.LOW)
    assert (inputs.waivers, inputs.waivers_file, inputs.risk_overrides) == ((), None, ())
    assert inputs.sla == DEFAULT_SLA_DAYS
    assert inputs.previous is None
    assert inputs.attestations.source is None


def test_fail_on_replaces_the_profiles_threshold(tmp_path):
    inputs = load(tmp_path, profile="strict", fail_on="high")
    assert (inputs.profile.name, inputs.profile.fail_on) == ("strict", Severity.HIGH)


def test_a_fail_on_that_is_no_severity_is_an_input_error_naming_the_option(tmp_path):
    with pytest.raises(InputError) as err:
        load(tmp_path, fail_on="catastrophic")
    assert str(err.value).startswith("--fail-on: ")
    assert "catastrophic" in str(err.value)


# -- waivers -----------------------------------------------------------------------------------


def test_the_default_waivers_file_is_policies_waivers_stack_yaml(tmp_path):
    assert default_waivers_file(tmp_path, "prod") == tmp_path / "policies/waivers/prod.yaml"


def test_the_default_waivers_file_is_read_only_when_it_exists(tmp_path):
    assert load(tmp_path).waivers == ()
    path = write(default_waivers_file(tmp_path, "dev"), WAIVERS)
    inputs = load(tmp_path)
    assert [w.id for w in inputs.waivers] == ["W-1"]
    assert inputs.waivers_file == path
    other_stack = load_policy_inputs(known_checks=KNOWN, home=tmp_path, stack="prod")
    assert (other_stack.waivers, other_stack.waivers_file) == ((), None)


def test_a_waivers_file_given_replaces_the_default_and_must_exist(tmp_path):
    write(default_waivers_file(tmp_path, "dev"), WAIVERS)
    given = write(tmp_path / "mine.yaml", WAIVERS.replace("W-1", "W-MINE"))
    inputs = load(tmp_path, waivers=given)
    assert ([w.id for w in inputs.waivers], inputs.waivers_file) == (["W-MINE"], given)
    missing = tmp_path / "missing.yaml"
    with pytest.raises(InputError, match=f"^{missing}: no such file$"):
        load(tmp_path, waivers=missing)


# -- SLA and risk overrides --------------------------------------------------------------------


def test_an_sla_file_replaces_the_levels_it_names(tmp_path):
    inputs = load(tmp_path, sla=write(tmp_path / "sla.yaml", "high: 14\nvery high: 2\n"))
    assert inputs.sla == {**DEFAULT_SLA_DAYS, Level.HIGH: 14, Level.VERY_HIGH: 2}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- high: 14\n", "expected a mapping of risk level to days, e.g. high: 30"),
        ("", "expected a mapping of risk level to days"),
        ("severe: 3\n", "unknown level 'severe'"),
        ("high: soon\n", "must be a whole number of days, got 'soon'"),
    ],
)
def test_a_bad_sla_file_is_an_input_error_naming_the_file(tmp_path, text, message):
    path = write(tmp_path / "sla.yaml", text)
    with pytest.raises(InputError) as err:
        load(tmp_path, sla=path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_risk_overrides_are_loaded(tmp_path):
    path = write(
        tmp_path / "overrides.yaml",
        "- check: s3_bucket_versioning_enabled\n  impact: low\n  by: Dana\n  reason: r\n",
    )
    (override,) = load(tmp_path, risk_overrides=path).risk_overrides
    assert (override.check, override.impact, override.by) == (
        "s3_bucket_versioning_enabled",
        Level.LOW,
        "Dana",
    )


def test_a_bad_overrides_file_is_an_input_error_naming_the_file(tmp_path):
    path = write(tmp_path / "overrides.yaml", "- finding: F-1\n  impact: low\n  reason: r\n")
    with pytest.raises(InputError) as err:
        load(tmp_path, risk_overrides=path)
    assert str(err.value) == (
        f"{path}: entry 1 (F-1): 'by' (the person who made the rating) is required"
    )
    missing = tmp_path / "absent.yaml"
    with pytest.raises(InputError, match=f"^{missing}: no such file$"):
        load(tmp_path, risk_overrides=missing)


# -- the previous run --------------------------------------------------------------------------


def test_previous_loads_a_run_record_from_its_file_or_its_folder(tmp_path):
    record = pipeline_document()
    path = write(tmp_path / "run" / "safeguard-scan.json", json.dumps(record))
    assert load(tmp_path, previous=path).previous == PreviousRun(path, record)
    from_folder = load(tmp_path, previous=path.parent).previous
    assert (from_folder.path, from_folder.record) == (path.parent, record)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"findings": []}', "not a safeguard run document (no schema_version)"),
        ("[1, 2]", "not a safeguard run document (no schema_version)"),
        ('{"schema_version": "2.0"}', "schema_version 2.0 is not supported"),
        ("{not json", "not valid JSON: line 1"),
    ],
)
def test_previous_refuses_what_is_not_a_run_record(tmp_path, text, message):
    path = write(tmp_path / "previous.json", text)
    with pytest.raises(InputError) as err:
        load(tmp_path, previous=path)
    assert str(err.value).startswith(f"{path}: {message}")


def test_a_missing_previous_run_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such run document"):
        load(tmp_path, previous=tmp_path / "nowhere.json")
