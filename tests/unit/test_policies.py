"""The policy layer: the framework as data, waivers, attestations, profiles and the gate."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from checks.errors import InputError
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import UNKNOWN, Inventory, Resource
from checks.registry import Status
from policies.assess import assess
from policies.assessment import Assessment
from policies.attestations import Attestations, load_attestations
from policies.framework import checks_by_citation, lint, load_framework
from policies.gate import ExitCode
from policies.inputs import PolicyInputs
from policies.profiles import load_profile
from policies.waivers import Waiver, load_waivers

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
DAY = dt.date(2026, 11, 26)
GENERATED_AT = "2026-11-26T00:00:00Z"  # its date is DAY, the day waivers and attestations meet
DB_URN = "urn:pulumi:dev::demo::aws:rds/instance:Instance::db"


@pytest.fixture(scope="module")
def registry():
    # The RDS checks alone: a lone database would fail the library's account-wide checks.
    from checks.aws import rds

    return build_registry([rds])


@pytest.fixture(scope="module")
def framework():
    return load_framework()


# A database the RDS checks pass (but for TLS and IAM authentication, which it leaves unset).
SOUND_DB = {
    "engine": "postgres",
    "engine_version": "16.4",
    "storage_encrypted": True,
    "kms_key_id": "arn:aws:kms:us-east-1:1:key/k",
    "publicly_accessible": False,
    "backup_retention_period": 35,
    "deletion_protection": True,
}


def _db(**props) -> Resource:
    return Resource("aws:rds/instance:Instance", "db", {**SOUND_DB, **props}, urn=DB_URN, id="db")


def _assess(
    evaluation,
    framework,
    *,
    profile: str = "default",
    waivers: tuple[Waiver, ...] = (),
    attestations: Attestations | None = None,
) -> Assessment:
    inputs = PolicyInputs(
        profile=load_profile(profile),
        framework=framework,
        waivers=waivers,
        attestations=attestations or Attestations(),
    )
    result = assess(evaluation, inputs, source={"kind": "program"}, generated_at=GENERATED_AT)
    assert result.day == DAY
    return result


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- framework ---------------------------------------------------------------------------------


def test_framework_lists_every_security_rule_specification(framework):
    citations = [s.citation for s in framework.specifications]
    assert len(citations) == len(set(citations)) == 68
    for part in ("164.308", "164.310", "164.312", "164.314", "164.316"):
        assert any(c.startswith(part) for c in citations)
    assert framework.get("164.312(a)(2)(iv)").requirement == "addressable"
    assert framework.get("164.312(b)").requirement == "required"


def test_framework_is_complete_against_the_reference(framework):
    table = REFERENCE / "hipaa_safeguards.csv"
    if not table.is_file():
        pytest.skip(f"reference table not present at {table}")
    rows = {r["citation"]: r for r in csv.DictReader(table.open())}
    assert {s.citation for s in framework.specifications} == set(rows)
    for spec in framework.specifications:
        assert spec.requirement == rows[spec.citation]["required_or_addressable"].lower()


def test_every_check_maps_to_specifications_that_exist(framework):
    library = build_registry()
    assert lint(framework, library) == []
    mapping = checks_by_citation(framework, library)
    mapped = {c.id for checks in mapping.values() for c in checks}
    left_out = {x.check_id for x in framework.not_evidence}
    assert mapped | left_out == {c.id for c in library}
    assert mapped & left_out == set()


def test_lint_catches_a_citation_outside_the_framework(framework, registry):
    import dataclasses

    bad = dataclasses.replace(next(iter(registry)), citations=("164.312(z)(9)",))
    problems = lint(framework, [bad])
    assert f"check {bad.id} cites 164.312(z)(9), which is not in the framework" in problems


# -- waivers -----------------------------------------------------------------------------------

WAIVER = """\
waivers:
  - id: W-1
    check: rds_instance_deletion_protection
    resources: ["{urn}"]
    type: risk_acceptance
    justification: Dev database holds synthetic data.
    approver: Dana Lee, Security Official
    approved: 2026-11-01
    expires: {expires}
