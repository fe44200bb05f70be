"""Registers one resource, then fails the way a misconfigured program does."""

import pulumi_aws as aws

aws.s3.Bucket("billing-tier-documents")

raise ValueError("the billing tier is not configured")
