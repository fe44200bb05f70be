"""Load balancer and WAF checks."""

from __future__ import annotations

import pytest

from checks.aws.elb import (
    alb_drop_invalid_headers,
    lb_access_logs,
    lb_deletion_protection,
    lb_listener_tls,
)
from checks.aws.waf import alb_waf_attached, waf_logging_enabled
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/1"
ACL_ARN = "arn:aws:wafv2:us-east-1:1:regional/webacl/web/1"


def listener(**props) -> Resource:
    return Resource("aws:lb/listener:Listener", "https", {"load_balancer_arn": ALB_ARN, **props})


def alb(**props) -> Resource:
    return Resource("aws:lb/loadBalancer:LoadBalancer", "web", props, arn=ALB_ARN)


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- lb_listener_tls -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    ],
)
def test_https_listener_with_a_tls12_policy_passes(policy):
    result = run(lb_listener_tls, listener(protocol="HTTPS", ssl_policy=policy))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"protocol": "HTTPS", "ssl_policy": policy},
    )


@pytest.mark.parametrize(
    "policy", [None, "ELBSecurityPolicy-TLS13-1-1-2021-06", "ELBSecurityPolicy-2016-08"]
)
def test_default_or_old_tls_policy_fails(policy):
    props = {"protocol": "HTTPS", **({"ssl_policy": policy} if policy else {})}
    result = run(lb_listener_tls, listener(**props))
    assert result.status is Status.FAIL
    assert result.evidence["ssl_policy"] == (policy or "ELBSecurityPolicy-2016-08")


def test_http_listener_must_redirect_to_https():
    redirect = [
        {
            "type": "redirect",
            "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
        }
    ]
    assert (
        run(lb_listener_tls, listener(protocol="HTTP", default_actions=redirect)).status
        is Status.PASS
    )
    forward = [{"type": "forward", "target_group_arn": "tg"}]
    assert (
        run(lb_listener_tls, listener(protocol="HTTP", default_actions=forward)).status
        is Status.FAIL
    )


def test_tcp_pass_through_is_not_applicable_and_classic_plain_listener_fails():
    assert run(lb_listener_tls, listener(protocol="TCP")).status is Status.NOT_APPLICABLE
    classic = Resource(
        "aws:elb/loadBalancer:LoadBalancer",
        "old",
        {"listeners": [{"lb_protocol": "http", "lb_port": 80}]},
    )
    result = run(lb_listener_tls, classic)
    assert (result.status, result.evidence) == (Status.FAIL, {"plain_listeners": ["http:80"]})
    with pytest.raises(Undecidable):
        run(lb_listener_tls, listener(protocol="HTTPS", ssl_policy=UNKNOWN))


# -- access logs, deletion protection, headers -----------------------------------------------------


def test_access_logs_enabled_passes_and_bucket_without_enabled_fails():
    ok = run(lb_access_logs, alb(access_logs={"bucket": "lb-logs", "enabled": True}))
    assert (ok.status, ok.evidence) == (Status.PASS, {"bucket": "lb-logs"})
    assert run(lb_access_logs, alb(access_logs={"bucket": "lb-logs"})).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(lb_access_logs, alb(access_logs=UNKNOWN))


def test_deletion_protection_and_header_dropping():
    assert run(lb_deletion_protection, alb(enable_deletion_protection=True)).status is Status.PASS
    assert run(lb_deletion_protection, alb()).evidence == {"enable_deletion_protection": False}
    assert run(alb_drop_invalid_headers, alb(drop_invalid_header_fields=True)).status is Status.PASS
    assert run(alb_drop_invalid_headers, alb()).status is Status.FAIL
    nlb = alb(load_balancer_type="network")
    assert run(alb_drop_invalid_headers, nlb).status is Status.NOT_APPLICABLE


# -- WAF -------------------------------------------------------------------------------------------


def web_acl(**props) -> Resource:
    return Resource(
        "aws:wafv2/webAcl:WebAcl", "web-acl", {"scope": "REGIONAL", **props}, arn=ACL_ARN
    )


def association(acl_arn=ACL_ARN) -> Resource:
    return Resource(
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "web-waf",
        {"resource_arn": ALB_ARN, "web_acl_arn": acl_arn},
    )


def test_public_alb_behind_a_web_acl_with_rules_passes():
    acl = web_acl(rules=[{"name": "common", "priority": 1}])
    result = run(alb_waf_attached, alb(), association(), acl)
    assert (result.status, result.evidence) == (Status.PASS, {"web_acl": "web-acl", "rules": 1})


def test_public_alb_without_waf_or_with_an_empty_acl_fails():
    assert run(alb_waf_attached, alb()).status is Status.FAIL
    assert run(alb_waf_attached, alb(), association(), web_acl()).status is Status.FAIL


def test_internal_alb_needs_no_waf_and_unseen_acl_is_undecidable():
    assert run(alb_waf_attached, alb(internal=True)).status is Status.NOT_APPLICABLE
    with pytest.raises(Undecidable, match="not in the inventory"):
        run(alb_waf_attached, alb(), association("arn:aws:wafv2:us-east-1:1:regional/webacl/fms/9"))


def test_waf_logging():
    config = Resource(
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "waf-logs",
        {"resource_arn": ACL_ARN, "log_destination_configs": ["arn:logs"]},
    )
    ok = run(waf_logging_enabled, web_acl(), config)
    assert (ok.status, ok.evidence) == (Status.PASS, {"logging": ["waf-logs"]})
    assert run(waf_logging_enabled, web_acl()).status is Status.FAIL


def test_listener_without_a_protocol_takes_its_load_balancers_default():
    bare = listener(default_actions=[{"type": "forward", "target_group_arn": "tg"}])
    assert run(lb_listener_tls, bare, alb()).evidence["protocol"] == "HTTP"
    gateway = alb(load_balancer_type="gateway")
    assert run(lb_listener_tls, bare, gateway).status is Status.NOT_APPLICABLE
    with pytest.raises(Undecidable, match="load balancer is not known"):
        run(lb_listener_tls, bare)