"""


def test_active_waiver_keeps_the_finding_visible_as_waived(tmp_path, registry, framework):
    path = _write(tmp_path, "w.yaml", WAIVER.format(urn=DB_URN, expires="2027-05-01"))
    waivers = tuple(load_waivers(path, {c.id for c in registry}))
    evaluation = evaluate(Inventory([_db(deletion_protection=False)]), registry)
    result = _assess(evaluation, framework, waivers=waivers)
    waived = [f for f in result.findings if f.check.id == "rds_instance_deletion_protection"]
    assert [(f.status, f.waiver_id) for f in waived] == [(Status.WAIVED, "W-1")]
    assert result.gate.exit_code == ExitCode.OK == 0


def test_expired_waiver_reopens_the_finding_and_fails_the_gate(tmp_path, registry, framework):
    path = _write(tmp_path, "w.yaml", WAIVER.format(urn=DB_URN, expires="2026-11-20"))
    waivers = tuple(load_waivers(path, {c.id for c in registry}))
    evaluation = evaluate(Inventory([_db(deletion_protection=False)]), registry)
    # Even a profile that only blocks critical failures fails on a reopened medium one.
    result = _assess(evaluation, framework, profile="advisory", waivers=waivers)
    finding = next(f for f in result.findings if f.check.id == "rds_instance_deletion_protection")
    assert finding.status is Status.FAIL
    assert result.gate.reopened == ((finding.id, "W-1"),)
    assert result.gate.exit_code == ExitCode.FAILED == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("    expires: 2027-05-01\n", ""),
            "line 2: waiver W-1 is missing expires",
        ),
        (
            lambda t: t.replace("rds_instance_deletion_protection", "no_such_check"),
            "unknown check 'no_such_check'",
        ),
        (lambda t: t.replace("risk_acceptance", "because"), "type must be one of"),
        (
            lambda t: t + '    resource_pattern: "*db"\n',
            "exactly one of 'resources' or 'resource_pattern'",
        ),
        (lambda t: t.replace("2027-05-01", "next spring"), "'expires' must be a date"),
        (lambda t: t + t.replace("waivers:\n", ""), "waiver id W-1 is used twice"),
        (lambda t: t.replace("    check:", "    check: [unclosed\n    x:"), "malformed YAML"),
    ],
)
def test_malformed_waivers_name_the_file_and_line(tmp_path, registry, edit, message):
    path = _write(tmp_path, "w.yaml", edit(WAIVER.format(urn=DB_URN, expires="2027-05-01")))
    with pytest.raises(InputError) as err:
        load_waivers(path, {c.id for c in registry})
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def test_pattern_waiver_must_name_something(tmp_path, registry):
    text = WAIVER.format(urn=DB_URN, expires="2027-05-01").replace(
        f'    resources: ["{DB_URN}"]', '    resource_pattern: "**"'
    )
    with pytest.raises(InputError, match="must name something"):
        load_waivers(_write(tmp_path, "w.yaml", text), {c.id for c in registry})


# -- attestations and safeguard status ---------------------------------------------------------

ATTESTATIONS = """\
attestations:
  - citation: "164.308(a)(7)(ii)(B)"
    statement: Disaster recovery plan DR-2 is approved and restore-tested quarterly.
    attested_by: Dana Lee, Security Official
    attested_on: 2026-01-10
    expires: {expires}
decisions:
  - citation: "164.312(a)(2)(iii)"
    decision: alternative
    alternative: The billing app logs users off after 15 idle minutes.
    rationale: IAM console sessions are federated through the identity provider.
    decided_by: Dana Lee, Security Official
    decided_on: 2026-01-10
    review_by: 2027-01-10
"""


def _status(result, citation: str) -> str:
    return next(s for s in result.safeguards if s.spec.citation == citation).status


def test_safeguard_status_follows_evidence_attestation_and_decisions(tmp_path, registry, framework):
    path = _write(tmp_path, "a.yaml", ATTESTATIONS.format(expires="2027-01-10"))
    attestations = load_attestations(path, framework.citations, framework.addressable)
    evaluation = evaluate(Inventory([_db()]), registry)
    result = _assess(evaluation, framework, attestations=attestations)
    # A program run shows intended state: "designed" at most (tests/unit/test_safeguard_status.py).
    assert _status(result, "164.308(a)(7)(ii)(B)") == "designed"  # attested, nothing deployed
    assert _status(result, "164.308(a)(7)(ii)(A)") == "designed"  # automated only: checks pass
    assert _status(result, "164.312(a)(2)(iii)") == "alternative_implemented"
    assert (
        _status(result, "164.308(a)(1)(ii)(C)") == "not_assessed"
    )  # sanction policy: nobody attested

    failing = evaluate(
        Inventory([_db(storage_encrypted=False, deletion_protection=False)]), registry
    )
    result = _assess(failing, framework)
    assert _status(result, "164.308(a)(7)(i)") == "not_implemented"  # deletion protection fails
    assert _status(result, "164.312(a)(2)(iv)") == "decision_missing"  # Addressable, undecided


def test_expired_attestation_counts_as_missing(tmp_path, registry, framework):
    path = _write(tmp_path, "a.yaml", ATTESTATIONS.format(expires="2026-06-30"))
    attestations = load_attestations(path, framework.citations, framework.addressable)
    evaluation = evaluate(Inventory([_db()]), registry)
    result = _assess(evaluation, framework, attestations=attestations)
    safeguard = next(s for s in result.safeguards if s.spec.citation == "164.308(a)(7)(ii)(B)")
    assert safeguard.status == "not_assessed"  # its checks are not in this registry
    assert safeguard.attestation["current"] is False


def test_addressable_decision_on_a_required_specification_is_refused(tmp_path, framework):
    text = ATTESTATIONS.format(expires="2027-01-10").replace("164.312(a)(2)(iii)", "164.312(b)")
    with pytest.raises(InputError, match=r"line 8: 164.312\(b\) is Required"):
        load_attestations(
            _write(tmp_path, "a.yaml", text), framework.citations, framework.addressable
        )


# -- profiles ----------------------------------------------------------------------------------


def test_profiles_decide_what_blocks(registry, framework):
    unknown = evaluate(Inventory([_db(storage_encrypted=UNKNOWN)]), registry)
    verdicts = {
        name: _assess(unknown, framework, profile=name).gate.exit_code
        for name in ("default", "strict", "advisory")
    }
    assert verdicts == {"default": 3, "strict": 3, "advisory": 0}

    medium_fail = evaluate(Inventory([_db(deletion_protection=False)]), registry)
    codes = {
        name: _assess(medium_fail, framework, profile=name).gate.exit_code
        for name in ("default", "advisory")
    }
    assert codes == {"default": 1, "advisory": 0}


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(InputError, match="no such profile"):
        load_profile("lenient")
