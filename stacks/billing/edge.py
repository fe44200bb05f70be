"""The front door: an internet-facing ALB that speaks only TLS 1.2+, behind a WAF.

- HTTPS listener with an ACM certificate and a TLS 1.2+ policy; HSTS and hardening headers;
- HTTP listener (when enabled) that only redirects to HTTPS;
- invalid headers dropped, desync mitigation on, deletion protection, access and connection
  logs to the access-log bucket;
- TLS to the targets too (HTTPS target group), so ePHI is encrypted on every hop;
- WAFv2 web ACL: AWS managed rule groups and a per-IP rate limit, logged (with credentials
  and query strings redacted) to an encrypted log group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.policy import document, statement
from billing.settings import DEFAULT_TLS_POLICY
from billing.storage import ALB_LOG_PREFIX
from billing.tagging import INTERNAL

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
HSTS = "max-age=63072000; includeSubDomains"


@dataclass(frozen=True)
class EdgeArgs:
    """Knobs of the load balancer and its firewall."""

    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    # Bucket (name) for access and connection logs.
    log_bucket: pulumi.Input[str]
    # Key of the WAF log group (the logs key).
    logs_kms_key_arn: pulumi.Input[str]
    # Name clients use; the certificate is issued for it.
    domain_name: str
    # An existing ACM certificate to serve instead of requesting one.
    certificate_arn: str | None = None
    # Route 53 zone to validate a requested certificate in and to alias the name to the ALB.
    hosted_zone_id: str | None = None
    # ALB security policy; only TLS 1.2+ policies are accepted by the settings.
    tls_policy: str = DEFAULT_TLS_POLICY
    # Port the application serves TLS on.
    app_port: int = 8443
    # Health-check path of the application.
    health_check_path: str = "/healthz"
    # Answer plain HTTP with a permanent redirect to HTTPS.
    http_redirect: bool = True
    # Requests one client IP may make in five minutes before the WAF blocks it.
    waf_rate_limit: int = 2000
    # Days WAF logs are kept.
    log_retention_days: int = 365


def _visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _waf_rules(rate_limit: int) -> list[aws.wafv2.WebAclRuleArgs]:
    rules = [
        aws.wafv2.WebAclRuleArgs(
            name=group,
            priority=priority,
            override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()
            ),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    name=group, vendor_name="AWS"
                )
            ),
            visibility_config=_visibility(group),
        )
        for priority, group in enumerate(MANAGED_RULE_GROUPS)
    ]
    rules.append(
        aws.wafv2.WebAclRuleArgs(
            name="rate-limit-per-ip",
            priority=len(rules),
            action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                    limit=rate_limit, aggregate_key_type="IP"
                )
            ),
            visibility_config=_visibility("rate-limit-per-ip"),
        )
    )
    return rules


class Edge(pulumi.ComponentResource):
    """ALB, listeners, target group, certificate and WAF."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: EdgeArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:Edge", name, None, opts)
        self._ctx, self._args = ctx, args
        self._child = child = pulumi.ResourceOptions(parent=self)
        self.target_group = aws.lb.TargetGroup(
            "app-targets",
            name=ctx.name("app"),
            vpc_id=args.vpc_id,
            target_type="ip",
            protocol="HTTPS",
            port=args.app_port,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, protocol="HTTPS", path=args.health_check_path, matcher="200"
            ),
            tags=ctx.tags(INTERNAL),
            opts=child,
        )
        self.load_balancer = aws.lb.LoadBalancer(
            "alb",
            name=ctx.name("alb"),
            load_balancer_type="application",
            internal=False,
            ip_address_type="ipv4",
            subnets=list(args.public_subnet_ids),
            security_groups=[args.security_group_id],
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            enable_deletion_protection=True,
            enable_http2=True,
            enable_waf_fail_open=False,
            idle_timeout=60,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=args.log_bucket, prefix=ALB_LOG_PREFIX, enabled=True
            ),
            connection_logs=aws.lb.LoadBalancerConnectionLogsArgs(
                bucket=args.log_bucket, prefix=ALB_LOG_PREFIX, enabled=True
            ),
            tags=ctx.tags(INTERNAL, ctx.name("alb")),
            opts=child,
        )
        self.https_listener = aws.lb.Listener(
            "https",
            load_balancer_arn=self.load_balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=args.tls_policy,
            certificate_arn=self._certificate_arn(),
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="forward", target_group_arn=self.target_group.arn
                )
            ],
            routing_http_response_strict_transport_security_header_value=HSTS,
            routing_http_response_x_content_type_options_header_value="nosniff",
            routing_http_response_x_frame_options_header_value="DENY",
            routing_http_response_server_enabled=False,
            tags=ctx.tags(INTERNAL),
            opts=child,
        )
        if args.http_redirect:
            aws.lb.Listener(
                "http-redirect",
                load_balancer_arn=self.load_balancer.arn,
                port=80,
                protocol="HTTP",
                default_actions=[
                    aws.lb.ListenerDefaultActionArgs(
                        type="redirect",
                        redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                            protocol="HTTPS", port="443", status_code="HTTP_301"
                        ),
                    )
                ],
                tags=ctx.tags(INTERNAL),
                opts=child,
            )
        if args.hosted_zone_id:
            aws.route53.Record(
                "alb-alias",
                zone_id=args.hosted_zone_id,
                name=args.domain_name,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=self.load_balancer.dns_name,
                        zone_id=self.load_balancer.zone_id,
                        evaluate_target_health=True,
                    )
                ],
                opts=child,
            )
        self.web_acl = self._firewall()
        self.register_outputs(
            {"dns_name": self.load_balancer.dns_name, "web_acl_arn": self.web_acl.arn}
        )

    def _certificate_arn(self) -> pulumi.Input[str]:
        ctx, args = self._ctx, self._args
        if args.certificate_arn:
            return args.certificate_arn
        certificate = aws.acm.Certificate(
            "certificate",
            domain_name=args.domain_name,
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
            options=aws.acm.CertificateOptionsArgs(
                certificate_transparency_logging_preference="ENABLED"
            ),
            tags=ctx.tags(INTERNAL, args.domain_name),
            opts=self._child,
        )
        if not args.hosted_zone_id:
            # Validated out of band: add the CNAME that `pulumi stack output` shows to DNS.
            return certificate.arn
        option = certificate.domain_validation_options[0]
        record = aws.route53.Record(
            "certificate-validation",
            zone_id=args.hosted_zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            allow_overwrite=True,
            opts=self._child,
        )
        validation = aws.acm.CertificateValidation(
            "certificate-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
            opts=self._child,
        )
        return validation.certificate_arn

    def _firewall(self) -> aws.wafv2.WebAcl:
        ctx, args, child = self._ctx, self._args, self._child
        web_acl = aws.wafv2.WebAcl(
            "web-acl",
            name=ctx.name("web-acl"),
            description="Billing front door: AWS managed rules and a per-IP rate limit",
            scope="REGIONAL",
            default_action=aws.wafv2.WebAclDefaultActionArgs(
                allow=aws.wafv2.WebAclDefaultActionAllowArgs()
            ),
            rules=_waf_rules(args.waf_rate_limit),
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True,
                metric_name=ctx.name("web-acl"),
                sampled_requests_enabled=True,
            ),
            tags=ctx.tags(INTERNAL),
            opts=child,
        )
        aws.wafv2.WebAclAssociation(
            "web-acl-alb",
            resource_arn=self.load_balancer.arn,
            web_acl_arn=web_acl.arn,
            opts=child,
        )
        # WAF requires the log group's name to start with "aws-waf-logs-".
        log_group_name = f"aws-waf-logs-{ctx.name_prefix}"
        log_group_arn = ctx.account.arn("logs", f"log-group:{log_group_name}")
        log_group = aws.cloudwatch.LogGroup(
            "waf-logs",
            name=log_group_name,
            kms_key_id=args.logs_kms_key_arn,
            retention_in_days=args.log_retention_days,
            tags=ctx.tags(INTERNAL),
            opts=child,
        )
        delivery = aws.cloudwatch.LogResourcePolicy(
            "waf-log-delivery",
            policy_name=ctx.name("waf-log-delivery"),
            policy_document=document(
                statement(
                    "WafLogDelivery",
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [f"{log_group_arn}:*"],
                    principals={"Service": ["delivery.logs.amazonaws.com"]},
                    conditions=[
                        ("StringEquals", "aws:SourceAccount", [ctx.account.account_id]),
                        ("ArnLike", "aws:SourceArn", [ctx.account.arn("logs", "*")]),
                    ],
                )
            ),
            opts=child,
        )
        redact = aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs
        aws.wafv2.WebAclLoggingConfiguration(
            "web-acl-logging",
            resource_arn=web_acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[
                redact(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(
                        name="authorization"
                    )
                ),
                redact(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(
                        name="cookie"
                    )
                ),
                redact(
                    query_string=aws.wafv2.WebAclLoggingConfigurationRedactedFieldQueryStringArgs()
                ),
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[delivery]),
        )
        return web_acl
