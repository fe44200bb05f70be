"""Fails at import: the provider package is not installed in the environment."""

import pulumi_acme_does_not_exist  # noqa: F401

import pulumi_aws as aws

aws.s3.Bucket("never-registered")
