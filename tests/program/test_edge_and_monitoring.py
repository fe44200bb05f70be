"""The front door (ALB, TLS, WAF) and what watches everything (trail, detection, alarms)."""

from __future__ import annotations

import json

from tests.program.stack import Stack, by_sid, listed

LISTENER = "aws:lb/listener:Listener"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TLS12_POLICIES = {"ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-2-2021-06"}


def test_load_balancer_is_hardened_and_logged(stack: Stack):
    alb = stack.one("aws:lb/loadBalancer:LoadBalancer", "alb").props
    assert alb["drop_invalid_header_fields"] is True
    assert alb["enable_deletion_protection"] is True
    assert alb["desync_mitigation_mode"] in ("defensive", "strictest")
    logs_bucket = stack.one("aws:s3/bucket:Bucket", "access-logs").props["bucket"]
    assert alb["access_logs"] == {"bucket": logs_bucket, "enabled": True, "prefix": "alb"}
    assert {stack.ref(s).props["tags"]["tier"] for s in alb["subnets"]} == {"public"}
    assert [stack.ref(g).name for g in alb["security_groups"]] == ["alb-security-group"]


def test_https_listener_uses_tls12_and_a_certificate_and_http_only_redirects(stack: Stack):
    https = stack.one(LISTENER, "https").props
    assert https["protocol"] == "HTTPS" and https["port"] == 443
    assert https["ssl_policy"] in TLS12_POLICIES
    assert stack.ref(https["certificate_arn"]).type == "aws:acm/certificate:Certificate"
    assert "max-age=" in https["routing_http_response_strict_transport_security_header_value"]
    http = stack.one(LISTENER, "http-redirect").props
    (action,) = http["default_actions"]
    assert action["type"] == "redirect"
    assert action["redirect"] == {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}
    targets = stack.one("aws:lb/targetGroup:TargetGroup", "app-targets").props
    assert targets["protocol"] == "HTTPS" and targets["health_check"]["protocol"] == "HTTPS"


def test_web_acl_guards_the_load_balancer_with_managed_rules_and_is_logged(stack: Stack):
    acl = stack.one("aws:wafv2/webAcl:WebAcl", "web-acl")
    groups = {
        r["statement"]["managed_rule_group_statement"]["name"]
        for r in acl.props["rules"]
        if "managed_rule_group_statement" in r["statement"]
    }
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= groups
    assert any("rate_based_statement" in r["statement"] for r in acl.props["rules"])
    association = stack.one("aws:wafv2/webAclAssociation:WebAclAssociation", "web-acl-alb")
    assert association.props["web_acl_arn"] == acl.arn
    assert stack.ref(association.props["resource_arn"]).name == "alb"
    logging = stack.one(
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "web-acl-logging"
    )
    (destination,) = logging.props["log_destination_configs"]
    group = stack.ref(destination)
    assert group.props["name"].startswith("aws-waf-logs-")
    assert stack.key_domain(group.props["kms_key_id"]) == "logs"
    redacted = [next(iter(f)) for f in logging.props["redacted_fields"]]
    assert "query_string" in redacted and redacted.count("single_header") == 2


def test_trail_covers_every_region_validates_encrypts_and_records_document_reads(stack: Stack):
    trail = stack.one("aws:cloudtrail/trail:Trail", "audit-trail").props
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    assert stack.key_domain(trail["kms_key_id"]) == "audit"
    evidence = stack.one("aws:s3/bucket:Bucket", "audit-evidence").props["bucket"]
    assert trail["s3_bucket_name"] == evidence
    data = next(
        s
        for s in trail["advanced_event_selectors"]
        if "Data" in s["name"] or any(f.get("equals") == ["Data"] for f in s["field_selectors"])
    )
    arns = next(f["starts_withs"] for f in data["field_selectors"] if f["field"] == "resources.ARN")
    documents = stack.one("aws:s3/bucket:Bucket", "billing-documents").props["bucket"]
    assert arns == [f"arn:aws:s3:::{documents}/"]
    group = stack.ref(trail["cloud_watch_logs_group_arn"].removesuffix(":*"))
    assert stack.key_domain(group.props["kms_key_id"]) == "logs"


