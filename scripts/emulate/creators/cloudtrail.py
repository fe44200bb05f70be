"""CloudTrail trails: created, given their event selectors, and started (the provider starts
logging unless told not to)."""

from __future__ import annotations

from typing import Any

from scripts.emulate.creators.base import (
    Made,
    Target,
    physical_name,
    tag_list,
    tags,
    without_none,
)
from scripts.emulate.inputs import Inputs

_TRAIL = {
    "s3_bucket_name": "S3BucketName",
    "s3_key_prefix": "S3KeyPrefix",
    "sns_topic_name": "SnsTopicName",
    "include_global_service_events": "IncludeGlobalServiceEvents",
    "is_multi_region_trail": "IsMultiRegionTrail",
    "enable_log_file_validation": "EnableLogFileValidation",
    "cloud_watch_logs_group_arn": "CloudWatchLogsLogGroupArn",
    "cloud_watch_logs_role_arn": "CloudWatchLogsRoleArn",
    "kms_key_id": "KmsKeyId",
    "is_organization_trail": "IsOrganizationTrail",
}
_FIELD_SELECTOR = {
    "equals": "Equals",
    "starts_withs": "StartsWith",
    "ends_withs": "EndsWith",
    "not_equals": "NotEquals",
    "not_starts_withs": "NotStartsWith",
    "not_ends_withs": "NotEndsWith",
}


def _advanced(selector: Inputs) -> dict[str, Any]:
    fields = [
        {
            "Field": f.require("field"),
            **{api: f.plain(key) for key, api in _FIELD_SELECTOR.items() if key in f},
        }
        for f in selector.require("field_selectors")
    ]
    return without_none(Name=selector.get("name"), FieldSelectors=fields)


def _basic(selector: Inputs) -> dict[str, Any]:
    return without_none(
        ReadWriteType=selector.get("read_write_type"),
        IncludeManagementEvents=selector.get("include_management_events"),
        ExcludeManagementEventSources=selector.plain("exclude_management_event_sources"),
        DataResources=[
            {"Type": d.require("type"), "Values": d.plain("values")}
            for d in selector.get("data_resources") or []
        ]
        or None,
    )


def trail(inputs: Inputs, target: Target, clients) -> Made:
    cloudtrail = clients("cloudtrail")
    name = physical_name(inputs, target, max_length=128)
    made = cloudtrail.create_trail(
        Name=name,
        **{api: inputs[key] for key, api in _TRAIL.items() if key in inputs},
        TagsList=tag_list(tags(inputs, target)),
    )
    arn = made["TrailARN"]
    if "advanced_event_selectors" in inputs:
        cloudtrail.put_event_selectors(
            TrailName=name,
            AdvancedEventSelectors=[_advanced(s) for s in inputs["advanced_event_selectors"]],
        )
    elif "event_selectors" in inputs:
        cloudtrail.put_event_selectors(
            TrailName=name, EventSelectors=[_basic(s) for s in inputs["event_selectors"]]
        )
    insights = [
        {"InsightType": i.require("insight_type")} for i in inputs.get("insight_selectors") or []
    ]
    if insights:
        cloudtrail.put_insight_selectors(TrailName=name, InsightSelectors=insights)
    if inputs.get("enable_logging", True):
        cloudtrail.start_logging(Name=name)
    return arn, {"arn": arn, "name": name, "home_region": target.region}


CREATORS = {"aws:cloudtrail/trail:Trail": trail}
