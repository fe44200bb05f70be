"""WAFv2 web ACLs, their association with a resource, and their logging configuration.

Rule statements are mapped one kind at a time (managed rule groups, rate limits, IP sets, geo
matches, rule groups); a statement of another kind stays unread and so is reported unmapped.
"""

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

# Actions and override actions: input → WAF's name (each an object, often empty).
_ACTIONS = {
    "allow": "Allow",
    "block": "Block",
    "count": "Count",
    "captcha": "Captcha",
    "challenge": "Challenge",
    "none": "None",
}
# Redacted fields that are empty objects in WAF.
_FIELDS = {
    "query_string": "QueryString",
    "uri_path": "UriPath",
    "method": "Method",
    "body": "Body",
    "all_query_arguments": "AllQueryArguments",
}


def _choice(spec: Inputs) -> dict[str, Any]:
    """`{block: {}}` → `{"Block": {}}` (custom responses and headers are left unmapped)."""
    return {api: {} for key, api in _ACTIONS.items() if spec.get(key) is not None}


def _visibility(spec: Inputs) -> dict[str, Any]:
    return {
        "CloudWatchMetricsEnabled": spec.require("cloudwatch_metrics_enabled"),
        "MetricName": spec.require("metric_name"),
        "SampledRequestsEnabled": spec.require("sampled_requests_enabled"),
    }


def _statement(spec: Inputs) -> dict[str, Any]:
    out: dict[str, Any] = {}
    managed = spec.get("managed_rule_group_statement")
    if managed is not None:
        out["ManagedRuleGroupStatement"] = without_none(
            Name=managed.require("name"),
            VendorName=managed.require("vendor_name"),
            Version=managed.get("version"),
        )
    rate = spec.get("rate_based_statement")
    if rate is not None:
        out["RateBasedStatement"] = without_none(
            Limit=rate.require("limit"),
            AggregateKeyType=rate.get("aggregate_key_type"),
            EvaluationWindowSec=rate.get("evaluation_window_sec"),
        )
    ip_set = spec.get("ip_set_reference_statement")
    if ip_set is not None:
        out["IPSetReferenceStatement"] = {"ARN": ip_set.require("arn")}
    geo = spec.get("geo_match_statement")
    if geo is not None:
        out["GeoMatchStatement"] = {"CountryCodes": geo.plain("country_codes")}
    group = spec.get("rule_group_reference_statement")
    if group is not None:
        out["RuleGroupReferenceStatement"] = {"ARN": group.require("arn")}
    return out


def _rule(rule: Inputs) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Name": rule.require("name"),
        "Priority": rule.require("priority"),
        "Statement": _statement(rule.require("statement")),
        "VisibilityConfig": _visibility(rule.require("visibility_config")),
    }
    if "action" in rule:
        out["Action"] = _choice(rule["action"])
    if "override_action" in rule:
        out["OverrideAction"] = _choice(rule["override_action"])
    return out


def web_acl(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, max_length=128)
    made = clients("wafv2").create_web_acl(
        Name=name,
        Scope=inputs.require("scope"),
        DefaultAction=_choice(inputs.require("default_action")),
        VisibilityConfig=_visibility(inputs.require("visibility_config")),
        Rules=[_rule(r) for r in inputs.get("rules") or []],
        **without_none(Description=inputs.get("description")),
        Tags=tag_list(tags(inputs, target)),
    )["Summary"]
    return made["Id"], {
        "arn": made["ARN"],
        "name": name,
        "lock_token": made.get("LockToken"),
    }


def association(inputs: Inputs, target: Target, clients) -> Made:
    acl = inputs.require("web_acl_arn")
    resource = inputs.require("resource_arn")
    clients("wafv2").associate_web_acl(WebACLArn=acl, ResourceArn=resource)
    return f"{acl},{resource}", {}


def _redacted(field: Inputs) -> dict[str, Any]:
    out: dict[str, Any] = {api: {} for key, api in _FIELDS.items() if field.get(key) is not None}
    for key, api in (
        ("single_header", "SingleHeader"),
        ("single_query_argument", "SingleQueryArgument"),
    ):  # noqa: E501
        named = field.get(key)
        if named is not None:
            out[api] = {"Name": named.require("name")}
    return out


def logging(inputs: Inputs, target: Target, clients) -> Made:
    resource = inputs.require("resource_arn")
    config: dict[str, Any] = {
        "ResourceArn": resource,
        "LogDestinationConfigs": inputs.plain("log_destination_configs"),
    }
    redacted = [_redacted(f) for f in inputs.get("redacted_fields") or []]
    if redacted:
        config["RedactedFields"] = redacted
    clients("wafv2").put_logging_configuration(LoggingConfiguration=config)
    return resource, {}


CREATORS = {
    "aws:wafv2/webAcl:WebAcl": web_acl,
    "aws:wafv2/webAclAssociation:WebAclAssociation": association,
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": logging,
}
