"""NOT_EVALUATED table rows (tests/unit/test_not_evaluated_table.py) for the edge checks:
CloudFront, API Gateway, Kinesis and Firehose, ACM and the load balancer certificate and policy
checks."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.unit.not_evaluated_sources import ACCOUNT, Res, Row

CERT_ARN = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/1a2b3c4d"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/edge/50dc6c495c0c9188"
LISTENER_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/app/edge/1/2"
STAGE_ARN = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod"
ACL_ARN = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/api-acl/a1b2c3d4"
STREAM_ARN = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/claims-events"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:api-access"
TLS12 = "ELBSecurityPolicy-TLS-1-2-2017-01"

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
STAGE = "aws:apigateway/stage:Stage"
CLASSIC = "aws:elb/loadBalancer:LoadBalancer"


def _pem(days: int = 365) -> str:
    """A self-signed certificate valid from yesterday for `days` days: what an imported
    certificate's body declares."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "api.example.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def distribution() -> Res:
    inputs = {
        "enabled": True,
        "origins": [{"originId": "api", "domainName": "api.example.com", "customOriginConfig": {
            "httpPort": 80, "httpsPort": 443, "originProtocolPolicy": "https-only",
            "originSslProtocols": ["TLSv1.2"]}}],
        "defaultCacheBehavior": {
            "targetOriginId": "api", "viewerProtocolPolicy": "redirect-to-https",
            "allowedMethods": ["GET", "HEAD"], "cachedMethods": ["GET", "HEAD"]},
        "restrictions": {"geoRestriction": {"restrictionType": "none"}},
        "viewerCertificate": {"acmCertificateArn": CERT_ARN, "sslSupportMethod": "sni-only",
                              "minimumProtocolVersion": "TLSv1.2_2021"},
    }  # fmt: skip
    arn = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1A2B3C4D5"
    return Res(DISTRIBUTION, "cdn", inputs, id="E1A2B3C4D5", arn=arn)


def stage(**inputs) -> Res:
    base = {"restApi": "a1b2c3d4e5", "stageName": "prod", "deployment": "dep123"}
    return Res(STAGE, "prod", {**base, **inputs}, id="ags-a1b2c3d4e5-prod", arn=STAGE_ARN)


def classic(**inputs) -> Res:
    base = {"name": "legacy", "availabilityZones": ["us-east-1a"], "listeners": [{
        "lbPort": 443, "lbProtocol": "https", "instancePort": 8443, "instanceProtocol": "https",
        "sslCertificateId": CERT_ARN}]}  # fmt: skip
    return Res(CLASSIC, "legacy", {**base, **inputs}, id="legacy")


