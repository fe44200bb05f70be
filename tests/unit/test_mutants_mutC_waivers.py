"""Waivers read and judged exactly: the literal part of a name pattern counted character by
character, each refusal's whole message, the day a waiver starts and the day it ends (every
expected value below is worked out by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checks.aws import rds
from checks.errors import InputError
from checks.evaluate import Finding
from checks.library import build_registry
from checks.model import Resource
from checks.registry import Status
from policies.waivers import (
    Waiver,
    _longest_literal_run,
    apply_waivers,
    load_waivers,
    pattern_problem,
)

CHECK = "rds_instance_deletion_protection"
KNOWN = {CHECK}
DB = "aws:rds/instance:Instance"
DB_URN = f"urn:pulumi:dev::demo::{DB}::billing-db"
APPROVED, EXPIRES = dt.date(2026, 11, 1), dt.date(2027, 5, 1)

LINES = [
    "waivers:",
    "  - id: W-1",
    f"    check: {CHECK}",
    f'    resources: ["{DB_URN}"]',
    "    type: compensating_control",
    "    justification: '  The database sits in a private subnet behind the app tier.  '",
    "    approver: Dana Lee, Security Official",
    "    approved: 2026-11-01",
    "    expires: 2027-05-01",
]


def _waivers_file(tmp_path: Path, *extra: str, drop: tuple[str, ...] = ()) -> Path:
    """The waiver above, without the fields in `drop`, with the `extra` lines added to it."""
    kept = [ln for ln in LINES if ln.strip().split(":", 1)[0] not in drop]
    path = tmp_path / "waivers.yaml"
    path.write_text("\n".join([*kept, *(f"    {e}" for e in extra)]) + "\n", encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(InputError) as err:
        load_waivers(path, KNOWN)
    return str(err.value)


def _waiver(path: Path, **changes) -> Waiver:
    fields = {
        "id": "W-1",
        "check": CHECK,
        "type": "compensating_control",
        "justification": "The database sits in a private subnet behind the app tier.",
        "approver": "Dana Lee, Security Official",
        "approved": APPROVED,
        "expires": EXPIRES,
        "resources": (DB_URN,),
        "resource_pattern": None,
        "source": f"{path}: line 2",
    }
    return Waiver(**{**fields, **changes})


# -- the literal part of a name -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("glob", "run"),
    [
        ("abc", 3),
        ("ab*cde", 3),
        ("s?h-from*", 6),
        ("?[a]*", 0),
        ("[x]y*", 1),
        # a class's letters are a wildcard, negated or not, `]` first in it or not
        ("[abcdef]gh", 2),
        ("[!abcdef]gh", 2),
        ("[]abcdef]gh", 2),
        ("[!]abcdef]gh", 2),
        ("[]", 0),
        ("[!]", 1),
        # an unclosed `[` counts as one wildcard; what follows it is literal
        ("[", 0),
        ("[!", 1),
        ("[abcd", 4),
        ("ab[cd", 2),
        ("[!abcd", 5),
        ("[]abcd", 4),
    ],
)
def test_the_longest_literal_run_of_a_name_glob(glob, run):
    assert _longest_literal_run(glob) == run


# -- what a pattern must spell out --------------------------------------------------------------


def test_a_name_of_exactly_the_minimum_literal_characters_is_narrow_enough():
    assert pattern_problem(f"urn:pulumi:dev::demo::{DB}::bil*") is None
    assert pattern_problem(f"urn:pulumi:dev::demo::{DB}::bi*") == (
        "its name 'bi*' spells out fewer than 3 characters in a row"
    )


def test_the_type_is_read_after_the_last_parent_of_a_chain():
    chain = f"urn:pulumi:dev::demo::my:app:Tier$my:app:Db${DB}::billing-*"
    assert pattern_problem(chain) is None
    assert pattern_problem("urn:pulumi:dev::demo::my:app:Tier$*::billing-*") == (
        "its type 'my:app:Tier$*' is not a type token written out"
    )


def test_the_type_and_name_part_is_all_a_pattern_needs_to_be_judged():
    assert pattern_problem(f"{DB}::billing-*") is None
    assert pattern_problem("billing-*") == "it has no TYPE::NAME part"


# -- each refusal, word for word ----------------------------------------------------------------


def test_a_waiver_file_is_read_into_exactly_the_waiver_it_describes(tmp_path):
    path = _waivers_file(tmp_path, "compensating_controls: Private subnet only.")
    assert load_waivers(path, KNOWN) == [
        _waiver(path, compensating_controls=("Private subnet only.",))
    ]


def test_compensating_controls_may_be_a_list_of_text(tmp_path):
    path = _waivers_file(tmp_path, "compensating_controls: [Private subnet, No public IP]")
    (waiver,) = load_waivers(path, KNOWN)
    assert waiver == _waiver(path, compensating_controls=("Private subnet", "No public IP"))
    assert waiver.as_record(APPROVED)["compensating_controls"] == ["Private subnet", "No public IP"]


def test_a_ticket_is_kept_and_shown_in_the_record(tmp_path):
    path = _waivers_file(tmp_path, "ticket: ' SEC-142 '")
    (waiver,) = load_waivers(path, KNOWN)
    assert waiver.ticket == "SEC-142"
    assert waiver.as_record(APPROVED)["ticket"] == "SEC-142"
    assert _waiver(path).as_record(APPROVED)["ticket"] is None


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("compensating_controls: 5", "'compensating_controls' must be text or a list of text"),
        ("compensating_controls: [a, 5]", "'compensating_controls' must be text or a list of text"),
        ("ticket: [SEC-1]", "'ticket' must be text, got list"),
        ("ticket: 17", "'ticket' must be text, got int"),
    ],
)
def test_a_field_of_the_wrong_shape_is_named_with_what_it_is(tmp_path, extra, problem):
    path = _waivers_file(tmp_path, extra)
    assert _refusal(path) == f"{path}: line 2: waiver W-1: {problem}"


def test_a_waiver_whose_id_is_not_text_is_named_as_having_none(tmp_path):
    path = tmp_path / "waivers.yaml"
    path.write_text("\n".join(LINES).replace("id: W-1", "id: 5") + "\n", encoding="utf-8")
    assert _refusal(path) == f"{path}: line 2: waiver (no id): 'id' must be text, got int"


def test_a_waiver_without_an_id_is_named_as_having_none(tmp_path):
    text = "\n".join(LINES).replace("  - id: W-1\n    check:", "  - check:") + "\n"
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    assert _refusal(path) == f"{path}: line 2: waiver (no id) is missing id"


def test_every_missing_field_is_listed_and_an_empty_one_counts_as_missing(tmp_path):
    path = _waivers_file(tmp_path, "approver: ''", drop=("approver", "expires"))
    assert _refusal(path) == f"{path}: line 2: waiver W-1 is missing approver, expires"


def test_unknown_fields_are_listed_by_name_in_order(tmp_path):
    path = _waivers_file(tmp_path, "owner: Dana", "color: red")
    assert _refusal(path) == f"{path}: line 2: waiver W-1 has unknown field(s) color, owner"


def test_an_unknown_type_lists_the_types_there_are(tmp_path):
    path = _waivers_file(tmp_path, "type: because", drop=("type",))
    assert _refusal(path) == (
        f"{path}: line 2: waiver W-1 type must be one of "
        "risk_acceptance, false_positive, compensating_control"
    )


def test_an_approval_that_is_not_a_date_names_the_file_and_line(tmp_path):
    path = _waivers_file(tmp_path, "approved: last week", drop=("approved",))
    assert _refusal(path) == (
        f"{path}: line 2: 'approved' must be a date (YYYY-MM-DD), got 'last week'"
    )


def test_a_waiver_may_start_and_end_on_one_day_but_not_end_before_it_starts(tmp_path):
    one_day = _waivers_file(tmp_path, "expires: 2026-11-01", drop=("expires",))
    assert load_waivers(one_day, KNOWN) == [_waiver(one_day, expires=APPROVED)]
    backwards = _waivers_file(tmp_path, "expires: 2026-10-31", drop=("expires",))
    assert _refusal(backwards) == (
        f"{backwards}: line 2: waiver W-1 expires before it was approved"
    )


# -- the first and the last day -----------------------------------------------------------------


def _record(status: str) -> dict:
    return {
        "id": "W-1",
        "check": CHECK,
        "type": "compensating_control",
        "justification": "The database sits in a private subnet behind the app tier.",
        "approver": "Dana Lee, Security Official",
        "approved": "2026-11-01",
        "expires": "2027-05-01",
        "resources": [DB_URN],
        "resource_pattern": None,
        "compensating_controls": [],
        "ticket": None,
        "status": status,
    }


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (dt.date(2026, 10, 31), "not yet approved"),
        (APPROVED, "active"),
        (EXPIRES, "active"),
        (dt.date(2027, 5, 2), "expired"),
    ],
)
def test_the_waiver_record_says_where_the_day_falls(tmp_path, day, status):
    (waiver,) = load_waivers(_waivers_file(tmp_path), KNOWN)
    assert waiver.as_record(day) == _record(status)


def test_a_pattern_waiver_record_names_its_pattern_and_no_resources(tmp_path):
    pattern = f"urn:pulumi:dev::demo::{DB}::billing-*"
    path = _waivers_file(tmp_path, f"resource_pattern: '{pattern}'", drop=("resources",))
    (waiver,) = load_waivers(path, KNOWN)
    expected = {**_record("active"), "resources": [], "resource_pattern": pattern}
    assert waiver.as_record(APPROVED) == expected


REGISTRY = build_registry([rds])


def _failing_db() -> Finding:
    resource = Resource(DB, "billing-db", {}, urn=DB_URN)
    return Finding(REGISTRY.get(CHECK), Status.FAIL, "", {}, resource)


@pytest.mark.parametrize(
    ("day", "status", "reopened"),
    [
        (dt.date(2026, 10, 31), Status.FAIL, False),
        (APPROVED, Status.WAIVED, False),
        (EXPIRES, Status.WAIVED, False),
        (dt.date(2027, 5, 2), Status.FAIL, True),
    ],
)
def test_a_waiver_waives_from_its_approval_through_its_expiry_day(tmp_path, day, status, reopened):
    waivers = tuple(load_waivers(_waivers_file(tmp_path), KNOWN))
    finding = _failing_db()
    (out,), reopens = apply_waivers((finding,), waivers, day)
    assert (out.status, out.waiver_id) == (status, "W-1" if status is Status.WAIVED else None)
    assert reopens == (((finding.id, "W-1"),) if reopened else ())
