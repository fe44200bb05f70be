"""Trend between two run documents: findings matched by id, classified, and scopes checked."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from checks.errors import InputError
from checks.evaluate import evaluate
from checks.library import build_registry
from policies.assess import assess
from policies.framework import load_framework
from policies.inputs import PolicyInputs, PreviousRun
from policies.profiles import load_profile
from policies.record import build_record
from policies.run_identity import assessment_id
from policies.trend import history_points, trend
from tests.unit.test_report_formats import GENERATED_AT, pipeline_document, pipeline_inventory

STATUSES = ("FAIL", "NOT_EVALUATED", "WAIVED", "PASS", "NOT_APPLICABLE")


def document(
    generated_at: str,
    findings: dict[str, tuple[str, str]],
    *,
    checks: tuple[str, ...] = ("c_old",),
    library: str = "lib-1",
    **extra: Any,
) -> dict[str, Any]:
    """A run document with `findings` as {finding id: (check id, status)}."""
    rows = [
        {
            "id": fid,
            "check_id": check,
            "title": f"title of {check}",
            "severity": "high",
            "status": status,
            "resource": {"name": f"res-{fid}", "type": "aws:s3/bucket:Bucket"},
        }
        for fid, (check, status) in sorted(findings.items())
    ]
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}
    return {
        "schema_version": "1.0",
        "tool": {"name": "hipaa-safeguard", "version": "0.1.0", "check_library": library},
        "generated_at": generated_at,
        "source": {"kind": "program", "project": "billing", "stack": "dev"},
        "summary": {"findings": counts},
        "checks": [{"id": c} for c in checks],
        "findings": rows,
        "waivers": extra.pop("waivers", []),
        "framework": {"version": "2026.11"},
        "safeguards": extra.pop("safeguards", []),
        **extra,
    }


def ids(result: dict[str, Any], category: str) -> list[str]:
    return [e["id"] for e in result["findings"][category]]


def test_findings_are_classified_by_what_they_were_and_are():
    previous = document(
        "2026-10-01T00:00:00Z",
        {
            "F-persist": ("c_old", "FAIL"),
            "F-fixed": ("c_old", "FAIL"),
            "F-gone": ("c_old", "FAIL"),
            "F-waived": ("c_old", "FAIL"),
            "F-unknown": ("c_old", "FAIL"),
            "F-broke": ("c_old", "PASS"),
            "F-steady": ("c_old", "PASS"),
        },
    )
    current = document(
        "2026-11-01T00:00:00Z",
        {
            "F-persist": ("c_old", "FAIL"),
            "F-fixed": ("c_old", "PASS"),
            "F-waived": ("c_old", "WAIVED"),
            "F-unknown": ("c_old", "NOT_EVALUATED"),
            "F-broke": ("c_old", "FAIL"),
            "F-appeared": ("c_old", "FAIL"),
            "F-steady": ("c_old", "PASS"),
            "F-newcheck": ("c_new", "FAIL"),
        },
        checks=("c_old", "c_new"),
        library="lib-2",
    )
    result = trend(current, previous)
    assert ids(result, "persisting") == ["F-persist"]
    assert ids(result, "fixed") == ["F-fixed"]
    assert ids(result, "removed") == ["F-gone"]
    assert result["counts"]["resolved"] == 2
    assert ids(result, "accepted") == ["F-waived"]
    assert ids(result, "unverified") == ["F-unknown"]  # unknown is never counted as fixed
    assert ids(result, "new") == ["F-appeared", "F-broke"]
    assert ids(result, "new_check") == ["F-newcheck"]
    assert ids(result, "regressed") == []  # two documents cannot tell a regression
    assert result["counts"]["new"] == 2
    assert result["check_library_changed"] is True
    gone = result["findings"]["removed"][0]
    assert (gone["before"], gone["now"], gone["resource"]) == ("FAIL", None, "res-F-gone")


def test_a_fixed_resource_is_told_from_a_removed_one():
    previous = document(
        "2026-10-01T00:00:00Z",
        {
            "F-fixed": ("c_old", "FAIL"),
            "F-na": ("c_old", "FAIL"),
            "F-deleted": ("c_old", "FAIL"),
            "F-unjudged": ("c_old", "FAIL"),
        },
    )
    current = document(
        "2026-11-01T00:00:00Z",
        {"F-fixed": ("c_old", "PASS"), "F-na": ("c_old", "NOT_APPLICABLE")},
        # F-unjudged's resource is still deployed, but no finding of it came back.
        inventory={"items": [{"name": n} for n in ("res-F-fixed", "res-F-na", "res-F-unjudged")]},
    )
    result = trend(current, previous)
    assert ids(result, "fixed") == ["F-fixed", "F-na"]
    assert ids(result, "removed") == ["F-deleted"]
    assert ids(result, "unverified") == ["F-unjudged"]  # still there: not fixed, not removed
    assert (result["counts"]["fixed"], result["counts"]["removed"]) == (2, 1)
    assert result["counts"]["resolved"] == 3
    assert result["resolved_earlier"] == ["F-deleted", "F-fixed", "F-na"]
    assert "resolved" not in result["findings"]


def test_a_finding_resolved_earlier_that_fails_again_is_a_regression():
    first = document("2026-09-01T00:00:00Z", {"F-1": ("c_old", "FAIL")})
    second = document("2026-10-01T00:00:00Z", {"F-1": ("c_old", "PASS")})
    second["trend"] = trend(second, first)
    assert second["trend"]["resolved_earlier"] == ["F-1"]
    third = document("2026-11-01T00:00:00Z", {"F-1": ("c_old", "FAIL")})
    result = trend(third, second)
    assert ids(result, "regressed") == ["F-1"]
    assert ids(result, "new") == []
    assert result["resolved_earlier"] == []


def test_history_accumulates_along_the_chain_of_documents():
    first = document("2026-09-01T00:00:00Z", {"F-1": ("c_old", "FAIL")})
    second = document("2026-10-01T00:00:00Z", {"F-1": ("c_old", "PASS")})
    second["trend"] = trend(second, first)
    third = document("2026-11-01T00:00:00Z", {"F-1": ("c_old", "FAIL")})
    history = trend(third, second)["history"]
    assert [p["generated_at"][:10] for p in history] == ["2026-09-01", "2026-10-01", "2026-11-01"]
    assert [p["counts"]["FAIL"] for p in history] == [1, 0, 1]
    assert history[1]["assessment_id"] == assessment_id(second)


def test_safeguard_status_and_waiver_changes_are_reported():
    waiver = {"check": "c_old", "status": "active", "expires": "2026-12-01"}
    previous = document(
        "2026-10-01T00:00:00Z",
        {},
        safeguards=[
            {"citation": "164.312(b)", "title": "Audit controls", "status": "not_assessed"}
        ],
        waivers=[
            {**waiver, "id": "W-ends"},
            {**waiver, "id": "W-renew"},
            {**waiver, "id": "W-dropped"},
        ],
    )
    current = document(
        "2026-12-02T00:00:00Z",
        {},
        safeguards=[{"citation": "164.312(b)", "title": "Audit controls", "status": "implemented"}],
        waivers=[
            {**waiver, "id": "W-ends", "status": "expired"},
            {**waiver, "id": "W-renew", "expires": "2027-06-01"},
            {**waiver, "id": "W-new"},
        ],
    )
    result = trend(current, previous)
    assert result["safeguards"] == [
        {
            "citation": "164.312(b)",
            "title": "Audit controls",
            "before": "not_assessed",
            "now": "implemented",
        }
    ]
    assert result["waivers"] == {
        "created": ["W-new"],
        "removed": ["W-dropped"],
        "expired": ["W-ends"],
        "renewed": ["W-renew"],
    }


def test_risk_level_changes_are_reported_when_both_documents_have_a_register():
    previous = document("2026-10-01T00:00:00Z", {})
    current = document("2026-11-01T00:00:00Z", {})
    assert "risks" not in trend(current, previous)
    previous["risks"] = [{"risk_id": "R-1", "title": "db", "risk": "high"}]
    current["risks"] = [
        {"risk_id": "R-1", "title": "db", "risk": "moderate"},
        {"risk_id": "R-2", "title": "key", "risk": "low"},
    ]
    assert trend(current, previous)["risks"] == [
        {"risk_id": "R-1", "title": "db", "before": "high", "now": "moderate"},
        {"risk_id": "R-2", "title": "key", "before": None, "now": "low"},
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("project", "other-project", "project 'other-project' \\(previous\\)"),
        ("stack", "prod", "stack 'prod' \\(previous\\)"),
        ("kind", "aws", "kind 'aws' \\(previous\\)"),
    ],
)
def test_a_previous_document_of_another_scope_is_refused(key, value, message):
    current = document("2026-11-01T00:00:00Z", {})
    previous = copy.deepcopy(current)
    previous["generated_at"] = "2026-10-01T00:00:00Z"
    previous["source"][key] = value
    with pytest.raises(ValueError, match=f"different scope: {message}"):
        trend(current, previous)


def test_a_newer_schema_or_a_newer_previous_document_is_refused():
    current = document("2026-11-01T00:00:00Z", {})
    future = document("2026-10-01T00:00:00Z", {}, schema_version="2.0")
    with pytest.raises(ValueError, match="schema_version 2.0, newer than this tool reads"):
        trend(current, future)
    later = document("2026-12-01T00:00:00Z", {})
    with pytest.raises(ValueError, match="is newer than the current one"):
        trend(current, later)


def test_history_points_are_ordered_by_time_and_refuse_mixed_scopes():
    a = document("2026-11-01T00:00:00Z", {"F-1": ("c_old", "FAIL")})
    b = document("2026-09-01T00:00:00Z", {"F-1": ("c_old", "PASS")})
    points = history_points([a, b])
    assert [p["generated_at"] for p in points] == [b["generated_at"], a["generated_at"]]
    assert points[1]["counts"]["FAIL"] == 1
    b["source"]["stack"] = "prod"
    with pytest.raises(ValueError, match="different scopes"):
        history_points([a, b])


# -- the assessment against an earlier run -----------------------------------------------------


def _assess_again(previous: dict[str, Any], path: Path, generated_at: str):
    """This run's assessment of the pipeline inventory, with `previous` as the earlier run."""
    inputs = PolicyInputs(
        profile=load_profile("default"),
        framework=load_framework(),
        previous=PreviousRun(path, previous),
    )
    evaluation = evaluate(pipeline_inventory(), build_registry())
    source = {"kind": "program", "project": "billing", "stack": "dev", "region": "us-east-1"}
    return assess(evaluation, inputs, source=source, generated_at=generated_at)


