"""The edge collectors against the emulator: CloudFront distributions, API Gateway REST and v2
APIs, Kinesis and Firehose streams, classic load balancer policies and listener certificates,
read as a program declares them and judged by the edge checks; a denied call is a gap."""

from __future__ import annotations

from checks.registry import Status
from checks.sources.aws.services import apigateway, apigatewayv2, cloudfront, elb, elb_tls, kinesis
from tests.emulator.live_audit import audit, by_id, collect, deny, verdicts

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/3a34f661-038d-7bd6-b481-536142e9a889"


def _distribution(aws, *, viewer: str, origin: str) -> str:
    config = {
        "CallerReference": f"ref-{viewer}-{origin}",
        "Comment": "edge",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "api", "DomainName": "api.example.com",
            "CustomOriginConfig": {
                "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": origin,
                "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
            },
        }]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "api", "ViewerProtocolPolicy": viewer,
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }  # fmt: skip
    return aws.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"][
        "Id"
    ]


def test_distributions_are_read_with_their_protocol_policies(aws):
    good = _distribution(aws, viewer="redirect-to-https", origin="https-only")
    bad = _distribution(aws, viewer="allow-all", origin="http-only")
    collected = collect(aws, cloudfront.COLLECTORS)
    assert collected.gaps == {}
    props = by_id(collected, good).props
    assert props["default_cache_behavior"]["viewer_protocol_policy"] == "redirect-to-https"
    assert props["origins"][0]["custom_origin_config"] == {
        "http_port": 80, "https_port": 443, "origin_protocol_policy": "https-only",
        "origin_ssl_protocols": ["TLSv1.2"], "origin_read_timeout": 30,
        "origin_keepalive_timeout": 5,
    }  # fmt: skip
    evaluation = audit(aws, cloudfront.COLLECTORS)
    assert verdicts(evaluation, "cloudfront_viewer_https") == {good: Status.PASS, bad: Status.FAIL}
    assert verdicts(evaluation, "cloudfront_origin_https") == {good: Status.PASS, bad: Status.FAIL}


def test_a_denied_distribution_listing_is_a_gap(aws, monkeypatch):
    _distribution(aws, viewer="redirect-to-https", origin="https-only")
    deny(monkeypatch, "cloudfront", "ListDistributions")
    collected = collect(aws, cloudfront.COLLECTORS)
    assert collected.resources == ()
    [reason] = collected.gaps.values()
    assert "access denied to ListDistributions" in reason


