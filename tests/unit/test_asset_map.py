"""The technology asset inventory and the ePHI network map on small hand-built inventories."""

from __future__ import annotations

import json

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import UNKNOWN, Inventory, Resource
from policies.asset_kinds import NO_BACKUP_EXPECTED, data_kinds
from policies.asset_map import asset_map
from policies.asset_network import network_map
from policies.asset_placement import ports_text

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
IGW = "aws:ec2/internetGateway:InternetGateway"
LB = "aws:lb/loadBalancer:LoadBalancer"
EC2 = "aws:ec2/instance:Instance"
RDS = "aws:rds/instance:Instance"
DB_SUBNETS = "aws:rds/subnetGroup:SubnetGroup"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
KMS_KEY = "aws:kms/key:Key"
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1111-2222"


def res(type_: str, logical: str, ident: str, **props) -> Resource:
    return Resource(type_, logical, props, urn=f"urn:pulumi:t::p::{type_}::{logical}", id=ident)


def web(ingress=0, subnets=("subnet-pub",), db_public=False, db_subnet="subnet-priv"):
    """A VPC with a public and a private subnet; internet → load balancer → app → database, and
    a bucket anyone may read."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
            {
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
            },
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        ],
    }
    return [
        res(VPC, "main", "vpc-1", cidr_block="10.0.0.0/16"),
        res(SUBNET, "pub", "subnet-pub", vpc_id="vpc-1", cidr_block="10.0.1.0/24"),
        res(SUBNET, "priv", "subnet-priv", vpc_id="vpc-1", cidr_block="10.0.2.0/24"),
        res(IGW, "igw", "igw-1", vpc_id="vpc-1"),
        res(
            ROUTE_TABLE,
            "public-routes",
            "rtb-pub",
            vpc_id="vpc-1",
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}],
        ),
        res(ROUTE_TABLE, "private-routes", "rtb-priv", vpc_id="vpc-1", routes=[]),
        res(ASSOCIATION, "a-pub", "rtbassoc-1", subnet_id="subnet-pub", route_table_id="rtb-pub"),
        res(
            ASSOCIATION, "a-priv", "rtbassoc-2", subnet_id="subnet-priv", route_table_id="rtb-priv"
        ),
        res(
            SG,
            "lb-sg",
            "sg-lb",
            vpc_id="vpc-1",
            ingress=[
                {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}
            ],
        ),
        res(SG, "app-sg", "sg-app", vpc_id="vpc-1", ingress=[]),
        res(
            INGRESS,
            "app-from-lb",
            "sgr-1",
            security_group_id="sg-app",
            referenced_security_group_id="sg-lb",
            ip_protocol="tcp",
            from_port=8443,
            to_port=8443,
        ),
        res(
            SG,
            "db-sg",
            "sg-db",
            vpc_id="vpc-1",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 5432,
                    "to_port": 5432,
                    "security_groups": ["sg-app"],
                },
                *(
                    [
                        {
                            "protocol": "tcp",
                            "from_port": 5432,
                            "to_port": 5432,
                            "cidr_blocks": ["0.0.0.0/0"],
                        }
                    ]
                    if ingress
                    else []
                ),
            ],
        ),
        res(LB, "alb", "alb-1", internal=False, subnets=list(subnets), security_groups=["sg-lb"]),
        res(
            EC2,
            "app",
            "i-1",
            subnet_id="subnet-priv",
            vpc_security_group_ids=["sg-app"],
            associate_public_ip_address=False,
        ),
        res(DB_SUBNETS, "db-subnets", "db-subnets", name="db-subnets", subnet_ids=[db_subnet]),
        res(KMS_KEY, "db-key", "1111-2222", arn=KEY_ARN),
        res(
            RDS,
            "patients",
            "db-1",
            vpc_security_group_ids=["sg-db"],
            db_subnet_group_name="db-subnets",
            publicly_accessible=db_public,
            storage_encrypted=True,
            kms_key_id=KEY_ARN,
            backup_retention_period=7,
            tags={"data-classification": "ePHI"},
        ),
        res(BUCKET, "exports", "exports-bucket", bucket="exports-bucket"),
        res(
            BUCKET_POLICY,
            "exports-policy",
            "exports-bucket",
            bucket="exports-bucket",
            policy=json.dumps(policy),
        ),
    ]


def labelled(found: dict) -> tuple[dict, list]:
    """Node labels by id, and the edges as (from label, to label, kind, detail, via)."""
    labels = {n["id"]: n["label"] for n in found["nodes"]}
    edges = [
        (labels[e["from"]], labels[e["to"]], e["kind"], e["detail"], e["via"])
        for e in found["edges"]
    ]
    return labels, edges


def test_nodes_cover_the_network_and_the_stores_in_a_fixed_order():
    found = network_map(Inventory(web()))
    assert [(n["id"], n["label"]) for n in found["nodes"]] == [
        ("internet", "Internet"),
        ("vpc-1", "main"),
        ("subnet-1", "priv"),
        ("subnet-2", "pub"),
        ("security_group-1", "app-sg"),
        ("security_group-2", "db-sg"),
        ("security_group-3", "lb-sg"),
        ("load_balancer-1", "alb"),
        ("compute-1", "app"),
        ("data-1", "exports"),
        ("data-2", "patients"),
        ("principal-1", "service logging.s3.amazonaws.com"),
    ]
    tiers = {n["label"]: n["tier"] for n in found["nodes"] if n["kind"] == "subnet"}
    assert tiers == {"pub": "public", "priv": "private"}
    db = next(n for n in found["nodes"] if n["label"] == "patients")
    assert (db["vpc"], db["subnets"], db["security_groups"]) == (
        "vpc-1",
        ["subnet-1"],
        ["security_group-2"],
    )
    assert (db["ephi"], db["public"], db["internet"]) == ("ephi", False, "no")


def test_edges_follow_security_group_references_and_bucket_policies():
    _, edges = labelled(network_map(Inventory(web())))
    assert edges == [
        ("Internet", "alb", "internet", ["tcp 443"], ["lb-sg"]),
        ("app", "patients", "network", ["tcp 5432"], ["db-sg"]),
        ("alb", "app", "network", ["tcp 8443"], ["app-sg"]),
        ("Internet", "exports", "policy", ["s3:GetObject (exports-policy)"], ["unconditional"]),
        (
            "service logging.s3.amazonaws.com",
            "exports",
            "policy",
            ["s3:PutObject (exports-policy)"],
            ["with a condition"],
        ),
    ]


def test_a_public_database_whose_group_admits_the_internet_is_reached_from_it():
    found = network_map(Inventory(web(ingress=1, db_public=True, db_subnet="subnet-pub")))
    _, edges = labelled(found)
    assert ("Internet", "patients", "internet", ["tcp 5432"], ["db-sg"]) in edges


def test_a_public_flag_in_private_subnets_only_draws_no_internet_edge():
    found = network_map(Inventory(web(ingress=1, db_public=True)))
    _, edges = labelled(found)
    assert [e for e in edges if e[1] == "patients" and e[2] == "internet"] == []
    db = next(n for n in found["nodes"] if n["label"] == "patients")
    assert db["internet"] == "no"


def test_a_public_flag_not_known_yet_is_unknown_and_said():
    found = network_map(Inventory(web(ingress=1, db_public=UNKNOWN, db_subnet="subnet-pub")))
    db = next(n for n in found["nodes"] if n["label"] == "patients")
    assert (db["public"], db["internet"]) == (None, "unknown")
    assert found["notes"] == [
        "patients admits the internet, but whether it has a public address cannot be told"
    ]


def test_an_internal_load_balancer_is_not_reached_from_the_internet():
    inventory = [r for r in web() if r.type != LB]
    inventory.append(
        res(LB, "alb", "alb-1", internal=True, subnets=["subnet-pub"], security_groups=["sg-lb"])
    )
    found = network_map(Inventory(inventory))
    _, edges = labelled(found)
    assert [e for e in edges if e[2] == "internet"] == []


def test_the_map_is_the_same_whatever_the_inventory_order():
    resources = web()
    assert network_map(Inventory(resources)) == network_map(Inventory(list(reversed(resources))))


def rows(resources: list[Resource]) -> dict[str, dict]:
    inv = Inventory(resources)
    found = asset_map(inv, evaluate(inv, build_registry()).findings)
    return {r["name"]: r for r in found["assets"]}


def test_asset_rows_read_the_findings_and_say_unknown_when_untagged():
    found = rows(web())
    assert list(found) == ["app", "exports", "patients"]
    db, bucket, host = found["patients"], found["exports"], found["app"]
    assert (host["kind"], host["encryption"]["state"]) == (
        "compute with storage of its own",
        "not shown to be encrypted",
    )
    assert (db["classification"], db["classification_tag"]) == ("ephi", "ePHI")
    assert db["encryption"]["state"] == "customer-managed key"
    assert db["backup"]["state"] == "automated backups, 7 days"
    assert db["exposure"] == {"state": "private", "basis": "rds_instance_not_public passed"}
    assert (bucket["classification"], bucket["classification_tag"]) == ("unknown", None)
    assert bucket["encryption"]["state"] == "AWS-managed key (SSE-S3)"
    assert bucket["exposure"] == {
        "state": "public",
        "basis": "a policy grants anyone s3:GetObject (exports-policy)",
    }
    assert bucket["backup"] == {
        "state": "none",
        "basis": "no backup plan selects it and it keeps no native backups",
    }


def test_an_unencrypted_database_reached_from_the_internet():
    resources = [
        r
        if r.name != "patients"
        else res(
            RDS,
            "patients",
            "db-1",
            vpc_security_group_ids=["sg-db"],
            db_subnet_group_name="db-subnets",
            publicly_accessible=True,
            storage_encrypted=False,
            backup_retention_period=0,
        )
        for r in web(ingress=1, db_subnet="subnet-pub")
    ]
    db = rows(resources)["patients"]
    assert db["encryption"]["state"] == "not encrypted"
    assert db["backup"]["state"] == "none"
    assert db["exposure"] == {
        "state": "internet-reachable",
        "basis": "db-sg admits tcp 5432 from the internet to a public address",
    }
    assert db["classification"] == "unknown"


def test_ports_not_known_yet_are_never_shown_by_their_value():
    assert ports_text("tcp", UNKNOWN, 443) == "ports not known yet"
    assert ports_text("-1", 0, 0) == "all traffic"
    assert ports_text("6", 1024, 65535) == "tcp 1024-65535"


def test_the_groups_without_backups_are_groups_of_the_shared_list():
    groups = set(data_kinds().values())
    assert groups >= NO_BACKUP_EXPECTED
    assert data_kinds()["aws:cloudwatch/logGroup:LogGroup"] == "streams, queues and logs"
    assert data_kinds()["aws:backup/vault:Vault"] == "copies and backups"
