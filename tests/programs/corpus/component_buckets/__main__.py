"""One SecureBucket per team listed in the stack's configuration."""

import pulumi
import pulumi_aws as aws

from components import SecureBucket

config = pulumi.Config()
teams = config.require_object("teams")
retention_days = config.get_int("retentionDays") or 365

logs = aws.s3.Bucket("access-logs", force_destroy=False)
aws.s3.BucketPublicAccessBlock(
    "access-logs-pab",
    bucket=logs.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)

buckets = {
    team: SecureBucket(f"{team}-data", log_bucket=logs, retention_days=retention_days)
    for team in teams
}

pulumi.export("buckets", {team: b.bucket.bucket for team, b in buckets.items()})
