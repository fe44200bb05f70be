"""A referrals REST API deployed the pulumi_aws 6 way: the deployment names its own stage."""

import pulumi
import pulumi_aws as aws

region = aws.get_region()
api = aws.apigateway.RestApi("referrals", description=f"Referral intake ({region.region})")
ping = aws.apigateway.Resource(
    "ping", rest_api=api.id, parent_id=api.root_resource_id, path_part="ping"
)
method = aws.apigateway.Method(
    "ping-get", rest_api=api.id, resource_id=ping.id, http_method="GET", authorization="AWS_IAM"
)
mock = aws.apigateway.Integration(
    "ping-mock", rest_api=api.id, resource_id=ping.id, http_method=method.http_method, type="MOCK"
)
release = aws.apigateway.Deployment(
    "referrals-release",
    rest_api=api.id,
    stage_name="v1",
    opts=pulumi.ResourceOptions(depends_on=[mock]),
)
pulumi.export("release", release.id)
