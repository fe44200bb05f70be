"""CloudWatch Logs checks: KMS, retention (six years for CloudTrail's group) and alarm actions.
(The CIS security-event metric filters: test_checks_logs_security_events.py.)"""

from __future__ import annotations

import dataclasses

import pytest

from checks.aws.alarms import cloudwatch_alarm_has_action
from checks.aws.logs import log_group_kms_encrypted, log_group_retention
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

TRAIL_GROUP_ARN = "arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail:*"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def group(name: str = "app", **props) -> Resource:
    return Resource("aws:cloudwatch/logGroup:LogGroup", name, {"name": name, **props}, id=name)


def trail(arn=TRAIL_GROUP_ARN) -> Resource:
    return Resource(
        "aws:cloudtrail/trail:Trail",
        "audit",
        {"s3_bucket_name": "audit", "cloud_watch_logs_group_arn": arn},
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


def verdict(result) -> tuple:
    return result.status, dict(result.evidence)


# -- log_group_kms_encrypted -----------------------------------------------------------------------


@pytest.mark.parametrize("key", [KEY, "alias/logs"])
def test_log_group_with_a_kms_key_passes(key):
    result = run(log_group_kms_encrypted, group(kms_key_id=key))
    assert verdict(result) == (Status.PASS, {"kms_key_id": key})


@pytest.mark.parametrize("props", [{}, {"kms_key_id": None}, {"kms_key_id": ""}])
def test_log_group_without_a_kms_key_fails(props):
    result = run(log_group_kms_encrypted, group(**props))
    assert verdict(result) == (Status.FAIL, {"kms_key_id": None})


@pytest.mark.parametrize("key", [UNKNOWN, SECRET, MadeUp(KEY)])
def test_log_group_key_that_cannot_be_seen_is_undecidable(key):
    with pytest.raises(Undecidable, match="kms_key_id of app"):
        run(log_group_kms_encrypted, group(kms_key_id=key))


def test_log_group_key_a_state_file_did_not_record_is_undecidable():
    unrecorded = dataclasses.replace(group(), source="state", recorded=frozenset({"name"}))
    with pytest.raises(Undecidable, match="not recorded"):
        run(log_group_kms_encrypted, unrecorded)


# -- log_group_retention ---------------------------------------------------------------------------


def retention(days, minimum=365, trail_name=None) -> dict:
    return {"retention_in_days": days, "minimum_days": minimum, "receives_trail": trail_name}


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, Status.FAIL),
        (30, Status.FAIL),
        (364, Status.FAIL),
        (365, Status.PASS),
        (366, Status.PASS),
        (3653, Status.PASS),
    ],
)
def test_retention_of_an_application_group_needs_a_year(days, expected):
    result = run(log_group_retention, group(retention_in_days=days))
    assert verdict(result) == (expected, retention(days))


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (365, Status.FAIL),
        (2189, Status.FAIL),
        (2190, Status.PASS),
        (2191, Status.PASS),
        (2192, Status.PASS),
    ],
)
def test_retention_of_the_cloudtrail_group_needs_six_years(days, expected):
    result = run(log_group_retention, group("cloudtrail", retention_in_days=days), trail())
    assert verdict(result) == (expected, retention(days, 2190, "audit"))


@pytest.mark.parametrize("props", [{}, {"retention_in_days": 0}, {"retention_in_days": None}])
def test_never_expiring_group_passes_explicitly(props):
    result = run(log_group_retention, group(**props))
    assert verdict(result) == (Status.PASS, retention(0))
    assert "never expire" in result.message
    with_trail = run(log_group_retention, group("cloudtrail", **props), trail())
    assert verdict(with_trail) == (Status.PASS, retention(0, 2190, "audit"))


