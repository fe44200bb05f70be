"""WAFv2 checks: internet-facing ALBs behind a web ACL with rules, and web ACL logging."""

from __future__ import annotations

import pytest

from checks.aws.waf import alb_waf_attached, waf_logging_enabled
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/1"
ACL_ARN = "arn:aws:wafv2:us-east-1:1:regional/webacl/web/1"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"


def alb(**props) -> Resource:
    return Resource("aws:lb/loadBalancer:LoadBalancer", "web", props, arn=ALB_ARN)


def web_acl(**props) -> Resource:
    return Resource(
        "aws:wafv2/webAcl:WebAcl", "web-acl", {"scope": "REGIONAL", **props}, arn=ACL_ARN
    )


def association(acl_arn=ACL_ARN, resource_arn=ALB_ARN) -> Resource:
    return Resource(
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "web-waf",
        {"resource_arn": resource_arn, "web_acl_arn": acl_arn},
    )


def rule_resource(name: str, acl_arn=ACL_ARN) -> Resource:
    return Resource("aws:wafv2/webAclRule:WebAclRule", name, {"web_acl_arn": acl_arn})


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- alb_waf_attached ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("acl_props", "extra", "rules"),
    [
        ({"rules": [{"name": "common", "priority": 1}]}, (), 1),  # one rule: the boundary
        ({"rules": [{"name": "common"}, {"name": "sqli"}]}, (), 2),
        ({"rule_json": '[{"Name": "common"}]'}, (), 1),
        ({}, (rule_resource("common"),), 1),
        ({"rules": [{"name": "a"}], "rule_json": '[{"Name": "b"}]'}, (rule_resource("c"),), 3),
    ],
)
def test_public_alb_behind_a_web_acl_with_rules_passes(acl_props, extra, rules):
    result = run(alb_waf_attached, alb(), association(), web_acl(**acl_props), *extra)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"web_acl": "web-acl", "rules": rules},
    )


@pytest.mark.parametrize(
    ("acl_props", "extra"),
    [
        ({}, ()),  # zero rules: just below
        ({"rules": []}, ()),
        ({"rule_json": ""}, ()),
        ({}, (rule_resource("elsewhere", "arn:aws:wafv2:us-east-1:1:regional/webacl/other/2"),)),
    ],
)
def test_public_alb_behind_an_empty_web_acl_fails(acl_props, extra):
    result = run(alb_waf_attached, alb(), association(), web_acl(**acl_props), *extra)
    assert (result.status, result.evidence) == (Status.FAIL, {"web_acl": "web-acl", "rules": 0})


def test_a_web_acl_whose_rule_json_lists_no_rules_has_no_rules():
    result = run(alb_waf_attached, alb(), association(), web_acl(rule_json="[]"))
    assert (result.status, result.evidence) == (Status.FAIL, {"web_acl": "web-acl", "rules": 0})


def test_a_web_acl_counts_each_rule_its_rule_json_lists():
    rules = '[{"Name": "a"}, {"Name": "b"}]'
    result = run(alb_waf_attached, alb(), association(), web_acl(rule_json=rules))
    assert (result.status, result.evidence) == (Status.PASS, {"web_acl": "web-acl", "rules": 2})


@pytest.mark.parametrize("text", ["not json", '{"Name": "a"}'])
def test_a_web_acl_whose_rule_json_is_not_a_list_is_undecidable(text):
    with pytest.raises(Undecidable):
        run(alb_waf_attached, alb(), association(), web_acl(rule_json=text))


@pytest.mark.parametrize("props", [{}, {"internal": False}, {"load_balancer_type": "application"}])
def test_public_alb_without_a_web_acl_fails(props):
    other_lb = association(
        resource_arn="arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/2"
    )
    result = run(alb_waf_attached, alb(**props), other_lb, web_acl(rules=[{"name": "r"}]))
    assert (result.status, result.evidence) == (Status.FAIL, {"web_acl": None})


@pytest.mark.parametrize(
    "props",
    [{"internal": True}, {"load_balancer_type": "network"}, {"load_balancer_type": "gateway"}],
)
def test_internal_or_non_application_load_balancers_need_no_waf(props):
    result = run(alb_waf_attached, alb(**props))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})


def test_waf_attachment_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="not in the inventory"):
        run(alb_waf_attached, alb(), association("arn:aws:wafv2:us-east-1:1:regional/webacl/fms/9"))
    with pytest.raises(Undecidable, match="internal of web"):
        run(alb_waf_attached, alb(internal=UNKNOWN))
    with pytest.raises(Undecidable, match="resource_arn"):
        run(alb_waf_attached, alb(), association(resource_arn=UNKNOWN), web_acl())
    with pytest.raises(Undecidable, match="rules of web-acl"):
        run(alb_waf_attached, alb(), association(), web_acl(rules=UNKNOWN))


# -- waf_logging_enabled ---------------------------------------------------------------------------


def logging_config(name="waf-logs", resource_arn=ACL_ARN) -> Resource:
    return Resource(
        LOGGING,
        name,
        {"resource_arn": resource_arn, "log_destination_configs": ["arn:aws:logs:::aws-waf-logs"]},
    )


def test_web_acl_with_a_logging_configuration_passes():
    result = run(waf_logging_enabled, web_acl(), logging_config())
    assert (result.status, result.evidence) == (Status.PASS, {"logging": ["waf-logs"]})


def test_web_acl_logging_names_every_configuration_of_this_acl_only():
    other = logging_config("other-logs", "arn:aws:wafv2:us-east-1:1:regional/webacl/other/2")
    result = run(waf_logging_enabled, web_acl(), logging_config("a"), other, logging_config("b"))
    assert (result.status, result.evidence) == (Status.PASS, {"logging": ["a", "b"]})


def test_web_acl_without_logging_fails():
    other = logging_config("other-logs", "arn:aws:wafv2:us-east-1:1:regional/webacl/other/2")
    for others in ((), (other,)):
        result = run(waf_logging_enabled, web_acl(), *others)
        assert (result.status, result.evidence) == (Status.FAIL, {"logging": []})


def test_web_acl_logging_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="resource_arn of waf-logs"):
        run(waf_logging_enabled, web_acl(), logging_config(resource_arn=UNKNOWN))
    gapped = Inventory([web_acl()], gaps={LOGGING: "AccessDenied on ListLoggingConfigurations"})
    with pytest.raises(Undecidable, match="ListLoggingConfigurations"):
        waf_logging_enabled(web_acl(), gapped)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "rule_json of web-acl is not JSON"),
        ('{"Name": "a"}', "rule_json of web-acl is not a list of rules"),
    ],
)
def test_rule_json_that_cannot_be_read_says_why(text, reason):
    with pytest.raises(Undecidable) as caught:
        run(alb_waf_attached, alb(), association(), web_acl(rule_json=text))
    assert str(caught.value) == reason
