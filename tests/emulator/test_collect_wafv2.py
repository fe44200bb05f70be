"""WAFv2, live: regional web ACLs with their rules and logging read as the program declares them;
the association with load balancers, which the emulator cannot list (a gap, NOT_EVALUATED, never
a guess); and the console change that stops the logging."""

from __future__ import annotations

import pytest

from checks.registry import Status
from checks.sources.aws import session
from checks.sources.aws.services import elb, wafv2
from checks.sources.aws.services.wafv2 import WEB_ACL, WEB_ACL_ASSOCIATION, WEB_ACL_LOGGING
from tests.emulator.gap_effects import BYSTANDER, hidden_checks
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"
VISIBILITY = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True}
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-web"


@pytest.fixture(autouse=True)
def _no_retries_of_what_the_emulator_lacks(monkeypatch):
    """moto answers 500 to ListResourcesForWebACL, which boto3 retries for half a minute."""
    monkeypatch.setattr(session, "_RETRIES", {"mode": "standard", "max_attempts": 1})


def _web_acls(aws) -> dict[str, str]:
    """web-acl: managed rules, logged. empty-acl: no rules, no logging."""
    waf = aws.client("wafv2")
    rules = [
        {
            "Name": "AWSManagedRulesCommonRuleSet",
            "Priority": 0,
            "OverrideAction": {"None": {}},
            "Statement": {
                "ManagedRuleGroupStatement": {
                    "VendorName": "AWS",
                    "Name": "AWSManagedRulesCommonRuleSet",
                }
            },
            "VisibilityConfig": {**VISIBILITY, "MetricName": "common"},
        },
        {
            "Name": "rate-limit-per-ip",
            "Priority": 1,
            "Action": {"Block": {}},
            "Statement": {"RateBasedStatement": {"Limit": 1000, "AggregateKeyType": "IP"}},
            "VisibilityConfig": {**VISIBILITY, "MetricName": "rate"},
        },
    ]
    arns = {}
    for name, acl_rules in (("web-acl", rules), ("empty-acl", [])):
        arns[name] = waf.create_web_acl(
            Name=name,
            Scope="REGIONAL",
            DefaultAction={"Allow": {}},
            Description=f"{name} in front of the billing ALB",
            Rules=acl_rules,
            VisibilityConfig={**VISIBILITY, "MetricName": name},
            Tags=[{"Key": "data-classification", "Value": "internal"}],
        )["Summary"]["ARN"]
    waf.put_logging_configuration(
        LoggingConfiguration={
            "ResourceArn": arns["web-acl"],
            "LogDestinationConfigs": [LOG_GROUP],
            "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}, {"QueryString": {}}],
        }
    )
    return arns


def _verdicts(evaluation, check_id: str) -> dict[str, Status]:
    return {
        f.resource.name: f.status
        for f in evaluation.findings
        if f.check.id == check_id and f.resource is not None
    }


def test_a_web_acl_and_its_logging_are_read_as_the_program_declares_them(aws):
    arns = _web_acls(aws)
    collected = collect(aws, wafv2.COLLECTORS)
    acls = {r.name: r for r in collected.resources if r.type == WEB_ACL}
    acl = acls["web-acl"]
    assert acl.arn == arns["web-acl"]
    assert {k: acl.props[k] for k in ("name", "scope", "default_action", "rules", "tags")} == {
        "name": "web-acl",
        "scope": "REGIONAL",
        "default_action": {"allow": {}},
        "rules": [{
            "name": "AWSManagedRulesCommonRuleSet",
            "priority": 0,
            "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {
                "vendor_name": "AWS", "name": "AWSManagedRulesCommonRuleSet"}},
            "visibility_config": {"sampled_requests_enabled": True,
                                  "cloudwatch_metrics_enabled": True, "metric_name": "common"},
        }, {
            "name": "rate-limit-per-ip",
            "priority": 1,
            "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": 1000, "aggregate_key_type": "IP"}},
            "visibility_config": {"sampled_requests_enabled": True,
                                  "cloudwatch_metrics_enabled": True, "metric_name": "rate"},
        }],
        "tags": {"data-classification": "internal"},
    }  # fmt: skip
    (logging,) = [r for r in collected.resources if r.type == WEB_ACL_LOGGING]
    assert dict(logging.props) == {
        "resource_arn": arns["web-acl"],
        "log_destination_configs": [LOG_GROUP],
        "redacted_fields": [{"single_header": {"name": "authorization"}}, {"query_string": {}}],
    }
    declared = program_resources("prod")
    for live in (acl, logging):
        program = next(r for r in declared if r.type == live.type)
        assert shape_differences(program.props, live.props) == [], live.type


def test_the_waf_logging_check_judges_the_live_web_acls(aws):
    _web_acls(aws)
    evaluation = audit(aws, wafv2.COLLECTORS)
    assert _verdicts(evaluation, "waf_logging_enabled") == {
        "web-acl": Status.PASS,
        "empty-acl": Status.FAIL,
    }


def test_deleting_the_logging_configuration_fails_the_web_acl(aws):
    arns = _web_acls(aws)
    aws.client("wafv2").delete_logging_configuration(ResourceArn=arns["web-acl"])
    evaluation = audit(aws, wafv2.COLLECTORS)
    assert _verdicts(evaluation, "waf_logging_enabled")["web-acl"] is Status.FAIL


def test_the_emulator_cannot_list_associations_so_the_waf_check_is_not_evaluated(aws):
    _web_acls(aws)
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    aws.client("elbv2").create_load_balancer(Name="web", Subnets=[subnet], Type="application")
    collected = collect(aws, [*wafv2.COLLECTORS, *elb.COLLECTORS])
    assert list(collected.gaps) == [WEB_ACL_ASSOCIATION]
    assert "does not implement ListResourcesForWebACL" in collected.gaps[WEB_ACL_ASSOCIATION]
    evaluation = audit(aws, [*wafv2.COLLECTORS, *elb.COLLECTORS])
    assert _verdicts(evaluation, "alb_waf_attached") == {"web": Status.NOT_EVALUATED}
    # The web ACLs' own checks are not affected.
    assert _verdicts(evaluation, "waf_logging_enabled")["web-acl"] is Status.PASS


def test_denied_logging_configurations_hide_the_logging_check_and_nothing_else(aws, monkeypatch):
    _web_acls(aws)
    before = audit(aws, wafv2.COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "wafv2", "ListLoggingConfigurations")
    after = audit(aws, wafv2.COLLECTORS, also=[BYSTANDER])
    reason = "access denied to ListLoggingConfigurations (AccessDenied)"
    assert hidden_checks(before, after, reason) == {"waf_logging_enabled"}
