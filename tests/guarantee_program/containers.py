"""The claims API as containers, and how it is built and run: an ECR repository, the ECS service
on Fargate, an EKS cluster for the partner integrations, the batch workers' Auto Scaling group
behind a target group, the member portal on Elastic Beanstalk, and the CodeBuild project that
builds the images. Imported by `__main__.py`."""

import json

import pulumi
import pulumi_aws as aws
from foundation import app_sg, ephi, internal, key, prefix, private, tags, vpc

# Released by the build pipeline and pinned here by digest-bearing tag.
API_IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/claims-api:1.4.2"
LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
subnet_ids = [s.id for s in private]


def service_role(name: str, service: str, *managed: str) -> aws.iam.Role:
    """A role only `service` can assume, with AWS managed policies attached."""
    role = aws.iam.Role(
        name,
        name=f"{prefix}-{name}",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": service},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
        tags=tags,
    )
    for i, arn in enumerate(managed):
        aws.iam.RolePolicyAttachment(f"{name}-{i}", role=role.name, policy_arn=arn)
    return role


# -- the image registry: scanned on push, immutable tags, our key ------------------------------

repository = aws.ecr.Repository(
    "claims-api",
    name=f"{prefix}-api",
    image_tag_mutability="IMMUTABLE",
    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
        scan_on_push=True
    ),
    encryption_configurations=[
        aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=key.arn)
    ],
    tags=internal,
)

# -- the API on ECS Fargate: private subnets, read-only root, logs kept -------------------------

execution_role = service_role(
    "api-execution",
    "ecs-tasks.amazonaws.com",
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)
task_role = service_role("api-task", "ecs-tasks.amazonaws.com")
aws.ecr.RepositoryPolicy(
    "claims-api",
    repository=repository.name,
    policy=execution_role.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TasksPull",
                        "Effect": "Allow",
                        "Principal": {"AWS": arn},
                        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    }
                ],
            }
        )
    ),
)
api_logs = aws.cloudwatch.LogGroup(
    "api", name=f"/ecs/{prefix}-api", retention_in_days=365, kms_key_id=key.arn, tags=internal
)
ecs_cluster = aws.ecs.Cluster(
    "claims",
    name=prefix,
    settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
    tags=tags,
)
api_task = aws.ecs.TaskDefinition(
    "api",
    family=f"{prefix}-api",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    cpu="512",
    memory="1024",
    execution_role_arn=execution_role.arn,
    task_role_arn=task_role.arn,
    container_definitions=json.dumps(
        [
            {
                "name": "api",
                "image": API_IMAGE,
                "essential": True,
                "user": "1000:1000",
                "readonlyRootFilesystem": True,
                "portMappings": [{"containerPort": 8443, "protocol": "tcp"}],
                "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp"}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": f"/ecs/{prefix}-api",
                        "awslogs-region": "us-east-1",
                        "awslogs-stream-prefix": "api",
                    },
                },
            }
        ]
    ),
    volumes=[aws.ecs.TaskDefinitionVolumeArgs(name="tmp")],
    tags=ephi,
    opts=pulumi.ResourceOptions(depends_on=[api_logs]),
)
aws.ecs.Service(
    "api",
    name=f"{prefix}-api",
    cluster=ecs_cluster.arn,
    task_definition=api_task.arn,
    desired_count=2,
    launch_type="FARGATE",
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
        subnets=subnet_ids, security_groups=[app_sg.id], assign_public_ip=False
    ),
    tags=ephi,
)

# -- partner integrations on EKS: private endpoint, secrets under our key, every log type -------

eks_role = service_role(
    "partners-eks", "eks.amazonaws.com", "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
)
aws.eks.Cluster(
    "partners",
    name=f"{prefix}-partners",
    role_arn=eks_role.arn,
    vpc_config=aws.eks.ClusterVpcConfigArgs(
        subnet_ids=subnet_ids,
        security_group_ids=[app_sg.id],
        endpoint_private_access=True,
        endpoint_public_access=False,
    ),
    encryption_config=aws.eks.ClusterEncryptionConfigArgs(
        resources=["secrets"],
        provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key.arn),
    ),
    enabled_cluster_log_types=LOG_TYPES,
    tags=ephi,
)

# -- batch workers scale out behind the internal target group, replaced when unhealthy ---------

