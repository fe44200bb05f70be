"""A VPC from awsx and a private Postgres database inside it."""

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

config = pulumi.Config()
cidr = config.get("cidr") or "10.0.0.0/16"
instance_class = config.get("dbInstanceClass") or "db.t4g.micro"

vpc = awsx.ec2.Vpc(
    "main",
    cidr_block=cidr,
    enable_dns_hostnames=True,
    number_of_availability_zones=2,
    nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy="Single"),
    subnet_specs=[
        awsx.ec2.SubnetSpecArgs(type="Public", cidr_mask=24),
        awsx.ec2.SubnetSpecArgs(type="Private", cidr_mask=22),
    ],
    tags={"project": pulumi.get_project()},
)

db_sg = aws.ec2.SecurityGroup(
    "db-sg",
    description="Postgres from inside the VPC only",
    vpc_id=vpc.vpc_id,
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp", from_port=5432, to_port=5432, cidr_blocks=[cidr]
        )
    ],
)

subnets = aws.rds.SubnetGroup("db-subnets", subnet_ids=vpc.private_subnet_ids)

key = aws.kms.Key("db-key", description="database storage", enable_key_rotation=True)

db = aws.rds.Instance(
    "db",
    engine="postgres",
    engine_version="16.3",
    instance_class=instance_class,
    allocated_storage=20,
    db_subnet_group_name=subnets.name,
    vpc_security_group_ids=[db_sg.id],
    storage_encrypted=True,
    kms_key_id=key.arn,
    username="app",
    manage_master_user_password=True,
    backup_retention_period=7,
    skip_final_snapshot=True,
)

pulumi.export("vpc_id", vpc.vpc_id)
pulumi.export("nat_gateways", vpc.nat_gateways)
pulumi.export("db_endpoint", db.endpoint)
