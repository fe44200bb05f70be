"""The evaluator (checks/evaluate.py) pinned finding by finding: what a crashing check, a check
that swallowed an undecidable read, an account check and a partly collected type turn into, how
findings are ordered, and what run_check and Evaluation.count return."""

from __future__ import annotations

import dataclasses

import pytest

from checks.evaluate import Evaluation, Finding, account_scope, evaluate, run_check
from checks.library import build_registry
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Check, Registry, Result, Status, failed, passed

BUCKET = "aws:s3/bucket:Bucket"
QUEUE = "aws:sqs/queue:Queue"
LIBRARY = build_registry()
RESOURCE_TEMPLATE = LIBRARY.get("vpc_flow_logs_enabled")
ACCOUNT_TEMPLATE = LIBRARY.account_checks[0]


def resource_check(fn, types=(BUCKET,)) -> Check:
    return dataclasses.replace(
        RESOURCE_TEMPLATE, id="probe_resource", fn=fn, resource_types=types, reads=()
    )


def account_check(fn, reads=()) -> Check:
    return dataclasses.replace(
        ACCOUNT_TEMPLATE, id="probe_account", fn=fn, resource_types=(), reads=reads
    )


def bucket(name: str = "logs", **props) -> Resource:
    return Resource(BUCKET, name, props, account="123456789012", region="us-east-1")


SCOPE = "account:123456789012:us-east-1"


# -- a check that crashes (_guarded) -----------------------------------------------------------


def test_a_crashing_check_is_not_evaluated_with_the_exception_named():
    # evaluate x__guarded__mutmut_18-33
    def crash(res, inv):
        raise RuntimeError("boom")

    chk, res = resource_check(crash), bucket()
    assert run_check(chk, Inventory([res]), res) == [
        Finding(chk, Status.NOT_EVALUATED, "the check could not run: RuntimeError: boom", {}, res)
    ]


def test_a_crash_message_is_scrubbed_of_the_secret_the_check_was_shown():
    # evaluate x__guarded__mutmut_30/31
    from checks.values import Secret

    def crash(res, inv):
        raise RuntimeError(f"cannot parse {res.value('token')}")

    chk, res = resource_check(crash), bucket(token=Secret("hunter2-plain"))
    [finding] = run_check(chk, Inventory([res]), res)
    assert (finding.status, finding.message) == (
        Status.NOT_EVALUATED,
        "the check could not run: RuntimeError: cannot parse [secret]",
    )


# -- a check that swallowed an undecidable read ------------------------------------------------


def swallowing(status_fn):
    def fn(res, inv):
        try:
            res.value("versioning")
        except Undecidable as why:
            return status_fn("decided anyway", swallowed=str(why))
        return status_fn("read it", swallowed="")

    return fn


def test_a_pass_after_an_undecidable_read_is_not_evaluated():
    # evaluate x__guarded__mutmut_46-60
    chk, res = resource_check(swallowing(passed)), bucket(versioning=UNKNOWN)
    why = (
        "the check read a value it cannot decide on: "
        "versioning of logs is not known yet (computed at deployment)"
    )
    assert run_check(chk, Inventory([res]), res) == [
        Finding(chk, Status.NOT_EVALUATED, why, {}, res)
    ]


def test_a_fail_after_an_undecidable_read_stays_a_fail():
    # evaluate x__guarded__mutmut_46
    chk, res = resource_check(swallowing(failed)), bucket(versioning=UNKNOWN)
    [finding] = run_check(chk, Inventory([res]), res)
    assert (finding.status, dict(finding.evidence)) == (
        Status.FAIL,
        {"swallowed": "versioning of logs is not known yet (computed at deployment)"},
    )


def test_every_result_of_an_account_check_that_swallowed_a_read_is_not_evaluated():
    # evaluate x__guarded__mutmut_61 (continue, not break), mutmut_48 (the first reason)
    def fn(inv):
        reasons = []
        for res in inv.by_type(BUCKET):
            try:
                res.value("versioning")
            except Undecidable as why:
                reasons.append(str(why))
        return [Result(Status.PASS, "fine", {"n": len(reasons)}, r) for r in inv.by_type(BUCKET)]

    a, b = bucket("a", versioning=UNKNOWN), bucket("b", versioning=UNKNOWN)
    chk = account_check(fn)
    found = run_check(chk, Inventory([a, b]))
    why = (
        "the check read a value it cannot decide on: "
        "versioning of a is not known yet (computed at deployment)"
    )
    assert found == [
        Finding(chk, Status.NOT_EVALUATED, why, {}, a),
        Finding(chk, Status.NOT_EVALUATED, why, {}, b),
    ]


