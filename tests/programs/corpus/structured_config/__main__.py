"""The portal's network and database, driven by structured config objects."""

import ipaddress

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
network = config.require_object("network")
database = config.require_object("database")
log_days = config.get_int("logRetentionDays") or 365
aws_config = pulumi.Config("aws")
default_tags = aws_config.get_object("defaultTags") or {}

cidr = ipaddress.ip_network(network["cidr"])
zones = aws.get_availability_zones(state="available").names[: network["azCount"]]
subnet_cidrs = list(cidr.subnets(new_prefix=24))

vpc = aws.ec2.Vpc("portal", cidr_block=str(cidr), enable_dns_support=True)
aws.ec2.FlowLog(
    "portal",
    vpc_id=vpc.id,
    traffic_type="ALL",
    log_destination_type="cloud-watch-logs",
    log_destination=aws.cloudwatch.LogGroup("portal-flow", retention_in_days=log_days).arn,
    iam_role_arn="arn:aws:iam::123456789012:role/flow-logs",
)
private = [
    aws.ec2.Subnet(f"private-{z}", vpc_id=vpc.id, cidr_block=str(subnet_cidrs[i]), availability_zone=z)
    for i, z in enumerate(zones)
]
db_sg = aws.ec2.SecurityGroup(
    "portal-db",
    vpc_id=vpc.id,
    description="MySQL from allowed networks",
    ingress=[
        {"protocol": "tcp", "from_port": 3306, "to_port": 3306, "cidr_blocks": network["allowedCidrs"]}
    ],
)
group = aws.rds.SubnetGroup("portal", subnet_ids=[s.id for s in private])
db = aws.rds.Instance(
    "portal",
    engine="mysql",
    engine_version="8.0",
    instance_class=database["instanceClass"],
    allocated_storage=100,
    multi_az=bool(database.get("multiAz")),
    backup_retention_period=int(database["backupRetentionDays"]),
    storage_encrypted=True,
    username="portal",
    manage_master_user_password=True,
    db_subnet_group_name=group.name,
    vpc_security_group_ids=[db_sg.id],
    tags=default_tags.get("tags"),
)
pulumi.export("db", db.address)
