"""Load balancer checks: listener TLS (and HTTP only to redirect), access logs, deletion
protection and invalid-header dropping. (WAF: test_checks_elb_waf.py.)"""

from __future__ import annotations

import pytest

from checks.aws.elb import (
    alb_drop_invalid_headers,
    lb_access_logs,
    lb_deletion_protection,
    lb_listener_tls,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/1"
REDIRECT = {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443",
                                              "status_code": "HTTP_301"}}  # fmt: skip
FORWARD = {"type": "forward", "target_group_arn": "tg"}


def listener(**props) -> Resource:
    return Resource("aws:lb/listener:Listener", "https", {"load_balancer_arn": ALB_ARN, **props})


def alb(**props) -> Resource:
    return Resource("aws:lb/loadBalancer:LoadBalancer", "web", props, arn=ALB_ARN)


def classic(*listeners: dict, **props) -> Resource:
    return Resource(
        "aws:elb/loadBalancer:LoadBalancer", "old", {"listeners": list(listeners), **props}
    )


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- lb_listener_tls: HTTPS and TLS listeners ------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",  # lowest TLS 1.2: the boundary
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    ],
)
@pytest.mark.parametrize("protocol", ["HTTPS", "TLS", "https"])
def test_tls_listener_with_a_tls12_policy_passes(protocol, policy):
    result = run(lb_listener_tls, listener(protocol=protocol, ssl_policy=policy))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"protocol": protocol.upper(), "ssl_policy": policy},
    )


@pytest.mark.parametrize(
    "policy",
    [
        "ELBSecurityPolicy-TLS13-1-1-2021-06",  # lowest TLS 1.1: just below
        "ELBSecurityPolicy-TLS13-1-0-2021-06",
        "ELBSecurityPolicy-TLS-1-1-2017-01",
        "ELBSecurityPolicy-FS-1-1-2019-08",
        "ELBSecurityPolicy-FS-2018-06",
        "ELBSecurityPolicy-2016-08",
    ],
)
def test_tls_listener_with_a_policy_allowing_older_tls_fails(policy):
    result = run(lb_listener_tls, listener(protocol="HTTPS", ssl_policy=policy))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"protocol": "HTTPS", "ssl_policy": policy},
    )


@pytest.mark.parametrize("props", [{}, {"ssl_policy": None}, {"ssl_policy": ""}])
def test_tls_listener_without_a_policy_gets_the_providers_tls10_default(props):
    result = run(lb_listener_tls, listener(protocol="TLS", **props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"protocol": "TLS", "ssl_policy": "ELBSecurityPolicy-2016-08"},
    )


# -- lb_listener_tls: HTTP listeners ---------------------------------------------------------------


@pytest.mark.parametrize(
    "actions",
    [
        [REDIRECT],
        REDIRECT,  # one block rather than a list
        # every redirect action goes to HTTPS
        [REDIRECT, {"type": "redirect", "redirect": {"protocol": "https"}}],
        # a redirect whose blocks include one to HTTPS
        [{"type": "redirect", "redirect": [{"protocol": "HTTP"}, {"protocol": "HTTPS"}]}],
    ],
)
def test_http_listener_that_only_redirects_to_https_passes(actions):
    result = run(lb_listener_tls, listener(protocol="HTTP", default_actions=actions))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"protocol": "HTTP", "ssl_policy": None},
    )


@pytest.mark.parametrize(
    "actions",
    [
        [FORWARD],
        [REDIRECT, FORWARD],  # a redirect beside a forward still serves plain text
        [FORWARD, REDIRECT],
        [{"type": "redirect", "redirect": {"protocol": "HTTP", "port": "8080"}}],
        [{"type": "redirect", "redirect": {"port": "8080"}}],  # keeps the request's protocol
        [{"type": "redirect"}],
        [{"type": "forward", "redirect": {"protocol": "HTTPS"}}],  # not a redirect action
        [],
    ],
)
def test_http_listener_serving_plain_text_fails(actions):
    result = run(lb_listener_tls, listener(protocol="HTTP", default_actions=actions))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"protocol": "HTTP", "ssl_policy": None},
    )


