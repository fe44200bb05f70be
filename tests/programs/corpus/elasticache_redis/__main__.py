"""Session cache: Redis with TLS, an auth token and a customer-managed key."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
node_type = config.get("nodeType") or "cache.t4g.micro"
auth_token = config.require_secret("authToken")

vpc = aws.ec2.Vpc("cache", cidr_block="10.110.0.0/16")
subnets = [
    aws.ec2.Subnet(f"cache-{i}", vpc_id=vpc.id, cidr_block=f"10.110.{i}.0/24") for i in range(2)
]
group = aws.elasticache.SubnetGroup("cache", subnet_ids=[s.id for s in subnets])
sg = aws.ec2.SecurityGroup(
    "cache",
    vpc_id=vpc.id,
    description="redis from the VPC",
    ingress=[{"protocol": "tcp", "from_port": 6379, "to_port": 6379, "cidr_blocks": [vpc.cidr_block]}],
)
key = aws.kms.Key("cache", enable_key_rotation=True)
aws.elasticache.ReplicationGroup(
    "sessions",
    description="user sessions",
    engine="redis",
    node_type=node_type,
    num_cache_clusters=2,
    automatic_failover_enabled=True,
    transit_encryption_enabled=True,
    at_rest_encryption_enabled=True,
    kms_key_id=key.arn,
    auth_token=auth_token,
    subnet_group_name=group.name,
    security_group_ids=[sg.id],
    snapshot_retention_limit=7,
)
