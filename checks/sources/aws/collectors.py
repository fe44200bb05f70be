"""The live collectors, service by service: adding a service is one module in `services/` and
one line here."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from checks.sources.aws.collect import Collector

# The modules of `checks.sources.aws.services` that hold collectors, in the order they run.
SERVICES = (
    "ec2_network",
    "ec2_compute",
    "ssm",
    "s3",
    "rds",
    "dynamodb",
    "efs",
    "elasticache",
    "backup",
    "iam",
    "kms",
    "secretsmanager",
    "acm",
    "cloudtrail",
    "logs",
    "cloudwatch",
    "guardduty",
    "securityhub",
    "config",
    "elb",
    "elb_tls",
    "wafv2",
    "cloudfront",
    "apigateway",
    "apigatewayv2",
    "kinesis",
    "sns",
    "sqs",
    "lambda_",
    "opensearch",
    "redshift",
    "emr",
    "sagemaker",
    "dms",
    "elasticache_clusters",
    "ssm_documents",
    "vpn",
    "dynamodb_limits",
    "ec2_status",
    "ecr",
    "eks",
    "ecs",
    "autoscaling",
    "elasticbeanstalk",
    "codebuild",
)


def all_collectors(services: Iterable[str] = SERVICES) -> list[Collector]:
    found: list[Collector] = []
    for name in services:
        module = importlib.import_module(f"checks.sources.aws.services.{name}")
        found.extend(module.COLLECTORS)
    return found
