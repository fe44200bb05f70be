"""One table, every check whose data can be missing, every source kind: the value that decides a
check, hidden the way each source hides it, never lets the check pass.

Each row (`tests/unit/not_evaluated_rows_*.py`) is a small stack on which the check passes and
the property that decides it. The stack goes through each source's own reader
(`tests/unit/not_evaluated_sources.py`): under the program's mocks the property is an unknown
output or a string the mocks made up; in a `pulumi preview --json` document it is the engine's
unknown sentinel; in a `pulumi stack export` it is a secret only the stack's key opens; in the
live account its read fails and the collectors record a gap. The real evaluator judges the
result: the stack as written must PASS, and with the property hidden it must be NOT_EVALUATED.
"""

from __future__ import annotations

from collections import Counter

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status
from checks.sources.engine_values import input_names
from tests.unit.not_evaluated_rows_access import ROWS as ACCESS_ROWS
from tests.unit.not_evaluated_rows_analytics import ROWS as ANALYTICS_ROWS
from tests.unit.not_evaluated_rows_audit import ROWS as AUDIT_ROWS
from tests.unit.not_evaluated_rows_compute import ROWS as COMPUTE_ROWS
from tests.unit.not_evaluated_rows_data import ROWS as DATA_ROWS
from tests.unit.not_evaluated_rows_edge import ROWS as EDGE_ROWS
from tests.unit.not_evaluated_rows_identity import ROWS as IDENTITY_ROWS
from tests.unit.not_evaluated_sources import (
    GAP_REASON,
    KINDS,
    LIVE,
    PREVIEW,
    PROGRAM,
    STATE,
    Row,
    cases,
    findings,
)

ROWS: tuple[Row, ...] = (*DATA_ROWS, *ACCESS_ROWS, *AUDIT_ROWS, *COMPUTE_ROWS)
ROWS += (*EDGE_ROWS, *ANALYTICS_ROWS, *IDENTITY_ROWS)

# Checks whose input no source can leave unknown, each with why. Every check reads resources
# the live source may fail to collect, so none is exempt today; a check added here must say why.
CANNOT_BE_MISSING: dict[str, str] = {}

# The checks issue 15 names, and the source kinds each must be tried in.
NAMED_BY_THE_ISSUE = {
    "rds_instance_deletion_protection": KINDS,
    "rds_cluster_deletion_protection": KINDS,
    "rds_enhanced_monitoring": KINDS,
    "rds_snapshot_not_public": KINDS,
    "rds_auto_minor_version_upgrade": KINDS,
    "ebs_volume_in_backup_plan": KINDS,
    "dynamodb_in_backup_plan": KINDS,
    "backup_restore_testing": (LIVE,),
    "lb_deletion_protection": KINDS,
    "alb_drop_invalid_headers": KINDS,
    "waf_logging_enabled": KINDS,
    "secret_encrypted_cmk": KINDS,
    "dynamodb_encrypted_cmk": KINDS,
    "lambda_function_url_auth": KINDS,
    "lambda_env_encrypted_cmk": KINDS,
    "lambda_supported_runtime": KINDS,
    "sns_topic_encrypted": KINDS,
}


# What a NOT_EVALUATED finding says, by how the value was hidden: the accessor's words, or a
# join's ("the web_acl_arn of web-waf cannot be seen, so whether it names ...").
REASONS = {
    "unknown": ("is not known yet (computed at deployment)", "are not known yet", "cannot be seen"),
    "made up": ("comes from a value the scanner's mocks made up", "cannot be seen"),
    "secret": ("is a secret, so its content cannot be inspected", "cannot be seen"),
    "gap": ("could not be collected: ",),
}


@pytest.fixture(scope="module")
def registry():
    return build_registry()


def _statuses(found) -> list[Status]:
    return [f.status for f in found]


@pytest.mark.parametrize(
    ("row", "kind"),
    [(r, k) for r in ROWS for k in r.kinds],
    ids=[f"{r.id}-{k}" for r in ROWS for k in r.kinds],
)
def test_the_stack_as_written_passes(row, kind, tmp_path, registry):
    """The row's stack passes in every source kind: what makes it NOT_EVALUATED below is the
    hidden property alone."""
    found = findings(row, kind, None, tmp_path, registry)
    assert _statuses(found) == [Status.PASS], [(f.message, dict(f.evidence)) for f in found]


