"""The claims database, placed in the network another stack owns (a StackReference)."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))

vpc_id = network.require_output("vpcId")
private_subnet_ids = network.require_output("privateSubnetIds")
data_key_arn = network.get_output("dataKeyArn")

db_sg = aws.ec2.SecurityGroup(
    "claims-db",
    vpc_id=vpc_id,
    description="Postgres from the app tier",
    ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["10.0.0.0/8"]}],
)
subnet_group = aws.rds.SubnetGroup("claims", subnet_ids=private_subnet_ids)

db = aws.rds.Instance(
    "claims",
    engine="postgres",
    engine_version="16.3",
    instance_class="db.r6g.large",
    allocated_storage=100,
    storage_encrypted=True,
    kms_key_id=data_key_arn,
    db_subnet_group_name=subnet_group.name,
    vpc_security_group_ids=[db_sg.id],
    username="claims",
    manage_master_user_password=True,
    multi_az=True,
    deletion_protection=True,
    backup_retention_period=35,
    iam_database_authentication_enabled=True,
    enabled_cloudwatch_logs_exports=["postgresql"],
    tags={"data-classification": "ePHI"},
)

pulumi.export("db_address", db.address)