@pytest.mark.parametrize("protocol", ["TCP", "UDP", "TCP_UDP", "GENEVE"])
def test_pass_through_listener_is_not_applicable(protocol):
    result = run(lb_listener_tls, listener(protocol=protocol))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {"protocol": protocol})


def test_listener_without_a_protocol_takes_its_load_balancers_default():
    bare = listener(default_actions=[FORWARD])
    http = run(lb_listener_tls, bare, alb())
    assert (http.status, http.evidence) == (Status.FAIL, {"protocol": "HTTP", "ssl_policy": None})
    gateway = run(lb_listener_tls, bare, alb(load_balancer_type="gateway"))
    assert (gateway.status, gateway.evidence) == (Status.NOT_APPLICABLE, {"protocol": "GENEVE"})


def test_listener_settings_that_cannot_be_seen_are_not_evaluated():
    with pytest.raises(Undecidable, match="load balancer is not known"):
        run(lb_listener_tls, listener(default_actions=[FORWARD]))
    with pytest.raises(Undecidable, match="ssl_policy of https"):
        run(lb_listener_tls, listener(protocol="HTTPS", ssl_policy=UNKNOWN))
    with pytest.raises(Undecidable, match="default_actions of https"):
        run(lb_listener_tls, listener(protocol="HTTP", default_actions=UNKNOWN))
    with pytest.raises(Undecidable, match="protocol of https"):
        run(lb_listener_tls, listener(protocol=UNKNOWN))


# -- lb_listener_tls: classic load balancers -------------------------------------------------------


@pytest.mark.parametrize("protocols", [("HTTPS",), ("SSL",), ("https", "ssl")])
def test_classic_load_balancer_with_only_tls_listeners_passes(protocols):
    listeners = [{"lb_protocol": p, "lb_port": 443 + i} for i, p in enumerate(protocols)]
    result = run(lb_listener_tls, classic(*listeners))
    assert (result.status, result.evidence) == (Status.PASS, {"plain_listeners": []})


def test_classic_load_balancer_with_one_plain_listener_of_several_fails_naming_it():
    https, http = {"lb_protocol": "HTTPS", "lb_port": 443}, {"lb_protocol": "http", "lb_port": 80}
    result = run(lb_listener_tls, classic(https, http))
    assert (result.status, result.evidence) == (Status.FAIL, {"plain_listeners": ["http:80"]})


def test_classic_listeners_that_cannot_be_seen_are_not_evaluated():
    with pytest.raises(Undecidable, match="listeners of old"):
        run(
            lb_listener_tls,
            Resource("aws:elb/loadBalancer:LoadBalancer", "old", {"listeners": UNKNOWN}),
        )


# -- lb_access_logs -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [{}, {"load_balancer_type": "network"}])
def test_access_logs_enabled_to_a_bucket_pass(kind):
    result = run(lb_access_logs, alb(access_logs={"bucket": "lb-logs", "enabled": True}, **kind))
    assert (result.status, result.evidence) == (Status.PASS, {"bucket": "lb-logs"})


@pytest.mark.parametrize(
    "logs",
    [
        None,
        {"bucket": "lb-logs"},  # enabled defaults to false on ELBv2
        {"bucket": "lb-logs", "enabled": False},
        {"bucket": "", "enabled": True},  # enabled without a bucket
    ],
)
def test_access_logs_off_fail(logs):
    result = run(lb_access_logs, alb(access_logs=logs))
    assert (result.status, result.evidence) == (Status.FAIL, {"bucket": None})


def test_classic_access_logs_are_on_once_a_bucket_is_named():
    on = run(lb_access_logs, classic(access_logs={"bucket": "elb-logs"}))
    assert (on.status, on.evidence) == (Status.PASS, {"bucket": "elb-logs"})
    off = run(lb_access_logs, classic(access_logs={"bucket": "elb-logs", "enabled": False}))
    assert (off.status, off.evidence) == (Status.FAIL, {"bucket": None})


def test_gateway_load_balancer_has_no_access_logs():
    result = run(lb_access_logs, alb(load_balancer_type="gateway"))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})


def test_access_logs_that_cannot_be_seen_are_not_evaluated():
    with pytest.raises(Undecidable, match="access_logs of web"):
        run(lb_access_logs, alb(access_logs=UNKNOWN))


