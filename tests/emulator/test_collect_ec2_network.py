"""The VPC network collectors against the emulator: the inventory has the shape the Pulumi
sources give, a secure VPC passes the network checks, each console-style change fails the right
check on the right resource, and a refused call hides only what it reads."""

from __future__ import annotations

import pytest

from checks.model import Resource
from checks.registry import Status
from checks.sources.aws.services import ec2_network
from checks.sources.aws.services.ec2_network import (
    DEFAULT_NETWORK_ACL,
    DEFAULT_SECURITY_GROUP,
    MAIN_ROUTE_TABLE_ASSOCIATION,
    NETWORK_ACL,
    ROUTE_TABLE_ASSOCIATION,
    SECURITY_GROUP,
)
from tests.emulator.live_audit import (
    audit,
    by_id,
    collect,
    deny,
    findings,
    program_resources,
    shape_differences,
    verdicts,
)
from tests.emulator.secure_vpc import SecureVpc, secure_vpc

NETWORK = ec2_network.COLLECTORS
SG_CHECKS = (
    "sg_no_internet_admin_ports",
    "sg_no_internet_db_ports",
    "sg_internet_ingress_authorized_ports",
)


def _data_tier(net: SecureVpc) -> Resource:
    """An RDS subnet group in the VPC's subnets: what makes them data-tier subnets (NET-04)."""
    props = {"name": "db", "subnet_ids": list(net.subnet_ids)}
    return Resource("aws:rds/subnetGroup:SubnetGroup", "db", props, id="db", source="aws")


def test_network_resources_have_the_shape_the_program_sources_give(aws):
    ec2 = aws.client("ec2")
    net = secure_vpc(ec2)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=net.vpc_id)
    public = ec2.create_subnet(VpcId=net.vpc_id, CidrBlock="10.40.9.0/24")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    ec2.create_route(RouteTableId=net.route_table_id, DestinationCidrBlock="0.0.0.0/0",
                     NatGatewayId=nat)  # fmt: skip
    ec2.create_vpc_endpoint(VpcId=net.vpc_id, ServiceName="com.amazonaws.us-east-1.s3",
                            RouteTableIds=[net.route_table_id])  # fmt: skip
    acl = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
        CidrBlock="10.40.1.0/24", PortRange={"From": 8443, "To": 8443},
    )  # fmt: skip
    collected = collect(aws, NETWORK)
    assert collected.gaps == {}
    live = {r.type: r for r in collected.resources if r.props.get("vpc_id") == net.vpc_id}
    live[SECURITY_GROUP] = by_id(collected, net.db_sg)  # the group with an inline ingress rule
    live[NETWORK_ACL] = by_id(collected, acl)
    live["aws:ec2/vpc:Vpc"] = by_id(collected, net.vpc_id)
    live["aws:ec2/eip:Eip"] = by_id(collected, eip)
    live["aws:ec2/natGateway:NatGateway"] = by_id(collected, nat)
    live["aws:ec2/subnet:Subnet"] = by_id(collected, net.subnet_ids[0])
    (live[ROUTE_TABLE_ASSOCIATION],) = [
        r for r in collected.resources
        if r.type == ROUTE_TABLE_ASSOCIATION and r.props["subnet_id"] == net.subnet_ids[0]
    ]  # fmt: skip
    program = {r.type: r for r in program_resources("prod") + program_resources()}
    program[SECURITY_GROUP] = next(r for r in program_resources() if r.name == "db")
    compared = sorted(set(program) & set(live))
    assert len(compared) == 14, compared
    # Left out: what moto does not answer (a CloudWatch Logs flow log's ARN, a NAT gateway's
    # connectivity type, an endpoint's type), and a VPC's DNS attributes, which take two calls
    # per VPC and which no check reads.
    expected = {
        "aws:ec2/flowLog:FlowLog": ["log_destination: missing"],
        "aws:ec2/natGateway:NatGateway": ["connectivity_type: missing"],
        "aws:ec2/vpcEndpoint:VpcEndpoint": ["vpc_endpoint_type: missing"],
        "aws:ec2/vpc:Vpc": ["enable_dns_support: missing", "enable_dns_hostnames: missing"],
    }
    for token in compared:
        differences = shape_differences(program[token].props, live[token].props)
        assert sorted(differences) == sorted(expected.get(token, [])), token
    # The joins the checks make: a group's rule names its source group, the main table its VPC.
    assert live[SECURITY_GROUP].props["ingress"] == [
        {"protocol": "tcp", "from_port": 5432, "to_port": 5432, "description": "the app tier",
         "security_groups": [net.app_sg]}
    ]  # fmt: skip
    assert live[DEFAULT_SECURITY_GROUP].id == net.default_sg
    assert live[DEFAULT_SECURITY_GROUP].props["ingress"] == []
    main = live[MAIN_ROUTE_TABLE_ASSOCIATION].props
    assert main["vpc_id"] == net.vpc_id and main["route_table_id"] != net.route_table_id
    routes = by_id(collected, net.route_table_id).props["routes"]
    assert routes == [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat}]  # local route left out
    assert live[NETWORK_ACL].props["ingress"] == [
        {"rule_no": 100, "action": "allow", "protocol": "6", "from_port": 8443,
         "to_port": 8443, "cidr_block": "10.40.1.0/24"}
    ]  # fmt: skip
    assert live["aws:ec2/internetGateway:InternetGateway"].id == igw
    assert {r.region for r in collected.resources} == {"us-east-1"}