workers_tg = aws.lb.TargetGroup(
    "batch-workers",
    name=f"{prefix}-batch",
    port=8443,
    protocol="HTTPS",
    vpc_id=vpc.id,
    health_check=aws.lb.TargetGroupHealthCheckArgs(path="/health", protocol="HTTPS"),
    tags=tags,
)
aws.autoscaling.Group(
    "batch-workers",
    name=f"{prefix}-batch-workers",
    min_size=0,
    max_size=4,
    vpc_zone_identifiers=subnet_ids,
    launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
        name=f"{prefix}-batch-worker", version="$Latest"
    ),
    target_group_arns=[workers_tg.arn],
    health_check_type="ELB",
    health_check_grace_period=300,
    tags=[
        aws.autoscaling.GroupTagArgs(key=k, value=v, propagate_at_launch=True)
        for k, v in ephi.items()
    ],
)

# -- the member portal on Elastic Beanstalk: internal, patched in a weekly window --------------

portal_app = aws.elasticbeanstalk.Application("portal", name=f"{prefix}-portal", tags=tags)


def option(namespace: str, name: str, value) -> aws.elasticbeanstalk.EnvironmentSettingArgs:
    return aws.elasticbeanstalk.EnvironmentSettingArgs(namespace=namespace, name=name, value=value)


aws.elasticbeanstalk.Environment(
    "portal",
    name=f"{prefix}-portal",
    application=portal_app.name,
    solution_stack_name="64bit Amazon Linux 2023 v4.3.0 running Python 3.12",
    tier="WebServer",
    settings=[
        option("aws:ec2:vpc", "VPCId", vpc.id),
        option("aws:ec2:vpc", "Subnets", pulumi.Output.all(*subnet_ids).apply(",".join)),
        option("aws:ec2:vpc", "ELBScheme", "internal"),
        option("aws:ec2:vpc", "AssociatePublicIpAddress", "false"),
        option("aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"),
        option("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "true"),
        option("aws:elasticbeanstalk:managedactions", "PreferredStartTime", "Sun:04:00"),
        option("aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel", "minor"),
    ],
    tags=ephi,
)

# -- the build: source by connection, secrets by name, never keys -------------------------------

build_role = service_role("build", "codebuild.amazonaws.com")
build_logs = aws.cloudwatch.LogGroup(
    "build", name=f"/codebuild/{prefix}", retention_in_days=365, kms_key_id=key.arn, tags=internal
)
aws.iam.RolePolicy(
    "build",
    role=build_role.id,
    policy=pulumi.Output.all(build_logs.arn, repository.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{arns[0]}:*",
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "ecr:BatchCheckLayerAvailability",
                            "ecr:CompleteLayerUpload",
                            "ecr:InitiateLayerUpload",
                            "ecr:PutImage",
                            "ecr:UploadLayerPart",
                        ],
                        "Resource": arns[1],
                    },
                ],
            }
        )
    ),
)
aws.codebuild.Project(
    "build",
    name=f"{prefix}-build",
    service_role=build_role.arn,
    encryption_key=key.arn,
    artifacts=aws.codebuild.ProjectArtifactsArgs(type="NO_ARTIFACTS"),
    source=aws.codebuild.ProjectSourceArgs(
        type="GITHUB",
        location="https://github.com/example/claims-processor.git",
        git_clone_depth=1,
    ),
    environment=aws.codebuild.ProjectEnvironmentArgs(
        compute_type="BUILD_GENERAL1_SMALL",
        image="aws/codebuild/amazonlinux2-x86_64-standard:5.0",
        type="LINUX_CONTAINER",
        environment_variables=[
            aws.codebuild.ProjectEnvironmentEnvironmentVariableArgs(
                name="IMAGE_REPOSITORY", value=f"{prefix}-api", type="PLAINTEXT"
            ),
            aws.codebuild.ProjectEnvironmentEnvironmentVariableArgs(
                name="SIGNING_KEY", value=f"{prefix}/image-signing", type="SECRETS_MANAGER"
            ),
        ],
    ),
    logs_config=aws.codebuild.ProjectLogsConfigArgs(
        cloudwatch_logs=aws.codebuild.ProjectLogsConfigCloudwatchLogsArgs(
            group_name=build_logs.name, status="ENABLED"
        )
    ),
    vpc_config=aws.codebuild.ProjectVpcConfigArgs(
        vpc_id=vpc.id, subnets=subnet_ids, security_group_ids=[app_sg.id]
    ),
    tags=internal,
)
