"""A static site: files uploaded in a loop, CloudFront reads the bucket through OAC."""

import json
import mimetypes
import os

import pulumi
import pulumi_aws as aws

site = aws.s3.Bucket("site")
aws.s3.BucketPublicAccessBlock(
    "site",
    bucket=site.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
for root, _, files in os.walk("www"):
    for name in files:
        path = os.path.join(root, name)
        aws.s3.BucketObjectv2(
            os.path.relpath(path, "www"),
            bucket=site.id,
            key=os.path.relpath(path, "www"),
            source=pulumi.FileAsset(path),
            content_type=mimetypes.guess_type(path)[0] or "application/octet-stream",
        )

oac = aws.cloudfront.OriginAccessControl(
    "site", origin_access_control_origin_type="s3", signing_behavior="always", signing_protocol="sigv4"
)
cdn = aws.cloudfront.Distribution(
    "site",
    enabled=True,
    default_root_object="index.html",
    origins=[
        {
            "origin_id": "s3",
            "domain_name": site.bucket_regional_domain_name,
            "origin_access_control_id": oac.id,
        }
    ],
    default_cache_behavior={
        "target_origin_id": "s3",
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "forwarded_values": {"query_string": False, "cookies": {"forward": "none"}},
    },
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"cloudfront_default_certificate": True, "minimum_protocol_version": "TLSv1.2_2021"},
)
aws.s3.BucketPolicy(
    "site",
    bucket=site.id,
    policy=pulumi.Output.all(site.arn, cdn.arn).apply(
        lambda args: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": f"{args[0]}/*",
                        "Condition": {"StringEquals": {"AWS:SourceArn": args[1]}},
                    }
                ],
            }
        )
    ),
)
pulumi.export("url", cdn.domain_name.apply(lambda d: f"https://{d}"))