def test_a_secure_vpc_passes_every_network_check(aws):
    net = secure_vpc(aws.client("ec2"))
    evaluation = audit(aws, NETWORK, also=[_data_tier(net)])
    for check in SG_CHECKS:
        judged = verdicts(evaluation, check)
        for group in (net.app_sg, net.db_sg, net.default_sg):
            assert judged[group] is Status.PASS, (check, group)
    for check in ("vpc_default_security_group_closed", "vpc_flow_logs_enabled"):
        assert verdicts(evaluation, check)[net.vpc_id] is Status.PASS, check
    for check in ("subnet_no_auto_public_ip", "private_subnet_no_igw_route"):
        for subnet in net.subnet_ids:
            assert verdicts(evaluation, check)[subnet] is Status.PASS, (check, subnet)
    assert verdicts(evaluation, "nacl_no_internet_admin_ingress")[net.default_acl] is Status.PASS


@pytest.mark.parametrize(
    ("port", "cidr", "failing", "passing"),
    [
        (22, "0.0.0.0/0", "sg_no_internet_admin_ports", "sg_no_internet_db_ports"),
        (3389, "::/0", "sg_no_internet_admin_ports", "sg_no_internet_db_ports"),
        (5432, "0.0.0.0/0", "sg_no_internet_db_ports", "sg_no_internet_admin_ports"),
    ],
    ids=["ssh", "rdp-ipv6", "postgresql"],
)
def test_a_port_opened_to_the_world_in_the_console_fails(aws, port, cidr, failing, passing):
    ec2 = aws.client("ec2")
    net = secure_vpc(ec2)
    ranges = (
        {"Ipv6Ranges": [{"CidrIpv6": cidr}]} if ":" in cidr else {"IpRanges": [{"CidrIp": cidr}]}
    )
    ec2.authorize_security_group_ingress(
        GroupId=net.db_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}],
    )
    evaluation = audit(aws, NETWORK)
    (finding,) = [f for f in findings(evaluation, failing) if f.resource.id == net.db_sg]
    assert finding.status is Status.FAIL
    assert f"{cidr} -> tcp {port}-{port}" in finding.message
    assert finding.resource.name == "secure-db"
    assert verdicts(evaluation, "sg_internet_ingress_authorized_ports")[net.db_sg] is Status.FAIL
    assert verdicts(evaluation, passing)[net.db_sg] is Status.PASS
    assert verdicts(evaluation, failing)[net.app_sg] is Status.PASS


