"""An internal web tier: resource objects are passed straight in as inputs (vpc_id=vpc)."""

import json

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.Vpc("app", cidr_block="10.40.0.0/16", enable_dns_hostnames=True)
zones = aws.get_availability_zones(state="available").names[:2]
subnets = [
    aws.ec2.Subnet(f"app-{i}", vpc_id=vpc, cidr_block=f"10.40.{i}.0/24", availability_zone=zone)
    for i, zone in enumerate(zones)
]
table = aws.ec2.RouteTable("app", vpc_id=vpc)
for i, subnet in enumerate(subnets):
    aws.ec2.RouteTableAssociation(f"app-{i}", subnet_id=subnet, route_table_id=table)

web_sg = aws.ec2.SecurityGroup(
    "web",
    vpc_id=vpc,
    description="HTTPS from the corporate network",
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["10.40.0.0/16"]}],
)

role = aws.iam.Role(
    "web",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                }
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "web-ssm", role=role, policy_arn=aws.iam.ManagedPolicy.AMAZON_SSM_MANAGED_INSTANCE_CORE
)
profile = aws.iam.InstanceProfile("web", role=role)

key = aws.kms.Key("ebs", enable_key_rotation=True)
servers = [
    aws.ec2.Instance(
        f"web-{i}",
        ami="ami-0c55b159cbfafe1f0",
        instance_type="t3.small",
        subnet_id=subnet,
        vpc_security_group_ids=[web_sg],
        iam_instance_profile=profile,
        metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},
        root_block_device={"encrypted": True, "kms_key_id": key},
    )
    for i, subnet in enumerate(subnets)
]

lb = aws.lb.LoadBalancer("web", internal=True, subnets=subnets, security_groups=[web_sg])
target_group = aws.lb.TargetGroup("web", port=443, protocol="HTTPS", vpc_id=vpc)
for i, server in enumerate(servers):
    aws.lb.TargetGroupAttachment(f"web-{i}", target_group_arn=target_group, target_id=server)

# The provider renders the document; the bucket object stands for its name.
logs = aws.s3.Bucket("web-logs")
aws.s3.BucketPublicAccessBlock(
    "web-logs",
    bucket=logs,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
read_logs = aws.iam.get_policy_document_output(
    statements=[{"actions": ["s3:GetObject"], "resources": [logs.arn.apply(lambda a: f"{a}/*")]}]
)
aws.iam.RolePolicy("web-read-logs", role=role, policy=read_logs.json)
found = aws.ec2.get_subnets_output(filters=[{"name": "vpc-id", "values": [vpc]}])

pulumi.export("lb_dns", lb.dns_name)
pulumi.export("subnets_seen", found.ids)
