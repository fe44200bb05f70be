"""A reporting host sized by tier. The dev stack names a tier the table does not hold, which is
this program's own mistake, although data sources answered just before it."""

import pulumi
import pulumi_aws as aws

zones = aws.get_availability_zones(state="available")
image = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[{"name": "name", "values": ["al2023-ami-*-x86_64"]}],
)

INSTANCE_BY_TIER = {"small": "t3.small", "large": "m6i.large"}
tier = pulumi.Config().get("tier") or "small"

host = aws.ec2.Instance(
    "report-runner",
    ami=image.id,
    instance_type=INSTANCE_BY_TIER[tier],
    availability_zone=zones.names[0],
    metadata_options={"http_tokens": "required"},
    root_block_device={"encrypted": True},
)
pulumi.export("host", host.id)
