"""Load balancers, live: ALB/NLB attributes, listeners, target groups and classic load balancers
read as the program declares them; and the console changes the load balancer checks catch."""

from __future__ import annotations

from checks.registry import Status
from checks.sources.aws.services.elb import (
    CLASSIC_LOAD_BALANCER,
    COLLECTORS,
    LISTENER,
    LOAD_BALANCER,
    TARGET_GROUP,
)
from tests.emulator.gap_effects import BYSTANDER, hidden_checks, unseen
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

TLS13 = "ELBSecurityPolicy-TLS13-1-2-2021-06"
OLD_POLICY = "ELBSecurityPolicy-2016-08"
# As the billing program sets them (moto answers only the attributes that were set).
SECURE_ATTRIBUTES = {
    "deletion_protection.enabled": "true",
    "routing.http.drop_invalid_header_fields.enabled": "true",
    "access_logs.s3.enabled": "true",
    "access_logs.s3.bucket": "lb-logs",
    "access_logs.s3.prefix": "alb",
    "connection_logs.s3.enabled": "true",
    "connection_logs.s3.bucket": "lb-logs",
    "connection_logs.s3.prefix": "alb",
    "idle_timeout.timeout_seconds": "60",
    "routing.http2.enabled": "true",
    "routing.http.desync_mitigation_mode": "defensive",
    "waf.fail_open.enabled": "false",
}


# Listener and target group attributes (DescribeListenerAttributes, DescribeTargetGroupAttributes)
# no check reads: not collected.
UNREAD_ATTRIBUTES = frozenset({
    "deregistration_delay",
    "routing_http_response_strict_transport_security_header_value",
    "routing_http_response_x_content_type_options_header_value",
    "routing_http_response_x_frame_options_header_value",
    "routing_http_response_server_enabled",
})  # fmt: skip


def _network(aws) -> tuple[str, list[str], str]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate(("us-east-1a", "us-east-1b"))
    ]
    group = ec2.create_security_group(GroupName="lb", Description="lb", VpcId=vpc)["GroupId"]
    return vpc, subnets, group


def _load_balancers(aws) -> dict[str, str]:
    """web: hardened as the billing program's ALB. legacy: an ALB with the defaults, serving
    plain HTTP and an old TLS policy. internal-nlb: TCP pass-through. classic: plain HTTP."""
    vpc, subnets, group = _network(aws)
    elb = aws.client("elbv2")
    cert = aws.client("acm").request_certificate(DomainName="billing.example.com")
    arns = {}
    for name, kind, scheme in (
        ("web", "application", "internet-facing"),
        ("legacy", "application", "internet-facing"),
        ("internal-nlb", "network", "internal"),
    ):
        arns[name] = elb.create_load_balancer(
            Name=name,
            Subnets=subnets,
            SecurityGroups=[group] if kind == "application" else [],
            Scheme=scheme,
            Type=kind,
            Tags=[{"Key": "data-classification", "Value": "internal"}],
        )["LoadBalancers"][0]["LoadBalancerArn"]
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arns["web"],
        Attributes=[{"Key": k, "Value": v} for k, v in SECURE_ATTRIBUTES.items()],
    )
    target_group = elb.create_target_group(
        Name="app", Protocol="HTTPS", Port=8443, VpcId=vpc, TargetType="ip", HealthCheckPath="/hz"
    )["TargetGroups"][0]["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": target_group}]
    https = {"Protocol": "HTTPS", "Port": 443, "DefaultActions": forward}
    https["Certificates"] = [{"CertificateArn": cert["CertificateArn"]}]
    arns["web-https"] = elb.create_listener(LoadBalancerArn=arns["web"], SslPolicy=TLS13, **https)[
        "Listeners"
    ][0]["ListenerArn"]
    redirect = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    arns["web-http"] = elb.create_listener(
        LoadBalancerArn=arns["web"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": redirect}],
    )["Listeners"][0]["ListenerArn"]
    arns["legacy-https"] = elb.create_listener(
        LoadBalancerArn=arns["legacy"], SslPolicy=OLD_POLICY, **https
    )["Listeners"][0]["ListenerArn"]
    arns["legacy-http"] = elb.create_listener(
        LoadBalancerArn=arns["legacy"], Protocol="HTTP", Port=80, DefaultActions=forward
    )["Listeners"][0]["ListenerArn"]
    arns["nlb-tcp"] = elb.create_listener(
        LoadBalancerArn=arns["internal-nlb"], Protocol="TCP", Port=5432, DefaultActions=forward
    )["Listeners"][0]["ListenerArn"]
    aws.client("elb").create_load_balancer(
        LoadBalancerName="classic",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP",
                    "InstancePort": 8080}],
        AvailabilityZones=["us-east-1a"],
    )  # fmt: skip
    arns["target-group"] = target_group
    return arns


def _verdicts(evaluation, check_id: str) -> dict[str, Status]:
    return {
        f.resource.id: f.status
        for f in evaluation.findings
        if f.check.id == check_id and f.resource is not None
    }


