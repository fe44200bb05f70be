"""ECR, EKS and ECS, live: repositories, their policies and the registry's scanning rules,
clusters, services and task definitions are read in the shape a Pulumi program gives them and
judged by the container checks; a refused call makes only those checks NOT_EVALUATED."""

from __future__ import annotations

import json

from checks.registry import Status
from checks.sources.aws.services import ecr, ecs, eks
from checks.sources.aws.services.ecs import SERVICE, TASK_DEFINITION
from tests.emulator.live_audit import (
    audit,
    by_id,
    collect,
    deny,
    findings,
    program_resources,
    record_calls,
    shape_differences,
    verdicts,
)

OPEN_PUSH = {"Sid": "AnyonePush", "Effect": "Allow", "Principal": "*", "Action": ["ecr:PutImage"]}


def _repositories(aws) -> None:
    client = aws.client("ecr")
    client.create_repository(repositoryName="claims-api", imageTagMutability="IMMUTABLE",
                             imageScanningConfiguration={"scanOnPush": True})  # fmt: skip
    client.create_repository(repositoryName="scratch")
    client.set_repository_policy(
        repositoryName="scratch",
        policyText=json.dumps({"Version": "2012-10-17", "Statement": [OPEN_PUSH]}),
    )


def test_repositories_and_policies_are_read_and_judged(aws):
    _repositories(aws)
    collected = collect(aws, ecr.COLLECTORS)
    assert collected.gaps == {}
    api = by_id(collected, "claims-api")
    assert api.type == "aws:ecr/repository:Repository"
    assert (api.props["image_tag_mutability"], api.props["image_scanning_configuration"]) == (
        "IMMUTABLE",
        {"scan_on_push": True},
    )
    (policy,) = [
        r for r in collected.resources if r.type == "aws:ecr/repositoryPolicy:RepositoryPolicy"
    ]
    assert (policy.name, policy.props["repository"]) == ("scratch", "scratch")
    evaluation = audit(aws, ecr.COLLECTORS)
    assert verdicts(evaluation, "ecr_tag_immutability") == {
        "claims-api": Status.PASS,
        "scratch": Status.FAIL,
    }
    assert verdicts(evaluation, "ecr_image_scanning_enabled") == {
        "claims-api": Status.PASS,
        "scratch": Status.FAIL,
    }
    (public,) = findings(evaluation, "ecr_repository_policy_not_public")
    assert (public.status, public.resource.name) == (Status.FAIL, "scratch")
    assert public.message == "anyone may push, delete or re-permission images"


def test_a_registry_scanning_rule_covers_the_repositories_it_matches(aws):
    _repositories(aws)
    aws.client("ecr").put_registry_scanning_configuration(
        scanType="BASIC",
        rules=[{"scanFrequency": "SCAN_ON_PUSH",
                "repositoryFilters": [{"filter": "scr*", "filterType": "WILDCARD"}]}],
    )  # fmt: skip
    judged = verdicts(audit(aws, ecr.COLLECTORS), "ecr_image_scanning_enabled")
    assert judged == {"claims-api": Status.PASS, "scratch": Status.PASS}


def test_a_refused_policy_read_leaves_only_the_policy_check_not_evaluated(aws, monkeypatch):
    _repositories(aws)
    deny(monkeypatch, "ecr", "GetRepositoryPolicy")
    evaluation = audit(aws, ecr.COLLECTORS)
    statuses = {f.status for f in findings(evaluation, "ecr_repository_policy_not_public")}
    assert statuses == {Status.NOT_EVALUATED}
    assert (
        "access denied to GetRepositoryPolicy"
        in findings(evaluation, "ecr_repository_policy_not_public")[0].message
    )
    assert verdicts(evaluation, "ecr_tag_immutability")["claims-api"] is Status.PASS


def test_clusters_are_read_with_their_endpoint_encryption_and_logging(aws, monkeypatch):
    client = aws.client("eks")
    role = "arn:aws:iam::123456789012:role/eks"
    client.create_cluster(
        name="partners", roleArn=role,
        resourcesVpcConfig={"subnetIds": ["subnet-1"], "endpointPublicAccess": False,
                            "endpointPrivateAccess": True},
        encryptionConfig=[{"resources": ["secrets"],
                           "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}}],
        logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]},
    )  # fmt: skip
    client.create_cluster(
        name="sandbox", roleArn=role, resourcesVpcConfig={"subnetIds": ["subnet-1"]}
    )
    calls = record_calls(monkeypatch)
    evaluation = audit(aws, eks.COLLECTORS)
    assert set(calls) <= {"eks:ListClusters", "eks:DescribeCluster"}
    assert verdicts(evaluation, "eks_secrets_encrypted") == {
        "partners": Status.PASS,
        "sandbox": Status.FAIL,
    }
    logging = {
        f.resource.id: dict(f.evidence) for f in findings(evaluation, "eks_control_plane_logging")
    }
    assert logging["partners"] == {
        "missing_log_types": ["authenticator", "controllerManager", "scheduler"]
    }
    assert verdicts(evaluation, "eks_endpoint_not_public")["partners"] is Status.PASS


