"""A valid program; the fixture's fault is in Pulumi.dev.yaml (unclosed bracket, line 3)."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
owner = config.get("owner") or "billing-platform"

bucket = aws.s3.Bucket("tier-documents", tags={"owner": owner})
pulumi.export("bucket_name", bucket.bucket)