# -- account checks (_run_account_check, run_check) --------------------------------------------


def test_an_account_finding_naming_a_resource_keeps_it_and_gets_no_scope():
    # evaluate x__guarded__mutmut_43, x__run_account_check__mutmut_4; run_check mutmut_2-7
    a = bucket("a")

    def fn(inv):
        return [
            Result(Status.FAIL, "named", {"k": 1}, a),
            Result(Status.PASS, "account-wide", {"k": 2}),
        ]

    chk = account_check(fn)
    assert run_check(chk, Inventory([a])) == [
        Finding(chk, Status.FAIL, "named", {"k": 1}, a),
        Finding(chk, Status.PASS, "account-wide", {"k": 2}, None, scope=SCOPE),
    ]


def test_an_account_check_with_nothing_to_say_about_a_gap_is_not_evaluated():
    # evaluate x__run_account_check__mutmut_25/31-33/39
    chk = account_check(lambda inv: [], reads=(QUEUE,))
    inv = Inventory([bucket()], gaps={QUEUE: "AccessDenied on ListQueues"})
    assert run_check(chk, inv) == [
        Finding(
            chk,
            Status.NOT_EVALUATED,
            f"{QUEUE} could not be collected: AccessDenied on ListQueues",
            {},
            None,
            scope=SCOPE,
        )
    ]


def test_a_resource_check_run_without_a_resource_is_refused_by_name():
    # evaluate x_run_check__mutmut_9
    with pytest.raises(ValueError) as caught:
        run_check(resource_check(lambda res, inv: passed("ok")), Inventory([]))
    assert str(caught.value) == "check probe_resource judges one resource: name it"


# -- the whole evaluation (evaluate, _unseen, Evaluation.count) --------------------------------


def test_resources_an_account_check_lists_count_as_covered():
    # evaluate x__run_account_check__mutmut_13/17, x_evaluate__mutmut_23/26
    chk = account_check(lambda inv: [passed("seen", n=len(inv.by_type(QUEUE)))])
    queue = Resource(QUEUE, "jobs", {})
    result = evaluate(Inventory([queue]), Registry([chk]))
    assert result.uncovered_types == ()
    assert [(f.status, dict(f.evidence)) for f in result.findings] == [(Status.PASS, {"n": 1})]
    assert evaluate(Inventory([queue]), Registry([])).uncovered_types == (QUEUE,)


def test_a_type_collected_only_in_part_adds_one_scoped_not_evaluated_finding():
    # evaluate x__unseen__mutmut_1/17/18/24; x_evaluate__mutmut_36 (the resource-less finding
    # of a check sorts before its resources' findings, whatever their addresses)
    chk = resource_check(lambda res, inv: passed("ok"))
    early = Resource(BUCKET, "early", {}, urn="A-first", account="123456789012")
    inv = Inventory([early, bucket()], gaps={BUCKET: "throttled"})
    findings = evaluate(inv, Registry([chk])).findings
    assert findings[0] == Finding(
        chk,
        Status.NOT_EVALUATED,
        f"{BUCKET} could not be collected: throttled",
        {},
        None,
        scope=SCOPE,
    )
    assert [f.resource.name for f in findings[1:]] == ["early", "logs"]


def test_findings_are_ordered_by_resource_address_within_a_check():
    # evaluate x_evaluate__mutmut_34
    chk = resource_check(lambda res, inv: passed("ok"))
    inv = Inventory([bucket("zeta"), bucket("alpha"), bucket("mid")])
    findings = evaluate(inv, Registry([chk])).findings
    assert [(f.resource.name, f.status) for f in findings] == [
        ("alpha", Status.PASS),
        ("mid", Status.PASS),
        ("zeta", Status.PASS),
    ]


def test_count_counts_findings_of_one_status():
    # evaluate xǁEvaluationǁcount__mutmut_1-3
    chk = resource_check(lambda res, inv: failed("bad") if res.name == "b" else passed("ok"))
    result = evaluate(Inventory([bucket("a"), bucket("b"), bucket("c")]), Registry([chk]))
    assert isinstance(result, Evaluation)
    assert (result.count(Status.PASS), result.count(Status.FAIL)) == (2, 1)
    assert result.count(Status.NOT_EVALUATED) == 0


def test_account_scope_reads_only_well_formed_accounts_and_regions():
    resources = [
        bucket("a"),
        Resource(BUCKET, "b", {}, account="", region=""),
        Resource(BUCKET, "c", {}, account="not-an-account", region="Mars"),
    ]
    assert account_scope(Inventory(resources)) == SCOPE
    assert account_scope(Inventory(resources[1:])) == "account:unknown:unknown"