# A table: laid out by hand, one row per check, not by the formatter.
# fmt: off
ROWS: tuple[Row, ...] = (
    # -- CloudFront -----------------------------------------------------------------------------
    Row("cloudfront_viewer_https", (distribution(),),
        ("cdn", "defaultCacheBehavior", "viewerProtocolPolicy")),
    Row("cloudfront_origin_https", (distribution(),), ("cdn", "origins")),
    Row("cloudfront_origin_tls12", (distribution(),), ("cdn", "origins")),
    Row("cloudfront_viewer_tls12", (distribution(),),
        ("cdn", "viewerCertificate", "minimumProtocolVersion")),
    # -- API Gateway ----------------------------------------------------------------------------
    Row(
        "apigateway_method_authorized",
        (Res("aws:apigateway/method:Method", "get-claim", {
            "restApi": "a1b2c3d4e5", "resourceId": "r1s2t3", "httpMethod": "GET",
            "authorization": "COGNITO_USER_POOLS", "authorizerId": "auth12"},
            id="agm-a1b2c3d4e5-r1s2t3-GET"),),
        ("get-claim", "authorization"),
    ),
    Row(
        "apigatewayv2_route_authorized",
        (Res("aws:apigatewayv2/route:Route", "get-claims", {
            "apiId": "api123", "routeKey": "GET /claims", "authorizationType": "AWS_IAM"},
            id="route123"),),
        ("get-claims", "authorizationType"),
    ),
    Row(
        "apigateway_domain_tls12",
        (Res("aws:apigateway/domainName:DomainName", "api-domain", {
            "domainName": "api.example.com", "regionalCertificateArn": CERT_ARN,
            "securityPolicy": "TLS_1_2"}, id="api.example.com"),),
        ("api-domain", "securityPolicy"),
    ),
    Row(
        "apigateway_stage_logging",
        (stage(), Res("aws:apigateway/methodSettings:MethodSettings", "prod-logs", {
            "restApi": "a1b2c3d4e5", "stageName": "prod", "methodPath": "*/*",
            "settings": {"loggingLevel": "ERROR", "metricsEnabled": True}},
            id="a1b2c3d4e5-prod-*/*")),
        ("prod-logs", "settings", "loggingLevel"),
    ),
    Row("apigateway_stage_client_certificate", (stage(clientCertificateId="cert-abc123"),),
        ("prod", "clientCertificateId")),
    Row(
        "apigateway_stage_waf",
        (stage(), Res("aws:wafv2/webAclAssociation:WebAclAssociation", "api-waf",
                      {"resourceArn": STAGE_ARN, "webAclArn": ACL_ARN}, id="api-waf"),
         Res("aws:wafv2/webAcl:WebAcl", "api-acl", {
             "name": "api-acl", "scope": "REGIONAL", "defaultAction": {"allow": {}},
             "rules": [{"name": "common", "priority": 1, "overrideAction": {"none": {}},
                        "statement": {"managedRuleGroupStatement": {
                            "name": "AWSManagedRulesCommonRuleSet", "vendorName": "AWS"}},
                        "visibilityConfig": {"cloudwatchMetricsEnabled": True,
                                             "metricName": "common",
                                             "sampledRequestsEnabled": True}}],
             "visibilityConfig": {"cloudwatchMetricsEnabled": True, "metricName": "api",
                                  "sampledRequestsEnabled": True}},
             id="a1b2c3d4", arn=ACL_ARN)),
        ("api-waf", "webAclArn"),
    ),
    # -- Kinesis and Firehose -------------------------------------------------------------------
    Row(
        "kinesis_stream_encrypted",
        (Res("aws:kinesis/stream:Stream", "claims-events", {
            "name": "claims-events", "shardCount": 1, "encryptionType": "KMS", "kmsKeyId": KEY},
            id="claims-events", arn=STREAM_ARN),),
        ("claims-events", "encryptionType"),
    ),
    Row(
        "firehose_delivery_stream_encrypted",
        (Res("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "export", {
            "name": "claims-export", "destination": "extended_s3",
            "extendedS3Configuration": {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/firehose",
                                        "bucketArn": "arn:aws:s3:::claims-exports"},
            "serverSideEncryption": {"enabled": True, "keyType": "CUSTOMER_MANAGED_CMK",
                                     "keyArn": KEY}},
            id=f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/claims-export"),),
        ("export", "serverSideEncryption"),
    ),
    # -- ACM: an imported certificate's body says when it expires ---------------------------------
    Row(
        "acm_certificate_not_expiring",
        (Res("aws:acm/certificate:Certificate", "imported", {
            "certificateBody": _pem(), "privateKey": "-----BEGIN PRIVATE KEY-----(withheld)"},
            id=CERT_ARN, arn=CERT_ARN),),
        ("imported", "certificateBody"),
    ),
    # -- load balancers -------------------------------------------------------------------------
    Row(
        "alb_http_to_https_redirect",
        (Res("aws:lb/loadBalancer:LoadBalancer", "edge", {
            "name": "edge", "loadBalancerType": "application", "internal": False,
            "subnets": ["subnet-0a1b2c3d", "subnet-0e1f2a3b"]}, id=LB_ARN, arn=LB_ARN),
         Res("aws:lb/listener:Listener", "http", {
             "loadBalancerArn": LB_ARN, "port": 80, "protocol": "HTTP",
             "defaultActions": [{"type": "redirect", "redirect": {
                 "protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]},
             id="listener-http")),
        ("http", "defaultActions"),
        gap=("aws:lb/listener:Listener",),
    ),
    Row(
        "elbv2_listener_acm_certificate",
        (Res("aws:lb/listener:Listener", "https", {
            "loadBalancerArn": LB_ARN, "port": 443, "protocol": "HTTPS",
            "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "certificateArn": CERT_ARN,
            "defaultActions": [{"type": "forward", "targetGroupArn": "arn:aws:tg/edge"}]},
            id=LISTENER_ARN, arn=LISTENER_ARN),),
        ("https", "certificateArn"),
    ),
    Row("elb_classic_acm_certificate", (classic(),), ("legacy", "listeners")),
    Row(
        "elb_classic_tls_policy",
        (classic(),
         Res("aws:elb/loadBalancerPolicy:LoadBalancerPolicy", "tls12", {
             "loadBalancerName": "legacy", "policyName": "tls12",
             "policyTypeName": "SSLNegotiationPolicyType",
             "policyAttributes": [{"name": "Reference-Security-Policy", "value": TLS12}]},
             id="legacy:tls12"),
         Res("aws:elb/listenerPolicy:ListenerPolicy", "legacy-443", {
             "loadBalancerName": "legacy", "loadBalancerPort": 443, "policyNames": ["tls12"]},
             id="legacy:443")),
        ("tls12", "policyAttributes"),
    ),
    Row("elb_classic_cross_zone", (classic(crossZoneLoadBalancing=True),),
        ("legacy", "crossZoneLoadBalancing")),
)
# fmt: on
