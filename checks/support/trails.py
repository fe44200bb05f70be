"""CloudTrail trails as other services' checks see them: whether a trail records a bucket's
object-level (data) events, and which log groups receive a trail."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource
from checks.support.props import blocks, flag, known, known_value
from checks.support.resource_types import TRAIL

S3_OBJECT = "AWS::S3::Object"
# Classic data resource values that mean "objects of every bucket" (any partition).
_ALL_BUCKETS = re.compile(r"^arn:[\w-]+:s3(:::)?/?$")
_LOG_GROUP_IN_ARN = re.compile(r":log-group:([^:]+)")


def _classic_covers(selector: Mapping[str, Any], bucket_arn: str) -> bool:
    values = [
        str(v)
        for resource in blocks(selector.get("data_resources"))
        if resource.get("type") == S3_OBJECT
        for v in resource.get("values") or []
    ]
    return any(_ALL_BUCKETS.match(v) or v.rstrip("/") == bucket_arn for v in values)


def _advanced_covers(selector: Mapping[str, Any], bucket_arn: str) -> bool:
    fields = {str(f.get("field")): f for f in blocks(selector.get("field_selectors"))}
    category, kind = fields.get("eventCategory", {}), fields.get("resources.type", {})
    if "Data" not in (category.get("equals") or []) or S3_OBJECT not in (kind.get("equals") or []):
        return False
    arn_field, objects = fields.get("resources.ARN"), f"{bucket_arn}/"
    if arn_field is None:
        return True
    if any(objects.startswith(str(p)) for p in arn_field.get("not_starts_withs") or []):
        return False
    includes = arn_field.get("starts_withs") or []
    return not includes or any(objects.startswith(str(p)) for p in includes)


def trail_logs_s3_objects(trail: Resource, bucket_arn: str) -> bool:
    """True when a logging trail records S3 object-level (data) events for the whole bucket."""
    if not flag(known(trail, "enable_logging", True)):
        return False
    classic = blocks(known(trail, "event_selectors"))
    advanced = blocks(known(trail, "advanced_event_selectors"))
    return any(_classic_covers(s, bucket_arn) for s in classic) or any(
        _advanced_covers(s, bucket_arn) for s in advanced
    )


def log_group_name_in(arn: Any) -> str | None:
    """The log group name inside a log group ARN (with or without the trailing ':*')."""
    match = _LOG_GROUP_IN_ARN.search(arn) if isinstance(arn, str) else None
    return match.group(1) if match else None


def trail_log_groups(inv: Inventory) -> dict[str, str]:
    """Log group name -> the trail that delivers into it."""
    found: dict[str, str] = {}
    for trail in inv.by_type(TRAIL):
        arn = known_value(
            trail.props.get("cloud_watch_logs_group_arn"), f"the log group of {trail.name}"
        )
        if name := log_group_name_in(arn):
            found[name] = trail.name
    return found