def _known_bug(row: Row, variant: str) -> list[pytest.MarkDecorator]:
    if variant not in row.bugs:
        return []
    return [pytest.mark.xfail(reason=row.bugs[variant], strict=True, raises=AssertionError)]


CASES = [
    pytest.param(r, k, v, id=f"{r.id}-{k}-{v.replace(' ', '-')}", marks=_known_bug(r, v))
    for r, k, v in cases(ROWS)
]


@pytest.mark.parametrize(("row", "kind", "variant"), CASES)
def test_the_hidden_property_is_never_a_pass(row, kind, variant, tmp_path, registry):
    found = findings(row, kind, variant, tmp_path, registry)
    expected = row.expect.get(kind, Status.NOT_EVALUATED)
    assert found, "the check said nothing at all"
    assert set(_statuses(found)) == {expected}, [(f.status, f.message) for f in found]
    if expected is not Status.NOT_EVALUATED:
        return
    for f in found:  # and it says why: the value's kind, not a crash
        assert any(reason in f.message for reason in REASONS[variant]), f.message
        if kind == LIVE:
            assert "could not be collected: us-east-1 (123456789012): " in f.message
            assert GAP_REASON in f.message


def test_every_check_is_in_the_table_or_listed_with_a_reason():
    registered = {c.id for c in build_registry()}
    tabled = {r.check for r in ROWS}
    assert tabled.isdisjoint(CANNOT_BE_MISSING)
    assert tabled | set(CANNOT_BE_MISSING) == registered
    assert all(reason.strip() for reason in CANNOT_BE_MISSING.values())


def test_the_checks_the_issue_names_are_tried_in_their_source_kinds():
    kinds = {r.check: r.kinds for r in ROWS if r.check in NAMED_BY_THE_ISSUE}
    assert kinds == NAMED_BY_THE_ISSUE


def test_rows_per_source_kind():
    per_kind = Counter(k for r in ROWS for k in r.kinds)
    # The compute rows (not_evaluated_rows_compute.py): 16 in every kind, 4 live-only, 8 made up.
    compute = {PROGRAM: 16, PREVIEW: 16, STATE: 16, LIVE: 20}
    base = {PROGRAM: 94, PREVIEW: 94, STATE: 94, LIVE: 101}
    # The edge rows (not_evaluated_rows_edge.py): 18 in every kind, 9 made up.
    edge = {PROGRAM: 18, PREVIEW: 18, STATE: 18, LIVE: 18}
    # The analytics rows (not_evaluated_rows_analytics.py): 24 in every kind, 2 live-only,
    # 6 made up.
    analytics = {PROGRAM: 23, PREVIEW: 23, STATE: 23, LIVE: 25}
    # The identity rows (not_evaluated_rows_identity.py): 3 in every kind, 2 live-only, 2 made up.
    identity = {PROGRAM: 3, PREVIEW: 3, STATE: 3, LIVE: 5}
    assert dict(per_kind) == {
        k: base[k] + compute[k] + edge[k] + analytics[k] + identity[k] for k in base
    }
    made_up = sum(1 for r in ROWS if "made up" in r.variants(PROGRAM))
    assert made_up == 37 + 8 + 9 + 6 + 2


def test_an_override_is_never_a_pass_and_says_why():
    for row in ROWS:
        assert Status.PASS not in row.expect.values(), row.id
        assert not row.expect or row.note, row.id
        # Every source kind, or the live account alone (its account facts, or a decision on
        # what exists, which a program or a file always says).
        assert row.kinds in (KINDS, (LIVE,)), row.id


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_fixtures_declare_only_inputs_the_provider_knows(row):
    """A misspelt input would be read as "not set" and test nothing: every input of every row
    resource is one its pulumi_aws type declares (types no program declares are skipped)."""
    for res in row.resources:
        declarable = input_names(res.type)
        if declarable is None:
            continue
        assert set(res.inputs) <= declarable, (res.name, sorted(set(res.inputs) - declarable))


@pytest.mark.parametrize("check_id", [c.id for c in build_registry().account_checks])
def test_account_checks_on_an_unread_account(check_id, registry):
    """Nothing could be read: every type the check reads is a gap, and no resource was seen."""
    check = registry.get(check_id)
    inventory = Inventory([], gaps={t: GAP_REASON for t in check.reads})
    found = [f for f in evaluate(inventory, registry).findings if f.check.id == check_id]
    assert _statuses(found) == [Status.NOT_EVALUATED]