def test_an_assessment_with_a_previous_run_carries_the_trend_in_its_record():
    previous = pipeline_document()  # the same inventory, at GENERATED_AT
    assert "trend" not in previous
    assessment = _assess_again(previous, Path("previous.json"), "2026-12-01T00:00:00Z")
    record = build_record(assessment)
    assert record["trend"] == assessment.trend
    assert assessment.trend["previous"]["assessment_id"] == assessment_id(previous)
    assert assessment.trend["current"]["assessment_id"] == assessment_id(record)
    assert assessment.trend["counts"]["persisting"] == previous["summary"]["findings"]["FAIL"]
    assert assessment.trend["counts"]["new"] == 0
    assert [p["generated_at"] for p in assessment.trend["history"]] == [
        GENERATED_AT,
        "2026-12-01T00:00:00Z",
    ]


def test_a_previous_run_of_another_scope_is_an_input_error_naming_its_file():
    previous = pipeline_document()
    previous["source"]["stack"] = "prod"
    with pytest.raises(InputError) as err:
        _assess_again(previous, Path("runs/prod.json"), "2026-12-01T00:00:00Z")
    assert str(err.value).startswith("runs/prod.json: the previous document is of a different")
    assert "stack 'prod' (previous) vs 'dev' (current)" in str(err.value)
