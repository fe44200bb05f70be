"""EFS and ElastiCache, live: a file system of ePHI with no backup plan is named by the backup
check, and a mount target or cache subnet group in a subnet that routes to the internet is named
by the private-subnet check; a denied read makes those checks NOT_EVALUATED."""

from __future__ import annotations

from checks.registry import Status
from checks.sources.aws.services import ec2_network, efs, elasticache
from tests.emulator.live_audit import audit, deny, findings

COLLECTORS = [*efs.COLLECTORS, *elasticache.COLLECTORS, *ec2_network.COLLECTORS]


def _public_subnet(aws) -> str:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return subnet


def _file_system(aws, subnet: str) -> str:
    efs_client = aws.client("efs")
    fs = efs_client.create_file_system(
        CreationToken="scans", Encrypted=False,
        Tags=[{"Key": "Name", "Value": "patient-scans"},
              {"Key": "data-classification", "Value": "ePHI"}],
    )["FileSystemId"]  # fmt: skip
    efs_client.create_mount_target(FileSystemId=fs, SubnetId=subnet)
    return fs


def test_an_ephi_file_system_outside_any_backup_plan_is_named(aws):
    subnet = _public_subnet(aws)
    _file_system(aws, subnet)
    aws.client("elasticache").create_cache_subnet_group(
        CacheSubnetGroupName="sessions-cache", CacheSubnetGroupDescription="sessions",
        SubnetIds=[subnet],
    )  # fmt: skip
    evaluation = audit(aws, COLLECTORS)
    (backup,) = findings(evaluation, "efs_in_backup_plan")
    # The backup collector is not run here (moto lacks ListBackupSelections): no selection
    # exists, so the check judges the file system alone.
    assert backup.status is Status.FAIL
    assert backup.resource.name == "patient-scans"
    private = {
        f.resource.id: f for f in findings(evaluation, "private_subnet_no_igw_route") if f.resource
    }
    assert private[subnet].status is Status.FAIL


def test_a_denied_efs_read_leaves_the_backup_check_not_evaluated(aws, monkeypatch):
    _file_system(aws, _public_subnet(aws))
    deny(monkeypatch, "efs", "DescribeFileSystems")
    evaluation = audit(aws, COLLECTORS)
    (backup,) = findings(evaluation, "efs_in_backup_plan")
    assert backup.status is Status.NOT_EVALUATED
    assert "DescribeFileSystems" in backup.message
