"""Where CloudTrail's records go and whether the account has a trail at all: a logging,
multi-region, validated trail; a private, access-logged bucket; delivery to CloudWatch Logs
(controls LOG-01, LOG-03, LOG-04)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.buckets import logging_targets
from checks.support.joins import resolve
from checks.support.props import blocks, flag, known
from checks.support.public_access import bucket_public_access
from checks.support.resource_types import BUCKET, TRAIL

CHECKS: list[Check] = []

# How long a trail may go without delivering to CloudWatch Logs (Prowler's
# cloudtrail_cloudwatch_logging_enabled allows the same day).
DELIVERY_WINDOW = dt.timedelta(hours=24)


def _records_management_events(trail: Resource) -> bool:
    classic = blocks(known(trail, "event_selectors"))
    advanced = blocks(known(trail, "advanced_event_selectors"))
    if advanced:
        return any(
            "Management" in (f.get("equals") or [])
            for s in advanced
            for f in blocks(s.get("field_selectors"))
            if f.get("field") == "eventCategory"
        )
    return not classic or any(flag(s.get("include_management_events", True)) for s in classic)


def _trail_gaps(trail: Resource) -> list[str]:
    """What keeps a trail from being the account's audit trail."""
    wanted = {
        "is_multi_region_trail": flag(known(trail, "is_multi_region_trail", False)),
        "enable_logging": flag(known(trail, "enable_logging", True)),
        "enable_log_file_validation": flag(known(trail, "enable_log_file_validation", False)),
        "management events": _records_management_events(trail),
    }
    return [name for name, ok in wanted.items() if not ok]


@check(
    into=CHECKS,
    id="cloudtrail_enabled_multi_region",
    control="LOG-01",
    title="A logging, multi-region CloudTrail trail with log file validation exists",
    severity=Severity.HIGH,
    config_rule="multi-region-cloudtrail-enabled",
    scope="account",
    baseline=True,
    reads=("aws:cloudtrail/trail:Trail",),
    remediation=(
        "Declare one aws.cloudtrail.Trail with is_multi_region_trail=True, "
        "enable_log_file_validation=True and management events (the default), or rely on an "
        "organization trail from the management account and record that as a waiver."
    ),
    pulumi_fix=(
        'aws.cloudtrail.Trail("audit", s3_bucket_name=audit_bucket.id,\n'
        "    is_multi_region_trail=True, enable_log_file_validation=True,\n"
        "    include_global_service_events=True, kms_key_id=trail_key.arn)"
    ),
)
def cloudtrail_enabled_multi_region(inv: Inventory) -> list[Result]:
    """Activity in the account is recorded, everywhere, in tamper-evident form (audit controls)."""
    if not len(inv):
        return []
    trails = {t.name: (t, _trail_gaps(t)) for t in inv.by_type(TRAIL)}
    good = [t for t, gaps in trails.values() if not gaps]
    if good:
        return [
            replace(
                passed("the account has a multi-region audit trail", trail=good[0].name),
                resource=good[0],
            )
        ]
    if not trails:
        return [failed("no CloudTrail trail is declared: API activity is not kept beyond 90 days")]
    gaps = {name: missing for name, (_, missing) in trails.items()}
    return [failed("no trail is multi-region, logging and validated", missing_by_trail=gaps)]


def _bucket_of(trail: Resource, inv: Inventory) -> Resource:
    name = known(trail, "s3_bucket_name")
    bucket = resolve(inv, name, (BUCKET,), f"s3_bucket_name of {trail.name}")
    if bucket is None:
        raise Undecidable(f"the trail bucket {name} is not in the inventory (another account?)")
    return bucket


@check(
    into=CHECKS,
    id="cloudtrail_bucket_private_and_logged",
    control="LOG-03",
    title="CloudTrail bucket blocks public access and is access-logged",
    severity=Severity.MEDIUM,
    resource_types=(TRAIL,),
    reads=(
        "aws:s3/bucketAcl:BucketAcl",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ),
    remediation=(
        "Give the trail's bucket a public access block with all four settings and an "
        "aws.s3.BucketLogging to a separate log bucket, so reads of the audit trail are recorded."
    ),
    pulumi_fix=(
        'aws.s3.BucketPublicAccessBlock("audit-pab", bucket=audit_bucket.id,\n'
        "    block_public_acls=True, block_public_policy=True,\n"
        "    ignore_public_acls=True, restrict_public_buckets=True)\n"
        'aws.s3.BucketLogging("audit-logging", bucket=audit_bucket.id,\n'
        "    target_bucket=access_log_bucket.id)"
    ),
)
def cloudtrail_bucket_private_and_logged(res: Resource, inv: Inventory) -> Result:
    """The audit trail itself is neither exposed nor read unobserved."""
    bucket = _bucket_of(res, inv)
    access = bucket_public_access(bucket, inv)
    logged = bool(logging_targets(bucket, inv))
    evidence: dict[str, Any] = {
        "bucket": bucket.name,
        "public_access_blocked": access.blocked,
        "access_logged": logged,
    }
    problems = [] if access.blocked else [access.reason]
    problems += [] if logged else ["server access logging is off"]
    if problems:
        return failed(f"trail bucket {bucket.name}: {'; '.join(problems)}", **evidence)
    return passed(f"trail bucket {bucket.name} is private and access-logged", **evidence)


