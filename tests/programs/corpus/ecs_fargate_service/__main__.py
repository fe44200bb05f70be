"""A Fargate service: task definition JSON is rendered from outputs inside apply."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
image = config.require("image")
count = config.get_int("desiredCount") or 1

default_vpc = aws.ec2.get_vpc_output(default=True)
subnets = aws.ec2.get_subnets_output(filters=[{"name": "vpc-id", "values": [default_vpc.id]}])

cluster = aws.ecs.Cluster("app", settings=[{"name": "containerInsights", "value": "enabled"}])
logs = aws.cloudwatch.LogGroup("app", retention_in_days=90)
sg = aws.ec2.SecurityGroup(
    "app",
    vpc_id=default_vpc.id,
    description="app tier",
    ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["172.31.0.0/16"]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
alb = aws.lb.LoadBalancer(
    "app", internal=True, security_groups=[sg.id], subnets=subnets.ids, drop_invalid_header_fields=True
)
tg = aws.lb.TargetGroup("app", port=80, protocol="HTTP", target_type="ip", vpc_id=default_vpc.id)
listener = aws.lb.Listener(
    "app", load_balancer_arn=alb.arn, port=80, default_actions=[{"type": "forward", "target_group_arn": tg.arn}]
)
exec_role = aws.iam.Role(
    "task-exec",
    assume_role_policy=json.dumps(
        {
            "Version": "2008-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "task-exec",
    role=exec_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)
region = aws.get_region().region
task = aws.ecs.TaskDefinition(
    "app",
    family="app",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=exec_role.arn,
    container_definitions=logs.name.apply(
        lambda group: json.dumps(
            [
                {
                    "name": "app",
                    "image": image,
                    "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
                    "readonlyRootFilesystem": True,
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": group,
                            "awslogs-region": region,
                            "awslogs-stream-prefix": "app",
                        },
                    },
                }
            ]
        )
    ),
)
service = aws.ecs.Service(
    "app",
    cluster=cluster.arn,
    desired_count=count,
    launch_type="FARGATE",
    task_definition=task.arn,
    network_configuration={"assign_public_ip": False, "subnets": subnets.ids, "security_groups": [sg.id]},
    load_balancers=[{"target_group_arn": tg.arn, "container_name": "app", "container_port": 80}],
    opts=pulumi.ResourceOptions(depends_on=[listener]),
)
pulumi.export("url", alb.dns_name)