CONTAINERS = [
    {"name": "api", "image": "claims-api:1", "essential": True, "memory": 512,
     "readonlyRootFilesystem": True, "user": "1000",
     "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/api"}}},
]  # fmt: skip


def _network(aws) -> tuple[str, str]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="api", Description="api", VpcId=vpc)["GroupId"]
    return subnet, group


def test_services_and_task_definitions_are_read_and_judged(aws):
    subnet, group = _network(aws)
    client = aws.client("ecs")
    cluster = client.create_cluster(clusterName="claims")["cluster"]["clusterArn"]
    client.register_task_definition(family="api", containerDefinitions=CONTAINERS,
                                     networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                     cpu="256", memory="512")  # fmt: skip
    client.register_task_definition(family="agent", networkMode="host",
                                    containerDefinitions=[{"name": "agent", "image": "agent:1",
                                                           "memory": 128}])  # fmt: skip
    for name, public in (("api", "DISABLED"), ("exposed", "ENABLED")):
        client.create_service(
            cluster=cluster, serviceName=name, taskDefinition="api", desiredCount=1,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {
                "subnets": [subnet], "securityGroups": [group], "assignPublicIp": public}},
        )  # fmt: skip
    collected = collect(aws, ecs.COLLECTORS)
    assert collected.gaps == {}
    api = by_id(collected, "api")
    assert (
        api.type == TASK_DEFINITION
        and json.loads(api.props["container_definitions"])[0]["readonlyRootFilesystem"] is True
    )
    services = {r.name: r for r in collected.resources if r.type == SERVICE}
    assert services["exposed"].props["network_configuration"] == {
        "subnets": [subnet], "security_groups": [group], "assign_public_ip": True}  # fmt: skip
    evaluation = audit(aws, ecs.COLLECTORS)
    public = {f.resource.name: f.status for f in findings(evaluation, "ecs_service_no_public_ip")}
    assert public == {"api": Status.PASS, "exposed": Status.FAIL}
    assert verdicts(evaluation, "ecs_containers_readonly_root") == {
        "api": Status.PASS,
        "agent": Status.FAIL,
    }
    assert verdicts(evaluation, "ecs_host_network_not_root") == {
        "api": Status.PASS,
        "agent": Status.FAIL,
    }
    assert verdicts(evaluation, "ecs_task_definition_logging") == {
        "api": Status.PASS,
        "agent": Status.FAIL,
    }


def test_a_refused_task_definition_read_is_named(aws, monkeypatch):
    aws.client("ecs").register_task_definition(family="api", containerDefinitions=CONTAINERS)
    deny(monkeypatch, "ecs", "DescribeTaskDefinition")
    (finding,) = findings(audit(aws, ecs.COLLECTORS), "ecs_containers_readonly_root")
    assert finding.status is Status.NOT_EVALUATED
    assert "access denied to DescribeTaskDefinition (AccessDenied)" in finding.message
    assert "task definition family api" in finding.message


def test_the_collected_shapes_are_the_programs(aws):
    """Each collected type has the props a Pulumi program gives it (those AWS does not echo,
    or the collector leaves unread, listed)."""
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    aws.client("ecr").create_repository(
        repositoryName="claims-api", imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key},
    )  # fmt: skip
    subnet, group = _network(aws)
    aws.client("eks").create_cluster(
        name="partners", roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": [subnet], "securityGroupIds": [group],
                            "endpointPublicAccess": False, "endpointPrivateAccess": True},
        encryptionConfig=[{"resources": ["secrets"],
                           "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}}],
        logging={"clusterLogging": [{"types": ["api"], "enabled": True}]},
    )  # fmt: skip
    client = aws.client("ecs")
    cluster = client.create_cluster(clusterName="claims")["cluster"]["clusterArn"]
    role = "arn:aws:iam::123456789012:role/api"
    client.register_task_definition(family="api", containerDefinitions=CONTAINERS,
                                     networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                     cpu="256", memory="512", executionRoleArn=role,
                                     taskRoleArn=role, volumes=[{"name": "tmp"}])  # fmt: skip
    client.create_service(
        cluster=cluster, serviceName="api", taskDefinition="api", desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet],
                                                      "securityGroups": [group]}},
    )  # fmt: skip
    collected = collect(aws, [*ecr.COLLECTORS, *eks.COLLECTORS, *ecs.COLLECTORS])
    live = {r.type: r for r in collected.resources if r.name in ("claims-api", "partners", "api")}
    program = {r.type: r for r in program_resources()}
    differences = {
        token: sorted(shape_differences(program[token].props, live[token].props))
        for token in sorted(live)
    }
    # A repository's tags are a call of their own, and no check reads them.
    assert differences == {
        "aws:ecr/repository:Repository": ["tags: missing"],
        "aws:ecs/service:Service": [],
        "aws:ecs/taskDefinition:TaskDefinition": [],
        "aws:eks/cluster:Cluster": [],
    }