@check(
    into=CHECKS,
    id="cloudtrail_cloudwatch_logs",
    control="LOG-04",
    title="CloudTrail delivers to CloudWatch Logs",
    severity=Severity.MEDIUM,
    config_rule="cloud-trail-cloud-watch-logs-enabled",
    resource_types=(TRAIL,),
    remediation=(
        "Set cloud_watch_logs_group_arn (the group ARN followed by ':*') and "
        "cloud_watch_logs_role_arn, so metric filters and alarms can watch the trail in near "
        "real time."
    ),
    pulumi_fix=(
        'aws.cloudtrail.Trail("audit", ...,\n'
        '    cloud_watch_logs_group_arn=trail_logs.arn.apply(lambda arn: f"{arn}:*"),\n'
        "    cloud_watch_logs_role_arn=trail_to_logs.arn)"
    ),
)
def cloudtrail_cloudwatch_logs(res: Resource, inv: Inventory) -> Result:
    """Security-relevant API calls can raise an alarm within minutes (log-in monitoring).

    A program, preview or state file can only say a log group is configured, and that is what
    passes there. The live account also says whether records arrive (`audit_time` and the
    delivery facts the collector keeps from GetTrailStatus), and there a configured group is not
    enough: a trail whose role was deleted keeps its group and delivers nothing. Live, a trail
    passes only when CloudTrail delivered to CloudWatch Logs at most 24 hours before the status
    was read; a last delivery older than that fails. With no delivery on record it fails when
    the trail started logging more than 24 hours before the read, or has never started; else
    (started since, or the start not given) a first delivery may still be due: NOT_EVALUATED.

    AWS keeps the last delivery error beside the last delivery time without saying which came
    later, so an error next to a delivery within 24 hours does not fail the trail (records did
    arrive): it stays in the evidence and the message, for a person to look at.
    """
    group = known(res, "cloud_watch_logs_group_arn")
    if not group:
        return failed(
            "the trail is not delivered to CloudWatch Logs", cloud_watch_logs_group_arn=None
        )
    audited = _time(res, "audit_time")
    if audited is None:  # no live facts: the configuration is all there is to judge
        return passed("the trail delivers to CloudWatch Logs", cloud_watch_logs_group_arn=group)
    return _delivery(res, str(group), audited)


def _time(res: Resource, key: str) -> dt.datetime | None:
    value = known(res, key)
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise Undecidable(f"the {key} of {res.name} is not a time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _delivery(res: Resource, group: str, audited: dt.datetime) -> Result:
    """The live verdict: when CloudTrail last delivered to `group`, measured to `audited`."""
    delivered = _time(res, "latest_cloud_watch_logs_delivery_time")
    error = known(res, "latest_cloud_watch_logs_delivery_error") or None
    evidence: dict[str, Any] = {
        "cloud_watch_logs_group_arn": group,
        "latest_cloud_watch_logs_delivery_time": delivered.isoformat() if delivered else None,
        "latest_cloud_watch_logs_delivery_error": error,
    }
    said = f" (last delivery error: {error})" if error else ""
    if delivered is not None:
        if audited - delivered <= DELIVERY_WINDOW:
            last = f"CloudTrail last delivered to CloudWatch Logs at {delivered.isoformat()}"
            return passed(last + said, **evidence)
        return failed(
            f"CloudTrail has not delivered to CloudWatch Logs since {delivered.isoformat()}, "
            f"more than 24 hours before the audit{said}",
            **evidence,
        )
    started = _time(res, "start_logging_time")
    if started is None and known(res, "enable_logging", True) is False:
        return failed(f"the trail has never logged: nothing reached CloudWatch Logs{said}",
                      **evidence)  # fmt: skip
    if started is None:
        raise Undecidable(
            f"no CloudWatch Logs delivery of {res.name} is on record and AWS gives no time it "
            "started logging: whether it delivers cannot be told yet"
        )
    if audited - started > DELIVERY_WINDOW:
        return failed(
            f"CloudTrail never delivered to CloudWatch Logs, and the trail started logging at "
            f"{started.isoformat()}, more than 24 hours before the audit{said}",
            **evidence,
        )
    raise Undecidable(
        f"no CloudWatch Logs delivery of {res.name} is on record yet: the trail started logging "
        f"at {started.isoformat()}, less than 24 hours before the audit, and a newly started "
        "trail may not have delivered yet"
    )
