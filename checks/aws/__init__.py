"""The built-in AWS check library: one module per service, each exposing `CHECKS`."""

from checks.aws import cloudtrail, iam, kms, network, rds, s3

LIBRARY = [rds, s3, network, kms, iam, cloudtrail]

__all__ = ["LIBRARY"]
