"""An EKS control plane with secrets encryption; the kubeconfig is assembled in apply."""

import base64
import json

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.Vpc("eks", cidr_block="10.90.0.0/16", enable_dns_hostnames=True)
subnets = [
    aws.ec2.Subnet(f"eks-{az}", vpc_id=vpc.id, cidr_block=f"10.90.{i}.0/24", availability_zone=az)
    for i, az in enumerate(aws.get_availability_zones().names[:2])
]
role = aws.iam.Role(
    "eks",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "eks.amazonaws.com"}}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "eks-cluster", role=role.name, policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
)
key = aws.kms.Key("eks-secrets", enable_key_rotation=True)
cluster = aws.eks.Cluster(
    "phi",
    role_arn=role.arn,
    vpc_config={
        "subnet_ids": [s.id for s in subnets],
        "endpoint_private_access": True,
        "endpoint_public_access": False,
    },
    encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
    enabled_cluster_log_types=["api", "audit", "authenticator"],
)


def kubeconfig(args):
    name, endpoint, ca = args
    pem = base64.b64decode(ca).decode()  # the CA certificate, as kubectl would check it
    return json.dumps(
        {
            "apiVersion": "v1",
            "clusters": [{"name": name, "cluster": {"server": endpoint, "certificate-authority-data": ca}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [{"name": name, "user": {"exec": {"command": "aws", "args": ["eks", "get-token", "--cluster-name", name]}}}],
            "preferences": {"ca-length": len(pem)},
        }
    )


config_json = pulumi.Output.all(
    cluster.name, cluster.endpoint, cluster.certificate_authority.data
).apply(kubeconfig)
pulumi.export("kubeconfig", pulumi.Output.secret(config_json))