def test_the_trail_group_is_matched_by_name_id_or_resource_name():
    by_id = Resource(
        "aws:cloudwatch/logGroup:LogGroup",
        "trail-logs",
        {"retention_in_days": 400},
        id="cloudtrail",
    )
    by_resource_name = Resource(
        "aws:cloudwatch/logGroup:LogGroup", "cloudtrail", {"retention_in_days": 400}
    )
    for target in (by_id, by_resource_name):
        assert verdict(run(log_group_retention, target, trail())) == (
            Status.FAIL,
            retention(400, 2190, "audit"),
        )


def test_a_trail_into_another_group_leaves_the_application_bar():
    other = trail("arn:aws:logs:us-east-1:111122223333:log-group:other-trail-logs")
    result = run(log_group_retention, group("cloudtrail", retention_in_days=400), other)
    assert verdict(result) == (Status.PASS, retention(400))


@pytest.mark.parametrize("days", [UNKNOWN, SECRET, MadeUp(365)])
def test_retention_that_cannot_be_seen_is_undecidable(days):
    with pytest.raises(Undecidable, match="retention_in_days of app"):
        run(log_group_retention, group(retention_in_days=days))


def test_a_trail_whose_log_group_is_not_known_yet_is_undecidable():
    with pytest.raises(Undecidable, match="the log group of audit"):
        run(log_group_retention, group(retention_in_days=400), trail(UNKNOWN))


# -- cloudwatch_alarm_has_action -------------------------------------------------------------------


def alarm(metric: str = "RootUse", **props) -> Resource:
    return Resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        metric,
        {"metric_name": metric, "namespace": "CIS", "alarm_actions": ["arn:sns"], **props},
    )


@pytest.mark.parametrize(
    "props",
    [{}, {"actions_enabled": True}, {"actions_enabled": "true"}],
    ids=["default", "enabled", "enabled-string"],
)
def test_an_alarm_with_an_enabled_action_passes(props):
    result = run(cloudwatch_alarm_has_action, alarm(**props))
    assert verdict(result) == (Status.PASS, {"alarm_actions": ["arn:sns"]})
    assert result.message == "the alarm notifies 1 target(s)"


def test_an_alarm_with_two_actions_names_both():
    result = run(cloudwatch_alarm_has_action, alarm(alarm_actions=["arn:sns", "arn:pager"]))
    assert verdict(result) == (Status.PASS, {"alarm_actions": ["arn:sns", "arn:pager"]})


@pytest.mark.parametrize(
    ("props", "actions"),
    [
        ({"actions_enabled": False}, ["arn:sns"]),
        ({"actions_enabled": "false"}, ["arn:sns"]),
        ({"alarm_actions": []}, []),
        ({"alarm_actions": None}, []),
        ({"alarm_actions": [], "actions_enabled": True}, []),
        ({"alarm_actions": [], "actions_enabled": False}, []),
    ],
    ids=[
        "disabled",
        "disabled-string",
        "no-action",
        "null-actions",
        "enabled-no-action",
        "neither",
    ],
)
def test_an_alarm_that_tells_nobody_fails(props, actions):
    result = run(cloudwatch_alarm_has_action, alarm(**props))
    assert verdict(result) == (Status.FAIL, {"alarm_actions": actions})


@pytest.mark.parametrize(
    "props",
    [{"alarm_actions": UNKNOWN}, {"actions_enabled": UNKNOWN}, {"alarm_actions": [MadeUp("a")]}],
)
def test_alarm_actions_that_cannot_be_seen_are_undecidable(props):
    with pytest.raises(Undecidable):
        run(cloudwatch_alarm_has_action, alarm(**props))


def test_the_trail_group_is_matched_by_its_name_before_its_id():
    named = Resource(
        "aws:cloudwatch/logGroup:LogGroup",
        "trail-logs",
        {"name": "cloudtrail", "retention_in_days": 400},
        id="lg-0abc",
    )
    result = run(log_group_retention, named, trail())
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "logs are kept 400 days, less than 2190",
        retention(400, 2190, "audit"),
    )
