"""Joins by reference (checks/support/joins.py) pinned on exact return values: which identifiers
name a resource, which resource a reference resolves to, the order and strictness of referrers,
and what a join counts as examined for the evaluator's coverage."""

from __future__ import annotations

import dataclasses

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Registry, Status, passed
from checks.support.joins import arn_of, audited_regions, names, referrers, resolve

BUCKET = "aws:s3/bucket:Bucket"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
TEMPLATE = build_registry().get("vpc_flow_logs_enabled")


def queue(logical: str, **props) -> Resource:
    return Resource(QUEUE, logical, props)


def test_names_include_the_name_properties():
    # joins x_names__mutmut_2
    res = Resource(BUCKET, "logical", {"bucket": "phys-bucket", "name": ""}, id="b-1", arn="arn:b")
    assert names(res) == {"b-1", "arn:b", "phys-bucket"}


def test_resolve_prefers_the_type_named_first_whatever_the_inventory_order():
    # joins x_resolve__mutmut_24/26/27
    topic = Resource(TOPIC, "t", {"name": "shared"})
    q = queue("q", name="shared")
    inv = Inventory([topic, q])
    assert resolve(inv, "shared", (QUEUE, TOPIC), "target") is q
    assert resolve(inv, "shared", (TOPIC, QUEUE), "target") is topic


def test_resolve_names_what_it_could_not_see():
    # joins x_resolve__mutmut_3
    with pytest.raises(Undecidable) as caught:
        resolve(Inventory([]), UNKNOWN, (QUEUE,), "queue_url of worker")
    assert str(caught.value) == "queue_url of worker is not known yet (computed at deployment)"


@pytest.mark.parametrize("ref", ["", 7, None])
def test_resolve_of_an_empty_or_non_text_reference_is_none_even_beside_a_gap(ref):
    # joins x_resolve__mutmut_6: no lookup, so a gap in the type cannot make it undecidable
    inv = Inventory([], gaps={QUEUE: "AccessDenied"})
    assert resolve(inv, ref, (QUEUE,), "queue") is None


def test_referrers_judge_only_the_seen_ones_by_default():
    # joins x_referrers__mutmut_1: `every` is off unless asked
    target = Resource(TOPIC, "alerts", {}, id="topic-1")
    seen, hidden = queue("a", topic="topic-1"), queue("b", topic=UNKNOWN)
    inv = Inventory([target, seen, hidden])
    assert referrers(inv, target, (QUEUE,), "topic") == [seen]
    with pytest.raises(Undecidable):
        referrers(inv, target, (QUEUE,), "topic", every=True)


def test_two_referrers_found_by_different_names_keep_the_inventory_order():
    # joins x_referrers__mutmut_22 ("z-id" sorts after "a-name", the first is still first)
    target = Resource(TOPIC, "alerts", {"name": "a-name"}, id="z-id")
    first, second = queue("first", topic="z-id"), queue("second", topic="a-name")
    inv = Inventory([target, first, second])
    assert referrers(inv, target, (QUEUE,), "topic") == [first, second]


def test_referrers_order_each_kind_of_referrer_by_its_own_positions():
    # joins x_referrers__mutmut_24: the position memo is kept per tuple of types
    target = Resource(TOPIC, "alerts", {"name": "a-name"}, id="z-id")
    q1, q2 = queue("q1", topic="z-id"), queue("q2", topic="a-name")
    b1 = Resource(BUCKET, "b1", {"topic": "z-id"})
    b2 = Resource(BUCKET, "b2", {"topic": "a-name"})
    inv = Inventory([target, q1, q2, b1, b2])
    assert referrers(inv, target, (QUEUE,), "topic") == [q1, q2]
    assert referrers(inv, target, (BUCKET,), "topic") == [b1, b2]


def probe(fn):
    chk = dataclasses.replace(
        TEMPLATE, id="probe_join", fn=fn, resource_types=(BUCKET,), reads=(QUEUE,)
    )
    return Registry([chk])


def test_a_resource_reached_by_resolve_counts_as_examined():
    # joins x_resolve__mutmut_28
    registry = probe(lambda res, inv: passed("ok", q=resolve(inv, "jobs", (QUEUE,), "q").name))
    result = evaluate(
        Inventory([Resource(BUCKET, "logs", {}), queue("jobs", name="jobs")]), registry
    )
    assert [(f.status, dict(f.evidence)) for f in result.findings] == [(Status.PASS, {"q": "jobs"})]
    assert result.uncovered_types == ()


def test_a_resource_reached_by_referrers_counts_as_examined():
    # joins x_referrers__mutmut_39
    registry = probe(lambda res, inv: passed("ok", n=len(referrers(inv, res, (QUEUE,), "bucket"))))
    inv = Inventory([Resource(BUCKET, "logs", {"bucket": "logs"}), queue("jobs", bucket="logs")])
    result = evaluate(inv, registry)
    assert [(f.status, dict(f.evidence)) for f in result.findings] == [(Status.PASS, {"n": 1})]
    assert result.uncovered_types == ()


def test_audited_regions_skip_empty_regions():
    # joins x_audited_regions__mutmut_2
    inv = Inventory(
        [
            Resource(BUCKET, "a", {}, region="us-east-1"),
            Resource(BUCKET, "b", {}, region=""),
            Resource(BUCKET, "c", {}),
        ]
    )
    assert audited_regions(inv) == ["us-east-1"]


@pytest.mark.parametrize("arn", ["", 17])
def test_an_empty_or_non_text_arn_is_not_known(arn):
    # joins x_arn_of__mutmut_8/9
    with pytest.raises(Undecidable) as caught:
        arn_of(Resource(QUEUE, "jobs", {"arn": arn}))
    assert str(caught.value) == "the ARN of jobs is not known yet"


def test_arn_of_falls_back_to_the_arn_the_source_knows():
    assert arn_of(Resource(QUEUE, "jobs", {}, arn="arn:aws:sqs:us-east-1:1:jobs")) == (
        "arn:aws:sqs:us-east-1:1:jobs"
    )
