"""The claims service's edge: a CloudFront distribution in front of the API, the claims API on
API Gateway (REST for partners, HTTP for the portal) behind a WAF, the claims event stream and
its Firehose export, an imported certificate, and the legacy classic load balancer kept for one
clearinghouse. Imported by `__main__.py`."""

import datetime as dt
import json

import pulumi
import pulumi_aws as aws
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from foundation import app_sg, internal, key, prefix, private, tags

DOMAIN = "claims.example.com"
CLASSIC_TLS_POLICY = "ELBSecurityPolicy-TLS-1-2-2017-01"


def _self_signed(days: int) -> tuple[str, str]:
    """A certificate and its key, as a partner's CA would hand them over (PEM)."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"legacy.{DOMAIN}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(private_key, hashes.SHA256())
    )
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem.decode()


body, private_pem = _self_signed(days=365)
imported = aws.acm.Certificate(
    "legacy-cert",
    certificate_body=body,
    private_key=pulumi.Output.secret(private_pem),
    tags=internal,
)

# -- CloudFront in front of the API ----------------------------------------------------------
aws.cloudfront.Distribution(
    "portal-cdn",
    enabled=True,
    aliases=[f"portal.{DOMAIN}"],
    origins=[
        aws.cloudfront.DistributionOriginArgs(
            origin_id="api",
            domain_name=f"api.{DOMAIN}",
            custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                http_port=80,
                https_port=443,
                origin_protocol_policy="https-only",
                origin_ssl_protocols=["TLSv1.2"],
            ),
        )
    ],
    default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id="api",
        viewer_protocol_policy="redirect-to-https",
        allowed_methods=["GET", "HEAD"],
        cached_methods=["GET", "HEAD"],
        cache_policy_id="4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    ),
    ordered_cache_behaviors=[
        aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
            path_pattern="/claims/*",
            target_origin_id="api",
            viewer_protocol_policy="https-only",
            allowed_methods=["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
            cached_methods=["GET", "HEAD"],
            cache_policy_id="4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        )
    ],
    restrictions=aws.cloudfront.DistributionRestrictionsArgs(
        geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
            restriction_type="whitelist", locations=["US"]
        )
    ),
    viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
        acm_certificate_arn=imported.arn,
        ssl_support_method="sni-only",
        minimum_protocol_version="TLSv1.2_2021",
    ),
    tags=internal,
)

# -- the partners' REST API, behind a WAF, logged --------------------------------------------
api_logs = aws.cloudwatch.LogGroup(
    "api-access-logs", name=f"/{prefix}/api-access", retention_in_days=365, kms_key_id=key.arn
)
rest = aws.apigateway.RestApi("partner-api", name=f"{prefix}-partners", tags=tags)
claims_path = aws.apigateway.Resource(
    "claims-path", rest_api=rest.id, parent_id=rest.root_resource_id, path_part="claims"
)
get_claims = aws.apigateway.Method(
    "get-claims",
    rest_api=rest.id,
    resource_id=claims_path.id,
    http_method="GET",
    authorization="AWS_IAM",
)
integration = aws.apigateway.Integration(
    "get-claims-mock",
    rest_api=rest.id,
    resource_id=claims_path.id,
    http_method=get_claims.http_method,
    type="MOCK",
)
deployment = aws.apigateway.Deployment(
    "partner-api-deployment",
    rest_api=rest.id,
    opts=pulumi.ResourceOptions(depends_on=[integration]),
)
backend_cert = aws.apigateway.ClientCertificate("partner-backend", description="to the backend")
stage = aws.apigateway.Stage(
    "partner-api-prod",
    rest_api=rest.id,
    deployment=deployment.id,
    stage_name="prod",
    client_certificate_id=backend_cert.id,
    access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
        destination_arn=api_logs.arn, format="$context.requestId $context.status"
    ),
    tags=tags,
)
aws.apigateway.MethodSettings(
    "partner-api-logging",
    rest_api=rest.id,
    stage_name=stage.stage_name,
    method_path="*/*",
    settings=aws.apigateway.MethodSettingsSettingsArgs(logging_level="ERROR", metrics_enabled=True),
)
api_acl = aws.wafv2.WebAcl(
    "partner-api-acl",
    name=f"{prefix}-partner-api",
    scope="REGIONAL",
    default_action=aws.wafv2.WebAclDefaultActionArgs(
        allow=aws.wafv2.WebAclDefaultActionAllowArgs()
    ),
    rules=[
        aws.wafv2.WebAclRuleArgs(
            name="common",
            priority=0,
            override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()
            ),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    name="AWSManagedRulesCommonRuleSet", vendor_name="AWS"
                )
            ),
            visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name="common", sampled_requests_enabled=True
            ),
        )
    ],
    visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name="partner-api", sampled_requests_enabled=True
    ),
    tags=tags,
)
aws.wafv2.WebAclAssociation("partner-api-waf", resource_arn=stage.arn, web_acl_arn=api_acl.arn)
waf_logs = aws.cloudwatch.LogGroup(
    "partner-api-waf-logs",
    name=f"aws-waf-logs-{prefix}-partner-api",
    retention_in_days=365,
    kms_key_id=key.arn,
)
aws.wafv2.WebAclLoggingConfiguration(
    "partner-api-waf-logging", resource_arn=api_acl.arn, log_destination_configs=[waf_logs.arn]
)
aws.apigateway.DomainName(
    "partner-api-domain",
    domain_name=f"partners.{DOMAIN}",
    regional_certificate_arn=imported.arn,
    security_policy="TLS_1_2",
    endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(types="REGIONAL"),
)

# -- the portal's HTTP API ---------------------------------------------------------------------
portal = aws.apigatewayv2.Api("portal-api", name=f"{prefix}-portal", protocol_type="HTTP")
jwt = aws.apigatewayv2.Authorizer(
    "portal-jwt",
    api_id=portal.id,
    authorizer_type="JWT",
    identity_sources=["$request.header.Authorization"],
    jwt_configuration=aws.apigatewayv2.AuthorizerJwtConfigurationArgs(
        audiences=["portal"], issuer=f"https://login.{DOMAIN}"
    ),
)
aws.apigatewayv2.Route(
    "portal-claims",
    api_id=portal.id,
    route_key="GET /claims",
    authorization_type="JWT",
    authorizer_id=jwt.id,
)
aws.apigatewayv2.Stage(
    "portal-default",
    api_id=portal.id,
    name="$default",
    auto_deploy=True,
    access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
        destination_arn=api_logs.arn, format="$context.requestId $context.status"
    ),
)
aws.apigatewayv2.DomainName(
    "portal-api-domain",
    domain_name=f"portal-api.{DOMAIN}",
    domain_name_configuration=aws.apigatewayv2.DomainNameDomainNameConfigurationArgs(
        certificate_arn=imported.arn, endpoint_type="REGIONAL", security_policy="TLS_1_2"
    ),
)

# -- the claims event stream and its export ----------------------------------------------------
events = aws.kinesis.Stream(
    "claims-events",
    name=f"{prefix}-claims-events",
    shard_count=1,
    encryption_type="KMS",
    kms_key_id=key.arn,
    tags=tags,
)
export_role = aws.iam.Role(
    "claims-export-role",
    name=f"{prefix}-claims-export",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "firehose.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)
aws.kinesis.FirehoseDeliveryStream(
    "claims-export",
    name=f"{prefix}-claims-export",
    destination="extended_s3",
    extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
        role_arn=export_role.arn,
        bucket_arn=f"arn:aws:s3:::{prefix}-claims-exports",
        kms_key_arn=key.arn,
    ),
    server_side_encryption=aws.kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs(
        enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=key.arn
    ),
    tags=tags,
)

# -- the legacy classic load balancer for one clearinghouse ------------------------------------
legacy = aws.elb.LoadBalancer(
    "legacy-clearinghouse",
    name=f"{prefix}-legacy",
    internal=True,
    subnets=[s.id for s in private],
    security_groups=[app_sg.id],
    listeners=[
        aws.elb.LoadBalancerListenerArgs(
            lb_port=443,
            lb_protocol="https",
            instance_port=8443,
            instance_protocol="https",
            ssl_certificate_id=imported.arn,
        )
    ],
    cross_zone_load_balancing=True,
    access_logs=aws.elb.LoadBalancerAccessLogsArgs(
        bucket=f"{prefix}-lb-logs", bucket_prefix="legacy", enabled=True
    ),
    tags=internal,
)
tls12 = aws.elb.LoadBalancerPolicy(
    "legacy-tls12",
    load_balancer_name=legacy.name,
    policy_name="legacy-tls12",
    policy_type_name="SSLNegotiationPolicyType",
    policy_attributes=[
        aws.elb.LoadBalancerPolicyPolicyAttributeArgs(
            name="Reference-Security-Policy", value=CLASSIC_TLS_POLICY
        )
    ],
)
aws.elb.ListenerPolicy(
    "legacy-https-tls12",
    load_balancer_name=legacy.name,
    load_balancer_port=443,
    policy_names=[tls12.policy_name],
)
