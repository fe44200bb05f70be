"""The VPC: three tiers across availability zones, fenced by security groups and NACLs.

- public subnets hold only the load balancer and the NAT gateways; nothing gets a public IP;
- app subnets reach the internet only outbound, through NAT, and AWS storage through gateway
  endpoints;
- data subnets have no route out of the VPC at all.

The default security group, route table and NACL are adopted and emptied, so anything launched
without an explicit choice is isolated. Every flow is logged to an encrypted log group.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing import network_acls as acls
from billing.context import StackContext
from billing.policy import document, statement
from billing.service_roles import service_role
from billing.tagging import INTERNAL

TIERS = ("public", "app", "data")
POSTGRES_PORT = 5432
HTTPS_PORT = 443
HTTP_PORT = 80


@dataclass(frozen=True)
class NetworkArgs:
    """Knobs of the network."""

    # Customer-managed key for the flow-log group.
    flow_log_kms_key_arn: pulumi.Input[str]
    # IPv4 range of the VPC; each tier gets one /24 per availability zone.
    cidr: str = "10.40.0.0/16"
    # Availability zones to span (2 or more; the database's standby needs a second one).
    az_count: int = 2
    # One NAT gateway per zone (an AZ outage leaves the others' egress up) or one in total.
    nat_gateway_per_az: bool = True
    # Port the application listens on (TLS from the load balancer).
    app_port: int = 8443
    # Port of the database.
    db_port: int = POSTGRES_PORT
    # Open port 80 on the load balancer, where a listener only redirects to HTTPS.
    http_redirect: bool = True
    # Days the flow logs are kept (a CloudWatch Logs retention value, 365 or more).
    flow_log_retention_days: int = 365


def carve_subnets(cidr: str, az_count: int) -> dict[str, list[str]]:
    """/24s per tier and zone, skipping the first /24 so it stays free for later use."""
    blocks = ipaddress.ip_network(cidr).subnets(new_prefix=24)
    next(blocks)
    return {tier: [str(next(blocks)) for _ in range(az_count)] for tier in TIERS}


class Network(pulumi.ComponentResource):
    """VPC with public (load balancer), app and data subnets in `az_count` zones."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: NetworkArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:Network", name, None, opts)
        self._ctx, self._args = ctx, args
        self._child = pulumi.ResourceOptions(parent=self)
        zones = aws.get_availability_zones(state="available").names[: args.az_count]
        if len(zones) < args.az_count:
            raise ValueError(
                f"region {ctx.account.region} offers {len(zones)} availability zones; "
                f"the network needs {args.az_count}"
            )
        self.cidrs = carve_subnets(args.cidr, args.az_count)
        self.vpc = aws.ec2.Vpc(
            "vpc",
            cidr_block=args.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=ctx.tags(INTERNAL, ctx.name("vpc")),
            opts=self._child,
        )
        self.subnets = {
            tier: [
                aws.ec2.Subnet(
                    f"{tier}-subnet-{index}",
                    vpc_id=self.vpc.id,
                    availability_zone=zone,
                    cidr_block=cidr,
                    map_public_ip_on_launch=False,
                    tags={**ctx.tags(INTERNAL, ctx.name(f"{tier}-{zone}")), "tier": tier},
                    opts=self._child,
                )
                for index, (zone, cidr) in enumerate(zip(zones, self.cidrs[tier], strict=True))
            ]
            for tier in TIERS
        }
        self._lock_down_defaults()
        self._routes()
        self._network_acls()
        self._security_groups()
        self._flow_logs()
        self.register_outputs(
            {
                "vpc_id": self.vpc.id,
                **{f"{t}_subnet_ids": [s.id for s in self.subnets[t]] for t in TIERS},
            }
        )

    def subnet_ids(self, tier: str) -> list[pulumi.Output[str]]:
        return [subnet.id for subnet in self.subnets[tier]]

    def _lock_down_defaults(self) -> None:
        ctx = self._ctx
        aws.ec2.DefaultSecurityGroup(
            "default-security-group",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=ctx.tags(INTERNAL, ctx.name("default-deny")),
            opts=self._child,
        )
        aws.ec2.DefaultRouteTable(
            "default-route-table",
            default_route_table_id=self.vpc.default_route_table_id,
            routes=[],
            tags=ctx.tags(INTERNAL, ctx.name("default-no-routes")),
            opts=self._child,
        )
        aws.ec2.DefaultNetworkAcl(
            "default-network-acl",
            default_network_acl_id=self.vpc.default_network_acl_id,
            ingress=[],
            egress=[],
            tags=ctx.tags(INTERNAL, ctx.name("default-deny")),
            opts=self._child,
        )

    def _routes(self) -> None:
        ctx, child = self._ctx, self._child
        igw = aws.ec2.InternetGateway(
            "internet-gateway",
            vpc_id=self.vpc.id,
            tags=ctx.tags(INTERNAL, ctx.name("igw")),
            opts=child,
        )
        public_rt = aws.ec2.RouteTable(
            "public-routes",
            vpc_id=self.vpc.id,
            tags=ctx.tags(INTERNAL, ctx.name("public")),
            opts=child,
        )
        aws.ec2.Route(
            "public-default-route",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        nat_count = len(self.subnets["public"]) if self._args.nat_gateway_per_az else 1
        nats = []
        for index in range(nat_count):
            eip = aws.ec2.Eip(
                f"nat-ip-{index}",
                domain="vpc",
                tags=ctx.tags(INTERNAL, ctx.name(f"nat-{index}")),
                opts=child,
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"nat-gateway-{index}",
                    allocation_id=eip.id,
                    subnet_id=self.subnets["public"][index].id,
                    connectivity_type="public",
                    tags=ctx.tags(INTERNAL, ctx.name(f"nat-{index}")),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )
        app_tables = []
        for index, subnet in enumerate(self.subnets["app"]):
            table = aws.ec2.RouteTable(
                f"app-routes-{index}",
                vpc_id=self.vpc.id,
                tags=ctx.tags(INTERNAL, ctx.name(f"app-{index}")),
                opts=child,
            )
            aws.ec2.Route(
                f"app-default-route-{index}",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nats[index % len(nats)].id,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"app-routes-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=child
            )
            app_tables.append(table)
        # The data tier keeps only the VPC's local route: no path to the internet exists.
        data_rt = aws.ec2.RouteTable(
            "data-routes",
            vpc_id=self.vpc.id,
            tags=ctx.tags(INTERNAL, ctx.name("data-local-only")),
            opts=child,
        )
        for index, subnet in enumerate(self.subnets["public"]):
            aws.ec2.RouteTableAssociation(
                f"public-routes-{index}",
                subnet_id=subnet.id,
                route_table_id=public_rt.id,
                opts=child,
            )
        for index, subnet in enumerate(self.subnets["data"]):
            aws.ec2.RouteTableAssociation(
                f"data-routes-{index}", subnet_id=subnet.id, route_table_id=data_rt.id, opts=child
            )
        # S3 and DynamoDB traffic from the app stays on the AWS network.
        for service in ("s3", "dynamodb"):
            aws.ec2.VpcEndpoint(
                f"{service}-endpoint",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{ctx.account.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[t.id for t in app_tables],
                tags=ctx.tags(INTERNAL, ctx.name(f"{service}-endpoint")),
                opts=child,
            )

    def _network_acls(self) -> None:
        args, c = self._args, self.cidrs
        rules = {
            "public": acls.public_tier(c["app"], args.app_port, args.http_redirect),
            "app": acls.app_tier(c["public"], c["data"], args.app_port, args.db_port),
            "data": acls.data_tier(c["app"], args.db_port),
        }
        for tier, (inbound, outbound) in rules.items():
            aws.ec2.NetworkAcl(
                f"{tier}-network-acl",
                vpc_id=self.vpc.id,
                subnet_ids=self.subnet_ids(tier),
                ingress=acls.ingress(inbound),
                egress=acls.egress(outbound),
                tags=self._ctx.tags(INTERNAL, self._ctx.name(f"{tier}-acl")),
                opts=self._child,
            )

    def _group(self, tier: str, description: str) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            f"{tier}-security-group",
            name=self._ctx.name(tier),
            description=description,
            vpc_id=self.vpc.id,
            tags=self._ctx.tags(INTERNAL, self._ctx.name(tier)),
            opts=self._child,
        )

    def _allow(
        self,
        name: str,
        direction: str,
        group: aws.ec2.SecurityGroup,
        port: int,
        description: str,
        *,
        peer: aws.ec2.SecurityGroup | None = None,
        cidr: str | None = None,
    ) -> None:
        rule = (
            aws.vpc.SecurityGroupIngressRule
            if direction == "ingress"
            else aws.vpc.SecurityGroupEgressRule
        )
        rule(
            name,
            security_group_id=group.id,
            referenced_security_group_id=peer.id if peer is not None else None,
            cidr_ipv4=cidr,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=description,
            tags=self._ctx.tags(INTERNAL),
            opts=self._child,
        )

    def _security_groups(self) -> None:
        args = self._args
        self.alb_security_group = self._group("alb", "Billing load balancer: HTTPS from clients")
        self.app_security_group = self._group("app", "Billing application tier")
        self.db_security_group = self._group(
            "db", "Billing PostgreSQL; reachable only from the application tier"
        )
        alb, app, db = self.alb_security_group, self.app_security_group, self.db_security_group
        self._allow(
            "alb-https-in", "ingress", alb, HTTPS_PORT, "HTTPS from clients", cidr="0.0.0.0/0"
        )
        if args.http_redirect:
            self._allow(
                "alb-http-redirect-in",
                "ingress",
                alb,
                HTTP_PORT,
                "HTTP from clients, answered only with a redirect to HTTPS",
                cidr="0.0.0.0/0",
            )
        self._allow("alb-to-app", "egress", alb, args.app_port, "TLS to the app", peer=app)
        self._allow("app-from-alb", "ingress", app, args.app_port, "TLS from the ALB", peer=alb)
        self._allow("app-to-db", "egress", app, args.db_port, "PostgreSQL to the database", peer=db)
        self._allow(
            "app-https-out",
            "egress",
            app,
            HTTPS_PORT,
            "HTTPS to AWS APIs (via NAT and gateway endpoints)",
            cidr="0.0.0.0/0",
        )
        self._allow("db-from-app", "ingress", db, args.db_port, "PostgreSQL from the app", peer=app)

    def _flow_logs(self) -> None:
        ctx, child = self._ctx, self._child
        log_group_name = f"/{ctx.name_prefix}/vpc-flow-logs"
        log_group_arn = ctx.account.arn("logs", f"log-group:{log_group_name}")
        log_group = aws.cloudwatch.LogGroup(
            "flow-logs",
            name=log_group_name,
            kms_key_id=self._args.flow_log_kms_key_arn,
            retention_in_days=self._args.flow_log_retention_days,
            tags=ctx.tags(INTERNAL),
            opts=child,
        )
        role = service_role(
            self,
            ctx,
            "flow-logs",
            "vpc-flow-logs.amazonaws.com",
            "Lets VPC flow logs write to their CloudWatch log group",
            source_arn=ctx.account.arn("ec2", "vpc-flow-log/*"),
            policy=document(
                statement(
                    "WriteFlowLogs",
                    ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [log_group_arn, f"{log_group_arn}:*"],
                )
            ),
        )
        self.flow_log = aws.ec2.FlowLog(
            "vpc-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=ctx.tags(INTERNAL, ctx.name("vpc-flow-log")),
            opts=child,
        )
