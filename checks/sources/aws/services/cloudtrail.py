"""Live collectors: CloudTrail trails as `aws.cloudtrail.Trail` declares them, with whether each is
logging (`enable_logging`, from GetTrailStatus) and its classic or advanced event selectors.

GetTrailStatus also says what no program declares, kept on the trail under names that are not
pulumi_aws inputs (so no other source ever holds them): `audit_time`, when this audit asked for
the status; `latest_cloud_watch_logs_delivery_time` and `latest_cloud_watch_logs_delivery_error`,
the last time CloudTrail delivered to the trail's CloudWatch Logs group and the last error it met
doing so; `start_logging_time`, when the trail last started logging. Times are ISO 8601 in UTC,
None when AWS gives none (the emulator gives no CloudWatch Logs delivery time, ever).

A trail is read in its home region only: a multi-region trail also shows in every other region
(a "shadow" trail), and reading it there would count it once per region.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake_keys, tag_dict

TRAIL = "aws:cloudtrail/trail:Trail"

# pulumi_aws names the advanced selector's operators in the plural.
_SELECTOR_NAMES = {
    "StartsWith": "starts_withs",
    "EndsWith": "ends_withs",
    "NotStartsWith": "not_starts_withs",
    "NotEndsWith": "not_ends_withs",
}


def _iso(value: Any) -> str | None:
    """A time boto3 parsed, as ISO 8601 in UTC (one without a zone is taken as UTC)."""
    if not isinstance(value, dt.datetime):
        return None
    when = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).isoformat()


def status_facts(status: Mapping[str, Any], read_at: dt.datetime) -> dict[str, Any]:
    """What GetTrailStatus says of the trail's delivery to CloudWatch Logs, and when it said it."""
    return {
        "audit_time": read_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "latest_cloud_watch_logs_delivery_time": _iso(
            status.get("LatestCloudWatchLogsDeliveryTime")
        ),
        "latest_cloud_watch_logs_delivery_error": status.get("LatestCloudWatchLogsDeliveryError")
        or None,
        "start_logging_time": _iso(status.get("StartLoggingTime")),
    }


def trail_props(
    trail: Mapping[str, Any],
    status: Mapping[str, Any],
    selectors: Mapping[str, Any],
    tags: dict[str, Any],
    read_at: dt.datetime,
) -> dict[str, Any]:
    props = present(
        {
            "name": trail["Name"],
            "s3_bucket_name": trail.get("S3BucketName"),
            "s3_key_prefix": trail.get("S3KeyPrefix"),
            "sns_topic_name": trail.get("SnsTopicName"),
            "include_global_service_events": trail.get("IncludeGlobalServiceEvents"),
            "is_multi_region_trail": trail.get("IsMultiRegionTrail"),
            "is_organization_trail": trail.get("IsOrganizationTrail"),
            "enable_log_file_validation": trail.get("LogFileValidationEnabled"),
            "cloud_watch_logs_group_arn": trail.get("CloudWatchLogsLogGroupArn"),
            "cloud_watch_logs_role_arn": trail.get("CloudWatchLogsRoleArn"),
            "kms_key_id": trail.get("KmsKeyId"),
        }
    )
    # Checks take an absent `enable_logging` for the provider's default (on): it must be real.
    props["enable_logging"] = bool(status["IsLogging"])
    props.update(status_facts(status, read_at))
    props["event_selectors"] = snake_keys(selectors.get("EventSelectors") or [])
    props["advanced_event_selectors"] = snake_keys(
        selectors.get("AdvancedEventSelectors") or [], _SELECTOR_NAMES
    )
    props["tags"] = tags
    return props


def _trails(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (TRAIL,), "trail") as missed:
        for trail in ctx.pages(client, "DescribeTrails", "trailList", includeShadowTrails=False):
            if trail.get("HomeRegion", ctx.region) != ctx.region:
                continue
            arn = trail["TrailARN"]
            with missed.of(trail["Name"]):
                read_at = dt.datetime.now(dt.UTC)
                status = ctx.call(client, "GetTrailStatus", Name=arn)
                selectors = ctx.call(client, "GetEventSelectors", TrailName=arn)
                tags = {
                    k: v
                    for found in ctx.pages(
                        client, "ListTags", "ResourceTagList", ResourceIdList=[arn]
                    )
                    for k, v in tag_dict(found.get("TagsList")).items()
                }
                props = trail_props(trail, status, selectors, tags, read_at)
                yield ctx.resource(TRAIL, trail["Name"], props, id=arn, arn=arn)


COLLECTORS: list[Collector] = [
    Collector(
        "cloudtrail",
        (TRAIL,),
        (
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetEventSelectors",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:ListTags",
        ),
        _trails,
    )
]
