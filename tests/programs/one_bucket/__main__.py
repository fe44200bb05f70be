"""One versioned, encrypted bucket: all a small service stack declares."""

import pulumi
import pulumi_aws as aws

uploads = aws.s3.Bucket("uploads", tags={"data-classification": "ePHI"})
aws.s3.BucketVersioning(
    "uploads-versioning",
    bucket=uploads.id,
    versioning_configuration={"status": "Enabled"},
)
pulumi.export("bucket", uploads.bucket)
