"""The AWS Config HIPAA pack coverage map (`checks/config_pack.yaml`): every rule of the pack once,
each mapped to checks that judge one of the rule's resource types (or the account), or saying
why none does; and the README's table is the one `scripts/config_pack_table.py` generates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from checks.config_pack import PACK_FILE, ConfigPackError, load_config_pack
from checks.library import build_registry
from checks.sources.pulumi_schema import resource_class
from scripts.config_pack_table import README, readme_section, render

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "aws_config_hipaa.csv"
# Issue 11's acceptance: at least this many of the pack's rules checked, the rest explained.
MIN_CHECKED = 115

LB = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
SECURITY_GROUP = (
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
)  # fmt: skip
POLICY_DOCUMENTS = (
    "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)  # fmt: skip
ATTACHMENTS = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
)
# The CloudFormation types of the reference table, as the Pulumi tokens that declare them (and
# the types only the live source produces for their state). Where Pulumi splits a resource in
# two, both halves: a load balancer's listeners, a function's permissions, a volume declared as
# an instance's block device, a principal's inline policies, a policy's attachments.
CFN_TYPES: dict[str, tuple[str, ...]] = {
    "AWS::ACM::Certificate": ("aws:acm/certificate:Certificate",),
    "AWS::ApiGateway::Stage": ("aws:apigateway/stage:Stage",),
    "AWS::ApiGatewayV2::Stage": ("aws:apigatewayv2/stage:Stage",),
    "AWS::AutoScaling::AutoScalingGroup": ("aws:autoscaling/group:Group",),
    "AWS::AutoScaling::LaunchConfiguration": ("aws:ec2/launchConfiguration:LaunchConfiguration",),
    "AWS::Backup::BackupPlan": ("aws:backup/plan:Plan",),
    "AWS::Backup::BackupVault": ("aws:backup/vault:Vault",),
    # No program declares a recovery point: it takes the key of the vault it is kept in.
    "AWS::Backup::RecoveryPoint": ("aws:backup/vault:Vault",),
    "AWS::CloudWatch::Alarm": ("aws:cloudwatch/metricAlarm:MetricAlarm",),
    "AWS::CodeBuild::Project": ("aws:codebuild/project:Project",),
    "AWS::DMS::ReplicationInstance": ("aws:dms/replicationInstance:ReplicationInstance",),
    "AWS::DynamoDB::Table": ("aws:dynamodb/table:Table",),
    "AWS::EC2::Instance": ("aws:ec2/instance:Instance", "aws:ec2/instanceStatus:InstanceStatus"),
    "AWS::EC2::InternetGateway": ("aws:ec2/internetGateway:InternetGateway",),
    "AWS::EC2::RouteTable": ("aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route"),
    "AWS::EC2::SecurityGroup": SECURITY_GROUP,
    "AWS::EC2::Subnet": ("aws:ec2/subnet:Subnet", "aws:ec2/defaultSubnet:DefaultSubnet"),
    "AWS::EC2::VPC": ("aws:ec2/vpc:Vpc", "aws:ec2/defaultVpc:DefaultVpc"),
    "AWS::EC2::VPNConnection": ("aws:ec2/vpnConnection:VpnConnection",),
    "AWS::EC2::Volume": (
        "aws:ebs/volume:Volume",
        "aws:ec2/instance:Instance",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:ec2/launchConfiguration:LaunchConfiguration",
    ),  # fmt: skip
    "AWS::ECS::TaskDefinition": ("aws:ecs/taskDefinition:TaskDefinition",),
    "AWS::EFS::FileSystem": ("aws:efs/fileSystem:FileSystem",),
    "AWS::EMR::Cluster": ("aws:emr/cluster:Cluster",),
    "AWS::ElastiCache::CacheCluster": ("aws:elasticache/cluster:Cluster",),
    "AWS::ElastiCache::ReplicationGroup": ("aws:elasticache/replicationGroup:ReplicationGroup",),
    "AWS::ElasticBeanstalk::Environment": ("aws:elasticbeanstalk/environment:Environment",),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("aws:elb/loadBalancer:LoadBalancer",),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (*LB, *LISTENERS),
    "AWS::Elasticsearch::Domain": ("aws:elasticsearch/domain:Domain",),
    "AWS::IAM::Group": ("aws:iam/group:Group", "aws:iam/groupPolicy:GroupPolicy"),
    "AWS::IAM::Policy": (*POLICY_DOCUMENTS, "aws:iam/role:Role", *ATTACHMENTS),
    "AWS::IAM::Role": ("aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"),
    "AWS::IAM::User": ("aws:iam/user:User", "aws:iam/userPolicy:UserPolicy"),
    "AWS::KMS::Key": ("aws:kms/key:Key",),
    "AWS::Kinesis::Stream": ("aws:kinesis/stream:Stream",),
    "AWS::Lambda::Function": ("aws:lambda/function:Function", "aws:lambda/permission:Permission"),
    "AWS::OpenSearch::Domain": ("aws:opensearch/domain:Domain",),
    "AWS::RDS::DBCluster": ("aws:rds/cluster:Cluster",),
    "AWS::RDS::DBClusterSnapshot": (
        "aws:rds/clusterSnapshot:ClusterSnapshot",
        "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
    ),  # fmt: skip
    "AWS::RDS::DBInstance": (
        "aws:rds/instance:Instance",
        "aws:rds/clusterInstance:ClusterInstance",
    ),
    "AWS::RDS::DBSnapshot": ("aws:rds/snapshot:Snapshot", "aws:rds/snapshotCopy:SnapshotCopy"),
    "AWS::Redshift::Cluster": ("aws:redshift/cluster:Cluster",),
    "AWS::S3::Bucket": ("aws:s3/bucket:Bucket",),
    "AWS::SNS::Topic": ("aws:sns/topic:Topic",),
    "AWS::SSM::AssociationCompliance": ("aws:ssm/managedInstance:ManagedInstance",),
    "AWS::SSM::Document": ("aws:ssm/document:Document",),
    "AWS::SSM::ManagedInstanceInventory": ("aws:ssm/managedInstance:ManagedInstance",),
    "AWS::SSM::PatchCompliance": ("aws:ssm/managedInstance:ManagedInstance",),
    "AWS::SageMaker::EndpointConfig": (
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
    ),
    "AWS::SageMaker::NotebookInstance": ("aws:sagemaker/notebookInstance:NotebookInstance",),
    "AWS::SecretsManager::Secret": ("aws:secretsmanager/secret:Secret",),
    "AWS::WAFv2::WebACL": ("aws:wafv2/webAcl:WebAcl",),
    # Account-wide settings a program declares on resources of their own: the trail, and the
    # buckets whose data events it records. Account checks judge the account itself.
    "AWS::::Account": ("aws:cloudtrail/trail:Trail", "aws:s3/bucket:Bucket"),
    "(process check - no resource)": (),
}
# Types only the live source produces (the state of an instance, SSM's view of it).
LIVE_ONLY = {"aws:ec2/instanceStatus:InstanceStatus", "aws:ssm/managedInstance:ManagedInstance"}
# Rules whose subject a check judges through the resource that holds it, with why.
JUDGED_THROUGH = {
    "vpc-default-security-group-closed": (
        ("aws:ec2/vpc:Vpc", "aws:ec2/defaultVpc:DefaultVpc"),
        "a VPC's default security group is judged with the VPC it comes with",
    ),
    "no-unrestricted-route-to-igw": (
        ("aws:ec2/subnet:Subnet", "aws:ec2/defaultSubnet:DefaultSubnet"),
        "routes to an internet gateway are judged for the private subnets they serve",
    ),
}


@pytest.fixture(scope="module")
def pack():
    return load_config_pack()


@pytest.fixture(scope="module")
def reference() -> dict[str, tuple[str, ...]]:
    if not REFERENCE.is_file():
        pytest.skip(f"the reference table {REFERENCE} is not present next to the repo")
    with REFERENCE.open(newline="") as handle:
        return {
            r["config_rule"]: tuple(t.strip() for t in r["resource_types"].split(";"))
            for r in csv.DictReader(handle)
        }


def test_every_rule_of_the_pack_is_in_the_file_once_in_the_reference_order(pack, reference):
    names = [r.rule for r in pack]
    assert len(names) == len(set(names)) == len(reference) == 130
    assert names == list(reference)


def test_each_named_check_exists_and_judges_a_type_of_its_rule_or_the_account(pack, reference):
    registry = build_registry()
    problems = []
    for rule in pack:
        types = {t for cfn in reference[rule.rule] for t in CFN_TYPES[cfn]}
        types |= set(JUDGED_THROUGH.get(rule.rule, ((), ""))[0])
        for check_id in rule.checks:
            chk = registry.get(check_id)
            if chk is None:
                problems.append(f"{rule.rule}: no check {check_id}")
            elif chk.scope != "account" and not types & set(chk.resource_types):
                problems.append(f"{rule.rule}: {check_id} judges {list(chk.resource_types)}")
    assert problems == []


def test_every_check_of_a_pack_rule_is_mapped_to_it(pack):
    listed = {r.rule: set(r.checks) for r in pack}
    unmapped = sorted(
        (c.config_rule, c.id)
        for c in build_registry()
        if c.config_rule in listed and c.id not in listed[c.config_rule]
    )
    assert unmapped == []


def test_enough_rules_are_checked_and_the_rest_say_why(pack):
    checked = [r for r in pack if r.checked]
    assert len(checked) >= MIN_CHECKED
    for rule in pack:
        if not rule.checked:
            assert len(rule.not_checked) > 40, rule.rule
            assert not rule.not_checked.lower().startswith("pending"), rule.rule


def test_the_type_tables_name_real_tokens():
    tokens = {t for ts in CFN_TYPES.values() for t in ts}
    tokens |= {t for ts, _ in JUDGED_THROUGH.values() for t in ts}
    assert sorted(t for t in tokens - LIVE_ONLY if resource_class(t) is None) == []


def test_the_readme_table_is_the_generated_one_with_the_count(pack):
    section = readme_section(README.read_text(encoding="utf-8"))
    assert section == render(pack)
    checked = sum(r.checked for r in pack)
    assert f"**{checked} of the pack's 130 rules are checked**" in section


def test_render_shows_checks_and_reasons():
    pack = load_config_pack()
    text = render(pack)
    assert (
        "| cloudtrail-enabled | `cloudtrail_enabled_multi_region`, `cloudtrail_multi_region` |"
        in text
    )
    assert "| annual-risk-assessment-performed | *not checked:* A process, not a resource." in text


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"rule": "x", "checks": ["a"], "not_checked": "both"}, "exactly one of"),
        ({"rule": "x"}, "exactly one of"),
        ({"rule": "x", "checks": []}, "non-empty list"),
        ({"rule": "x", "not_checked": " "}, "must say why"),
        ({"rule": "x", "checks": ["a"], "why": "?"}, "unknown fields"),
    ],
)
def test_malformed_data_fails_naming_the_file_and_the_rule(tmp_path, entry, message):
    bad = tmp_path / "config_pack.yaml"
    bad.write_text(yaml.safe_dump({"version": 1, "rules": [entry]}))
    with pytest.raises(ConfigPackError, match=rf"config_pack\.yaml: rule x: .*{message}"):
        load_config_pack(bad)
    assert PACK_FILE.name == "config_pack.yaml"