def test_audit_logs_are_kept_six_years_in_prod(dev: Stack, prod: Stack):
    assert prod.one(LOG_GROUP, "cloudtrail-logs").props["retention_in_days"] == 2192
    assert dev.one(LOG_GROUP, "cloudtrail-logs").props["retention_in_days"] == 365


def test_every_log_group_is_encrypted_and_kept_at_least_a_year(stack: Stack):
    for group in stack.of(LOG_GROUP):
        assert stack.key_domain(group.props["kms_key_id"]) == "logs", group.name
        assert group.props["retention_in_days"] >= 365, group.name


def test_security_events_alarm_to_the_encrypted_topic(stack: Stack):
    topic = stack.one("aws:sns/topic:Topic", "security-alerts")
    trail_group = stack.one(LOG_GROUP, "cloudtrail-logs").props["name"]
    filters = {f.name.removesuffix("-filter"): f for f in stack.of(FILTER)}
    for needed in (
        "root-account-usage",
        "console-signin-failures",
        "iam-policy-changes",
        "security-group-changes",
        "nacl-changes",
        "cloudtrail-changes",
        "break-glass-role-assumed",
    ):
        assert needed in filters
    for name, log_filter in filters.items():
        assert log_filter.props["log_group_name"] == trail_group
        alarm = stack.one(ALARM, f"{name}-alarm").props
        transform = log_filter.props["metric_transformation"]
        assert (alarm["metric_name"], alarm["namespace"]) == (
            transform["name"],
            transform["namespace"],
        )
        assert alarm["alarm_actions"] == [topic.arn] and alarm["threshold"] == 1


def test_alert_topic_admits_only_this_accounts_services_over_tls(stack: Stack):
    policy = stack.one("aws:sns/topicPolicy:TopicPolicy", "security-alerts-policy")
    sids = by_sid(policy)
    assert sids["DenyInsecureTransport"]["Effect"] == "Deny"
    publish = sids["AllowThisAccountsServicesToPublish"]
    assert "cloudwatch.amazonaws.com" in listed(publish["Principal"]["Service"])
    assert publish["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"


def test_detection_services_are_on(stack: Stack):
    detector = stack.one("aws:guardduty/detector:Detector", "guardduty").props
    assert detector["enable"] is True
    features = {
        f.props["name"]: f.props["status"]
        for f in stack.of("aws:guardduty/detectorFeature:DetectorFeature")
    }
    assert features == {"S3_DATA_EVENTS": "ENABLED", "RDS_LOGIN_EVENTS": "ENABLED"}
    recorder = stack.one("aws:cfg/recorder:Recorder", "config-recorder").props
    assert recorder["recording_group"]["all_supported"] is True
    assert recorder["recording_group"]["include_global_resource_types"] is True
    status = stack.one("aws:cfg/recorderStatus:RecorderStatus", "config-recorder-status")
    assert status.props["is_enabled"] is True
    assert stack.of("aws:securityhub/account:Account")
    standards = [
        s.props["standards_arn"]
        for s in stack.of("aws:securityhub/standardsSubscription:StandardsSubscription")
    ]
    assert any("aws-foundational-security-best-practices" in s for s in standards)
    rule = stack.one("aws:cloudwatch/eventRule:EventRule", "guardduty-findings-rule")
    assert json.loads(rule.props["event_pattern"])["source"] == ["aws.guardduty"]


def test_account_guardrails_block_public_buckets_and_encrypt_new_volumes(stack: Stack):
    (block,) = stack.of("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock")
    assert all(
        block.props[f] is True
        for f in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        )
    )
    assert (
        stack.one(
            "aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs-encryption-by-default"
        ).props["enabled"]
        is True
    )