# -- lb_deletion_protection -----------------------------------------------------------------------


def test_deletion_protection_on_passes():
    result = run(lb_deletion_protection, alb(enable_deletion_protection=True))
    assert (result.status, result.evidence) == (Status.PASS, {"enable_deletion_protection": True})


@pytest.mark.parametrize("props", [{}, {"enable_deletion_protection": False}])
def test_deletion_protection_off_fails_and_is_the_default(props):
    result = run(lb_deletion_protection, alb(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"enable_deletion_protection": False})


def test_deletion_protection_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable, match="enable_deletion_protection of web"):
        run(lb_deletion_protection, alb(enable_deletion_protection=UNKNOWN))


# -- alb_drop_invalid_headers ---------------------------------------------------------------------


def test_alb_dropping_invalid_headers_passes():
    result = run(alb_drop_invalid_headers, alb(drop_invalid_header_fields=True))
    assert (result.status, result.evidence) == (Status.PASS, {"drop_invalid_header_fields": True})


@pytest.mark.parametrize(
    "props", [{}, {"drop_invalid_header_fields": False}, {"load_balancer_type": "application"}]
)
def test_alb_passing_invalid_headers_fails_and_is_the_default(props):
    result = run(alb_drop_invalid_headers, alb(**props))
    assert (result.status, result.evidence) == (Status.FAIL, {"drop_invalid_header_fields": False})


@pytest.mark.parametrize("kind", ["network", "gateway"])
def test_non_http_load_balancers_parse_no_headers(kind):
    result = run(alb_drop_invalid_headers, alb(load_balancer_type=kind))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {})


@pytest.mark.parametrize(
    "props", [{"drop_invalid_header_fields": UNKNOWN}, {"load_balancer_type": UNKNOWN}]
)
def test_header_dropping_that_cannot_be_seen_is_not_evaluated(props):
    with pytest.raises(Undecidable):
        run(alb_drop_invalid_headers, alb(**props))


# -- lb_listener_tls: the message of each verdict --------------------------------------------------


def said(result) -> tuple:
    return (result.status, result.message, result.evidence)


def test_listener_messages_name_the_protocol_and_the_policy():
    good, old = "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-2016-08"
    assert said(run(lb_listener_tls, listener(protocol="HTTPS", ssl_policy=good))) == (
        Status.PASS,
        f"HTTPS with TLS 1.2+ policy {good}",
        {"protocol": "HTTPS", "ssl_policy": good},
    )
    assert said(run(lb_listener_tls, listener(protocol="TLS", ssl_policy=old))) == (
        Status.FAIL,
        f"TLS policy {old} allows TLS below 1.2",
        {"protocol": "TLS", "ssl_policy": old},
    )
    assert said(run(lb_listener_tls, listener(protocol="TCP"))) == (
        Status.NOT_APPLICABLE,
        "TCP pass-through: the targets terminate any TLS",
        {"protocol": "TCP"},
    )


def test_http_listener_messages_say_whether_it_only_redirects():
    redirect = listener(protocol="HTTP", default_actions=[REDIRECT])
    assert said(run(lb_listener_tls, redirect)) == (
        Status.PASS,
        "the HTTP listener only redirects to HTTPS",
        {"protocol": "HTTP", "ssl_policy": None},
    )
    forward = listener(protocol="HTTP", default_actions=[FORWARD])
    assert said(run(lb_listener_tls, forward)) == (
        Status.FAIL,
        "the HTTP listener serves plain-text traffic",
        {"protocol": "HTTP", "ssl_policy": None},
    )


def test_classic_messages_list_every_plain_listener():
    https = {"lb_protocol": "HTTPS", "lb_port": 443}
    assert said(run(lb_listener_tls, classic(https))) == (
        Status.PASS,
        "every listener uses HTTPS/SSL",
        {"plain_listeners": []},
    )
    plain = classic(
        {"lb_protocol": "HTTP", "lb_port": 80}, https, {"lb_protocol": "TCP", "lb_port": 25}
    )
    assert said(run(lb_listener_tls, plain)) == (
        Status.FAIL,
        "plain-text listeners: HTTP:80, TCP:25",
        {"plain_listeners": ["HTTP:80", "TCP:25"]},
    )
