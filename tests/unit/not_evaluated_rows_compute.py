"""NOT_EVALUATED table rows (tests/unit/test_not_evaluated_table.py) for the compute checks:
containers (ECR, EKS, ECS), EC2 hosts and their live-only facts, Auto Scaling, Elastic
Beanstalk and CodeBuild. Each row is a passing stack, written as the engine writes inputs, and
the property that decides the check."""

from __future__ import annotations

import json

from tests.unit.not_evaluated_sources import ACCOUNT, LIVE, Res, Row

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/claims-app"
INSTANCE_ARN = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0a1b2c3d4e5f60718"
TARGET_GROUP = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web/0123456789abcdef"
ECS_CLUSTER = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/claims"
SUBNETS = ["subnet-0a1b2c3d", "subnet-1a2b3c4d"]
AUDITED = "2026-12-01T12:00:00+00:00"
STACK = "64bit Amazon Linux 2023 running Python 3.12"

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
INSTANCE = "aws:ec2/instance:Instance"
SELECTION = "aws:backup/selection:Selection"
INSTANCE_STATUS = "aws:ec2/instanceStatus:InstanceStatus"
MANAGED_INSTANCE = "aws:ssm/managedInstance:ManagedInstance"
GROUP = "aws:autoscaling/group:Group"
ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
PROJECT = "aws:codebuild/project:Project"

PULL_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "DeployPull", "Effect": "Allow", "Principal": {"AWS": ROLE},
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}],
})  # fmt: skip
CONTAINERS = json.dumps([{
    "name": "api", "image": "claims-api:1.4.2", "essential": True, "user": "1000:1000",
    "readonlyRootFilesystem": True,
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/api"}},
}])  # fmt: skip


def repository(**inputs) -> Res:
    return Res(REPOSITORY, "repo", {"name": "claims-api", **inputs}, id="claims-api",
               arn=f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/claims-api")  # fmt: skip


def eks_cluster() -> Res:
    inputs = {
        "name": "claims", "roleArn": ROLE,
        "vpcConfig": {"subnetIds": SUBNETS, "endpointPrivateAccess": True,
                      "endpointPublicAccess": False},
        "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY}},
        "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager",
                                   "scheduler"],
    }  # fmt: skip
    return Res(EKS_CLUSTER, "cluster", inputs, id="claims")


def task_definition() -> Res:
    inputs = {"family": "api", "containerDefinitions": CONTAINERS, "networkMode": "awsvpc",
              "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512"}  # fmt: skip
    return Res(TASK_DEFINITION, "task", inputs, id="api")


def instance() -> Res:
    inputs = {"ami": "ami-0abcdef1234567890", "instanceType": "t3.micro",
              "subnetId": "subnet-0a1b2c3d"}  # fmt: skip
    return Res(INSTANCE, "worker", inputs, id="i-0a1b2c3d4e5f60718", arn=INSTANCE_ARN)


def status() -> Res:
    facts = {"instanceId": "i-0a1b2c3d4e5f60718", "instanceState": "running",
             "auditTime": AUDITED}  # fmt: skip
    return Res(INSTANCE_STATUS, "status", facts, id="instance-status/i-0a1b2c3d4e5f60718")


def node(**facts) -> Res:
    base = {"instanceId": "i-0a1b2c3d4e5f60718", "pingStatus": "Online"}
    return Res(MANAGED_INSTANCE, "node", {**base, **facts}, id="i-0a1b2c3d4e5f60718")


def project(**inputs) -> Res:
    base = {
        "name": "claims-build", "serviceRole": ROLE, "artifacts": {"type": "NO_ARTIFACTS"},
        "source": {"type": "GITHUB", "location": "https://github.com/example/claims.git"},
        "environment": {"computeType": "BUILD_GENERAL1_SMALL", "type": "LINUX_CONTAINER",
                        "image": "aws/codebuild/standard:7.0",
                        "environmentVariables": [{"name": "STAGE_NAME", "value": "production",
                                                  "type": "PLAINTEXT"}]},
    }  # fmt: skip
    return Res(PROJECT, "build", {**base, **inputs}, id="claims-build")