def _rest_api(aws) -> tuple[str, str]:
    client = aws.client("apigateway")
    api = client.create_rest_api(name="claims")["id"]
    root = client.get_resources(restApiId=api)["items"][0]["id"]
    claim = client.create_resource(restApiId=api, parentId=root, pathPart="claims")["id"]
    client.put_method(restApiId=api, resourceId=claim, httpMethod="GET", authorizationType="NONE")
    client.put_method(restApiId=api, resourceId=claim, httpMethod="POST",
                      authorizationType="AWS_IAM")  # fmt: skip
    for verb in ("GET", "POST"):
        client.put_integration(restApiId=api, resourceId=claim, httpMethod=verb, type="MOCK")
    deployment = client.create_deployment(restApiId=api)["id"]
    client.create_stage(restApiId=api, stageName="prod", deploymentId=deployment)
    client.update_stage(restApiId=api, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"}])  # fmt: skip
    return api, claim


def test_rest_methods_stages_and_method_settings_are_read(aws):
    api, claim = _rest_api(aws)
    collected = collect(aws, apigateway.COLLECTORS)
    assert collected.gaps == {}
    get = by_id(collected, f"agm-{api}-{claim}-GET").props
    assert (get["rest_api"], get["http_method"], get["authorization"]) == (api, "GET", "NONE")
    settings = by_id(collected, f"{api}-prod-*/*").props
    assert (settings["stage_name"], settings["settings"]["logging_level"]) == ("prod", "ERROR")
    evaluation = audit(aws, apigateway.COLLECTORS)
    assert verdicts(evaluation, "apigateway_method_authorized") == {
        f"agm-{api}-{claim}-GET": Status.FAIL,
        f"agm-{api}-{claim}-POST": Status.PASS,
    }
    assert verdicts(evaluation, "apigateway_stage_logging") == {f"ags-{api}-prod": Status.PASS}


def test_http_api_routes_and_stages_are_read(aws):
    client = aws.client("apigatewayv2")
    api = client.create_api(Name="claims", ProtocolType="HTTP")["ApiId"]
    open_route = client.create_route(ApiId=api, RouteKey="GET /claims")["RouteId"]
    closed = client.create_route(ApiId=api, RouteKey="POST /claims", AuthorizationType="AWS_IAM")
    client.create_stage(
        ApiId=api,
        StageName="prod",
        AccessLogSettings={
            "DestinationArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:api",
            "Format": "$context",
        },
    )
    collected = collect(aws, apigatewayv2.COLLECTORS)
    assert collected.gaps == {}
    assert by_id(collected, api).props["protocol_type"] == "HTTP"
    evaluation = audit(aws, apigatewayv2.COLLECTORS)
    assert verdicts(evaluation, "apigatewayv2_route_authorized") == {
        open_route: Status.FAIL,
        closed["RouteId"]: Status.PASS,
    }
    assert verdicts(evaluation, "apigateway_stage_logging") == {f"{api}/prod": Status.PASS}


def test_streams_and_delivery_streams_are_read_with_their_encryption(aws):
    client = aws.client("kinesis")
    client.create_stream(StreamName="events", ShardCount=1)
    client.create_stream(StreamName="plain", ShardCount=1)
    client.start_stream_encryption(StreamName="events", EncryptionType="KMS", KeyId=KEY)
    firehose = aws.client("firehose")
    for name in ("export", "raw"):
        firehose.create_delivery_stream(
            DeliveryStreamName=name,
            ExtendedS3DestinationConfiguration={
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose",
                "BucketARN": "arn:aws:s3:::exports",
            },
        )
    # (The emulator records encryption given at creation without its status; AWS reports it
    # ENABLING, then ENABLED. Starting it afterwards gives the status AWS would.)
    firehose.start_delivery_stream_encryption(
        DeliveryStreamName="export",
        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"},
    )
    collected = collect(aws, kinesis.COLLECTORS)
    assert collected.gaps == {}
    events = by_id(collected, "events").props
    assert (events["encryption_type"], events["kms_key_id"]) == ("KMS", KEY)
    evaluation = audit(aws, kinesis.COLLECTORS)
    assert verdicts(evaluation, "kinesis_stream_encrypted") == {
        "events": Status.PASS,
        "plain": Status.FAIL,
    }
    arn = f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/"
    assert verdicts(evaluation, "firehose_delivery_stream_encrypted") == {
        f"{arn}export": Status.PASS,
        f"{arn}raw": Status.FAIL,
    }


def test_classic_listener_policies_are_read_and_judged(aws):
    elb_client = aws.client("elb")
    cert = aws.client("acm").request_certificate(DomainName="legacy.example.com")["CertificateArn"]
    elb_client.create_load_balancer(
        LoadBalancerName="legacy",
        Listeners=[{"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstancePort": 8443,
                    "InstanceProtocol": "HTTPS", "SSLCertificateId": cert}],
        AvailabilityZones=["us-east-1a"],
    )  # fmt: skip
    elb_client.create_load_balancer_policy(
        LoadBalancerName="legacy", PolicyName="tls12", PolicyTypeName="SSLNegotiationPolicyType",
        PolicyAttributes=[{"AttributeName": "Reference-Security-Policy",
                           "AttributeValue": "ELBSecurityPolicy-TLS-1-2-2017-01"}],
    )  # fmt: skip
    elb_client.set_load_balancer_policies_of_listener(
        LoadBalancerName="legacy", LoadBalancerPort=443, PolicyNames=["tls12"]
    )
    collectors = [*elb.COLLECTORS, *elb_tls.COLLECTORS]
    collected = collect(aws, collectors)
    assert collected.gaps == {}
    assert by_id(collected, "legacy:443").props["policy_names"] == ["tls12"]
    evaluation = audit(aws, collectors)
    assert verdicts(evaluation, "elb_classic_tls_policy") == {"legacy": Status.PASS}
    assert verdicts(evaluation, "elb_classic_acm_certificate") == {"legacy": Status.PASS}
    assert verdicts(evaluation, "elb_classic_cross_zone") == {"legacy": Status.FAIL}