def test_load_balancers_listeners_and_groups_are_read_as_the_program_declares_them(aws):
    arns = _load_balancers(aws)
    collected = collect(aws, COLLECTORS)
    assert collected.gaps == {}
    by_id = {r.id: r for r in collected.resources}
    web = by_id[arns["web"]]
    assert (web.type, web.name, web.arn) == (LOAD_BALANCER, "web", arns["web"])
    assert {k: web.props[k] for k in (
        "load_balancer_type", "internal", "access_logs", "enable_deletion_protection",
        "drop_invalid_header_fields", "idle_timeout", "enable_http2", "tags")} == {
        "load_balancer_type": "application",
        "internal": False,
        "access_logs": {"bucket": "lb-logs", "prefix": "alb", "enabled": True},
        "enable_deletion_protection": True,
        "drop_invalid_header_fields": True,
        "idle_timeout": 60,
        "enable_http2": True,
        "tags": {"data-classification": "internal"},
    }  # fmt: skip
    assert len(web.props["subnets"]) == 2 and len(web.props["security_groups"]) == 1
    http = by_id[arns["web-http"]]
    assert http.type == LISTENER
    shown = ("load_balancer_arn", "port", "protocol", "default_actions")
    assert {k: http.props[k] for k in shown} == {
        "load_balancer_arn": arns["web"], "port": 80, "protocol": "HTTP", "default_actions": [
            {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443",
                                              "status_code": "HTTP_301"}}]}  # fmt: skip
    https = by_id[arns["web-https"]]
    assert (https.props["ssl_policy"], https.props["default_actions"]) == (
        TLS13,
        [{"type": "forward", "target_group_arn": arns["target-group"]}],
    )
    assert https.props["certificate_arn"].startswith("arn:aws:acm:us-east-1:")
    group = by_id[arns["target-group"]]
    assert (group.type, group.name, group.props["protocol"], group.props["port"]) == (
        TARGET_GROUP, "app", "HTTPS", 8443)  # fmt: skip
    assert group.props["health_check"]["path"] == "/hz"
    classic = next(r for r in collected.resources if r.type == CLASSIC_LOAD_BALANCER)
    assert (classic.id, classic.props["listeners"], classic.props["access_logs"]) == (
        "classic",
        [
            {
                "instance_port": 8080,
                "instance_protocol": "HTTP",
                "lb_port": 80,
                "lb_protocol": "HTTP",
            }
        ],
        {"enabled": False},
    )
    declared = {r.name: r for r in program_resources("prod")}
    for program, live in (("alb", web), ("http-redirect", http), ("https", https),
                          ("app-targets", group)):  # fmt: skip
        props = {k: v for k, v in declared[program].props.items() if k not in UNREAD_ATTRIBUTES}
        assert shape_differences(props, live.props) == [], program


def test_the_load_balancer_checks_judge_the_live_load_balancers(aws):
    arns = _load_balancers(aws)
    evaluation = audit(aws, COLLECTORS)
    assert _verdicts(evaluation, "lb_listener_tls") == {
        arns["web-https"]: Status.PASS,
        arns["web-http"]: Status.PASS,
        arns["legacy-https"]: Status.FAIL,
        arns["legacy-http"]: Status.FAIL,
        arns["nlb-tcp"]: Status.NOT_APPLICABLE,
        "classic": Status.FAIL,
    }
    assert _verdicts(evaluation, "lb_access_logs") == {
        arns["web"]: Status.PASS,
        arns["legacy"]: Status.FAIL,
        arns["internal-nlb"]: Status.FAIL,
        "classic": Status.FAIL,
    }
    for check in ("lb_deletion_protection", "alb_drop_invalid_headers"):
        verdicts = _verdicts(evaluation, check)
        assert (verdicts[arns["web"]], verdicts[arns["legacy"]]) == (Status.PASS, Status.FAIL)
    assert _verdicts(evaluation, "alb_drop_invalid_headers")[arns["internal-nlb"]] is (
        Status.NOT_APPLICABLE
    )


def test_console_changes_to_the_hardened_load_balancer_fail_their_checks(aws):
    arns = _load_balancers(aws)
    elb = aws.client("elbv2")
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arns["web"],
        Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"},
                    {"Key": "access_logs.s3.enabled", "Value": "false"}],
    )  # fmt: skip
    elb.modify_listener(ListenerArn=arns["web-https"], SslPolicy=OLD_POLICY)
    evaluation = audit(aws, COLLECTORS)
    assert _verdicts(evaluation, "lb_deletion_protection")[arns["web"]] is Status.FAIL
    assert _verdicts(evaluation, "lb_access_logs")[arns["web"]] is Status.FAIL
    assert _verdicts(evaluation, "lb_listener_tls")[arns["web-https"]] is Status.FAIL


def test_denied_attributes_hide_the_load_balancer_checks_and_nothing_else(aws, monkeypatch):
    _load_balancers(aws)
    before = audit(aws, COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "elbv2", "DescribeLoadBalancerAttributes")
    after = audit(aws, COLLECTORS, also=[BYSTANDER])
    reason = "access denied to DescribeLoadBalancerAttributes (AccessDenied)"
    # The listeners name their protocol, so their TLS verdicts need no load balancer; the
    # classic load balancer's attributes come from another API and are still read.
    assert hidden_checks(before, after, reason) == {
        "lb_access_logs",
        "lb_deletion_protection",
        "alb_drop_invalid_headers",
        "alb_waf_attached",
        "alb_http_to_https_redirect",
    }
    (why,) = unseen(after, "lb_deletion_protection")
    assert why.endswith(f"{reason} (for the load balancers web, legacy, internal-nlb)")