MANAGED_UPDATES = [
    {"namespace": "aws:elasticbeanstalk:managedactions", "name": "ManagedActionsEnabled",
     "value": "true"},
]  # fmt: skip
PATCHED = {"installedCount": 41, "missingCount": 0, "failedCount": 0,
           "installedPendingRebootCount": 0, "installedRejectedCount": 0}  # fmt: skip

# A table: laid out by hand, one row per check, not by the formatter.
# fmt: off
ROWS: tuple[Row, ...] = (
    # -- ECR -----------------------------------------------------------------------------------
    Row("ecr_repository_policy_not_public",
        (Res(REPOSITORY_POLICY, "policy", {"repository": "claims-api", "policy": PULL_POLICY},
             id="claims-api"),),
        ("policy", "policy")),
    Row("ecr_image_scanning_enabled",
        (repository(imageScanningConfiguration={"scanOnPush": True}),),
        ("repo", "imageScanningConfiguration", "scanOnPush")),
    Row("ecr_tag_immutability", (repository(imageTagMutability="IMMUTABLE"),),
        ("repo", "imageTagMutability")),
    # -- EKS -----------------------------------------------------------------------------------
    Row("eks_endpoint_not_public", (eks_cluster(),),
        ("cluster", "vpcConfig", "endpointPublicAccess")),
    Row("eks_secrets_encrypted", (eks_cluster(),),
        ("cluster", "encryptionConfig", "provider", "keyArn")),
    Row("eks_control_plane_logging", (eks_cluster(),), ("cluster", "enabledClusterLogTypes")),
    # -- ECS -----------------------------------------------------------------------------------
    Row("ecs_containers_readonly_root", (task_definition(),), ("task", "containerDefinitions")),
    Row("ecs_host_network_not_root", (task_definition(),), ("task", "networkMode")),
    Row("ecs_task_definition_logging", (task_definition(),), ("task", "containerDefinitions")),
    Row("ecs_service_no_public_ip",
        (Res(SERVICE, "service", {"name": "api", "cluster": ECS_CLUSTER, "taskDefinition": "api",
                                  "networkConfiguration": {"subnets": SUBNETS,
                                                           "assignPublicIp": False}},
             id=f"{ECS_CLUSTER}/api"),),
        ("service", "networkConfiguration", "assignPublicIp")),
    # -- EC2 hosts -----------------------------------------------------------------------------
    Row("ec2_instance_in_vpc", (instance(),), ("worker", "subnetId")),
    Row("ec2_instance_in_backup_plan",
        (instance(), Res(SELECTION, "hosts", {"name": "hosts", "planId": "plan-0a1b2c3d",
                                              "iamRoleArn": ROLE, "resources": [INSTANCE_ARN]},
                         id="selection-0a1b2c3d")),
        ("hosts", "resources")),
    Row("ec2_stopped_instance", (status(),), ("status", "instanceState"), kinds=(LIVE,)),
    Row("ec2_instance_managed_by_ssm", (status(), node()), ("node", "pingStatus"), kinds=(LIVE,)),
    Row("ssm_patch_compliant", (node(patchState=PATCHED),), ("node", "patchState", "missingCount"),
        kinds=(LIVE,)),
    Row("ssm_association_compliant", (node(associationStatus="Success"),),
        ("node", "associationStatus"), kinds=(LIVE,)),
    # -- Auto Scaling, Elastic Beanstalk, CodeBuild --------------------------------------------
    Row("autoscaling_group_elb_healthcheck",
        (Res(GROUP, "workers", {"name": "workers", "minSize": 1, "maxSize": 3,
                                "vpcZoneIdentifiers": SUBNETS, "targetGroupArns": [TARGET_GROUP],
                                "healthCheckType": "ELB"}, id="workers"),),
        ("workers", "healthCheckType")),
    Row("beanstalk_managed_updates",
        (Res(ENVIRONMENT, "portal", {"name": "portal", "application": "portal",
                                     "solutionStackName": STACK, "settings": MANAGED_UPDATES},
             id="e-0a1b2c3d4e"),),
        ("portal", "settings")),
    Row("codebuild_source_url_no_credentials", (project(),), ("build", "source", "location")),
    Row("codebuild_env_no_plaintext_aws_keys", (project(),),
        ("build", "environment", "environmentVariables")),
)
# fmt: on
