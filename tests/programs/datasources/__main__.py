"""Data sources and output arithmetic: inputs that only exist once other values resolve."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
environment = config.get("environment") or pulumi.get_stack()
domain = config.get("domain") or "billing.example.com"

identity = aws.get_caller_identity()
partition = aws.get_partition().partition
region = aws.get_region().region
zones = aws.get_availability_zones(state="available")


class BillingWorker(pulumi.ComponentResource):
    """An application host: its security group and instance are children of the component."""

    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
        ami_id: str,
        instance_profile: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("billing:app:Worker", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description="Billing worker; no inbound access",
            vpc_id=vpc_id,
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    protocol="tcp", from_port=443, to_port=443, cidr_blocks=["10.50.0.0/16"]
                )
            ],
            opts=child,
        )
        self.instance = aws.ec2.Instance(
            f"{name}-instance",
            ami=ami_id,
            instance_type="t3.small",
            subnet_id=subnet_id,
            iam_instance_profile=instance_profile,
            vpc_security_group_ids=[self.security_group.id],
            associate_public_ip_address=False,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
            ),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                encrypted=True,
                volume_type="gp3",
                volume_size=30,
            ),
            tags={"Name": name, "environment": environment},
            opts=child,
        )
        self.register_outputs({"instance_id": self.instance.id})


vpc = aws.ec2.Vpc(
    "vpc",
    cidr_block="10.50.0.0/16",
    enable_dns_hostnames=True,
    tags={"Name": f"billing-{environment}"},
)
subnet_a = aws.ec2.Subnet(
    "private-a",
    vpc_id=vpc.id,
    cidr_block="10.50.1.0/24",
    availability_zone=zones.names[0],
)
subnet_b = aws.ec2.Subnet(
    "private-b",
    vpc_id=vpc.id,
    cidr_block="10.50.2.0/24",
    availability_zone=zones.names[1],
)
subnet_ids = pulumi.Output.all(subnet_a.id, subnet_b.id).apply(",".join)

aws.ssm.Parameter(
    "private-subnet-ids",
    name=f"/billing/{environment}/private-subnet-ids",
    type="StringList",
    value=subnet_ids,
    tags={"subnets": subnet_ids, "account": identity.account_id},
)

# pulumi-aws v7: a resource can override its provider's region with the `region` argument.
aws.ssm.Parameter(
    "private-subnet-ids-west",
    name=f"/billing/{environment}/private-subnet-ids",
    type="StringList",
    value=subnet_ids,
    region="us-west-2",
)

ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[
        aws.ec2.GetAmiFilterArgs(name="name", values=["al2023-ami-2023.*-x86_64"]),
        aws.ec2.GetAmiFilterArgs(name="virtualization-type", values=["hvm"]),
    ],
)

reports = aws.s3.Bucket(
    "reports",
    bucket=f"billing-reports-{environment}-{identity.account_id}",
    tags={"environment": environment},
)

assume_role = aws.iam.get_policy_document(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow",
            actions=["sts:AssumeRole"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                    type="Service", identifiers=["ec2.amazonaws.com"]
                )
            ],
        )
    ]
)
worker_role = aws.iam.Role("worker-role", assume_role_policy=assume_role.json)

reports_access = aws.iam.get_policy_document_output(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="ReadWriteReports",
            effect="Allow",
            actions=["s3:GetObject", "s3:PutObject"],
            resources=[reports.arn.apply(lambda arn: f"{arn}/*")],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="ListReports",
            effect="Allow",
            actions=["s3:ListBucket"],
            resources=[pulumi.Output.concat("arn:", partition, ":s3:::", reports.bucket)],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="ReadOwnParameters",
            effect="Allow",
            actions=["ssm:GetParameter"],
            resources=[
                f"arn:{partition}:ssm:{region}:{identity.account_id}:parameter/billing/{environment}/*"
            ],
        ),
    ]
)
aws.iam.RolePolicy("worker-reports", role=worker_role.id, policy=reports_access.json)
profile = aws.iam.InstanceProfile("worker-profile", role=worker_role.name)

worker = BillingWorker(
    "billing-worker",
    vpc_id=vpc.id,
    subnet_id=subnet_a.id,
    ami_id=ami.id,
    instance_profile=profile.name,
)

zone = aws.route53.Zone("billing-zone", name=domain)
certificate = aws.acm.Certificate(
    "api-certificate",
    domain_name=f"api.{domain}",
    validation_method="DNS",
    tags={"environment": environment},
)
validation = certificate.domain_validation_options[0]
validation_record = aws.route53.Record(
    "api-certificate-validation",
    zone_id=zone.zone_id,
    name=validation.resource_record_name,
    type=validation.resource_record_type,
    records=[validation.resource_record_value],
    ttl=60,
    allow_overwrite=True,
)
aws.acm.CertificateValidation(
    "api-certificate-validated",
    certificate_arn=certificate.arn,
    validation_record_fqdns=[validation_record.fqdn],
)

# Disaster-recovery copy of the reports, on an explicit provider in another region.
us_east_2 = aws.Provider("useast2", region="us-east-2")
aws.s3.Bucket(
    "reports-dr",
    bucket=f"billing-reports-dr-{environment}-{identity.account_id}",
    tags={"environment": environment, "copy-of": "reports"},
    opts=pulumi.ResourceOptions(provider=us_east_2),
)

pulumi.export("region", region)
pulumi.export("ami_id", ami.id)
pulumi.export("subnet_ids", subnet_ids)
pulumi.export("worker_instance_id", worker.instance.id)
pulumi.export("certificate_arn", certificate.arn)