def test_network_changes_made_in_the_console_fail_the_right_checks(aws):
    ec2 = aws.client("ec2")
    net = secure_vpc(ec2)
    # The default group allows its members again; the flow log is deleted; a subnet hands out
    # public IPs; the default ACL admits SSH before its deny; the data subnets route to an IGW.
    ec2.authorize_security_group_ingress(
        GroupId=net.default_sg,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": net.default_sg}]}],
    )
    ec2.delete_flow_logs(FlowLogIds=[net.flow_log_id])
    ec2.modify_subnet_attribute(SubnetId=net.subnet_ids[1], MapPublicIpOnLaunch={"Value": True})
    ec2.create_network_acl_entry(
        NetworkAclId=net.default_acl, RuleNumber=10, Protocol="6", RuleAction="allow",
        Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 22, "To": 22},
    )  # fmt: skip
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=net.vpc_id)
    ec2.create_route(RouteTableId=net.route_table_id, DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=igw)  # fmt: skip
    evaluation = audit(aws, NETWORK, also=[_data_tier(net)])
    closed = findings(evaluation, "vpc_default_security_group_closed")
    (default_group,) = [f for f in closed if f.resource.id == net.vpc_id]
    assert default_group.status is Status.FAIL and default_group.evidence["rules"] == ["ingress[0]"]
    assert verdicts(evaluation, "vpc_flow_logs_enabled")[net.vpc_id] is Status.FAIL
    auto_ip = verdicts(evaluation, "subnet_no_auto_public_ip")
    assert (auto_ip[net.subnet_ids[0]], auto_ip[net.subnet_ids[1]]) == (Status.PASS, Status.FAIL)
    acl = [f for f in findings(evaluation, "nacl_no_internet_admin_ingress")
           if f.resource.id == net.default_acl]  # fmt: skip
    assert [f.status for f in acl] == [Status.FAIL] and "SSH" in acl[0].message
    for subnet in net.subnet_ids:
        (route,) = [f for f in findings(evaluation, "private_subnet_no_igw_route")
                    if f.resource.id == subnet]  # fmt: skip
        assert route.status is Status.FAIL
        assert route.evidence["internet_routes"][0]["gateway_id"] == igw
    # The groups' own rules did not change.
    assert verdicts(evaluation, "sg_no_internet_admin_ports")[net.default_sg] is Status.PASS


def _statuses(evaluation) -> dict[tuple[str, str], Status]:
    return {
        (f.check.id, f.resource.address if f.resource else f.scope or ""): f.status
        for f in evaluation.findings
    }


def test_a_refused_call_hides_only_the_types_it_reads(aws, monkeypatch):
    ec2 = aws.client("ec2")
    net = secure_vpc(ec2)
    ec2.authorize_security_group_ingress(
        GroupId=net.db_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )  # fmt: skip
    before = audit(aws, NETWORK)
    assert verdicts(before, "sg_no_internet_admin_ports")[net.db_sg] is Status.FAIL
    deny(monkeypatch, "ec2", "DescribeSecurityGroups")
    after = audit(aws, NETWORK)
    hidden = {*SG_CHECKS, "vpc_default_security_group_closed"}
    for check in sorted(hidden):
        assert findings(after, check), check
        for finding in findings(after, check):  # one per VPC for the default group's check
            assert finding.status is Status.NOT_EVALUATED, check
            assert "access denied to DescribeSecurityGroups (AccessDenied)" in finding.message
    kept = {k: v for k, v in _statuses(before).items() if k[0] not in hidden}
    assert kept == {k: v for k, v in _statuses(after).items() if k[0] not in hidden}
    assert any(k[0] == "vpc_flow_logs_enabled" for k in kept)
    gapped = {DEFAULT_SECURITY_GROUP, SECURITY_GROUP}
    assert gapped <= set(after.inventory.gaps) and DEFAULT_NETWORK_ACL not in after.inventory.gaps
