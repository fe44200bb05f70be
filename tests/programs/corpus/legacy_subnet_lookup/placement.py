"""Where the portal's tasks run: the account's default network, looked up by data sources."""

import pulumi_aws as aws

home = aws.ec2.get_vpc(default=True)


def portal_subnets() -> list[str]:
    # pulumi_aws 4 spelling; version 5 replaced it with ec2.get_subnets(filters=[...]).
    return aws.ec2.get_subnet_ids(vpc_id=home.id).ids
