"""The IAM actions the live audit (`safeguard audit`) may call, as data.

The auditor role (stacks/billing/identity.py) is granted exactly these actions, and each live
collector will declare the actions it calls; a test can then hold the two against each other
(`missing(collector_actions)` must be empty). Every action is a read of configuration: Describe,
List and Get of settings and policies, never of the data itself. `DATA_ACCESS_DENIED` is denied
outright, so attaching a broader policy to the role later still cannot read ePHI through it.

This module imports nothing from Pulumi, so tools outside the program can load it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase

AUDITOR_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "acm": ("acm:DescribeCertificate", "acm:ListCertificates", "acm:ListTagsForCertificate"),
    "autoscaling": (
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeLaunchConfigurations",
    ),
    "backup": (
        "backup:GetBackupPlan",
        "backup:GetBackupSelection",
        "backup:GetBackupVaultAccessPolicy",
        "backup:GetBackupVaultNotifications",
        "backup:GetRestoreTestingPlan",
        "backup:GetRestoreTestingSelection",
        "backup:ListBackupPlans",
        "backup:ListBackupSelections",
        "backup:ListBackupVaults",
        "backup:ListRestoreTestingPlans",
        "backup:ListRestoreTestingSelections",
        "backup:ListTags",
    ),
    # API Gateway authorizes its control plane by HTTP verb: GET reads configuration only.
    "apigateway": ("apigateway:GET",),
    "cloudfront": ("cloudfront:ListDistributions", "cloudfront:ListTagsForResource"),
    "cloudtrail": (
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetEventSelectors",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:ListTags",
    ),
    "codebuild": ("codebuild:BatchGetProjects", "codebuild:ListProjects"),
    "cloudwatch": ("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
    "config": (
        "config:DescribeConfigurationRecorderStatus",
        "config:DescribeConfigurationRecorders",
        "config:DescribeDeliveryChannels",
    ),
    "dms": ("dms:DescribeReplicationInstances",),
    "dynamodb": (
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:DescribeLimits",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:ListTables",
        "dynamodb:ListTagsOfResource",
    ),
    "elasticfilesystem": (
        "elasticfilesystem:DescribeFileSystems",
        "elasticfilesystem:DescribeMountTargets",
    ),
    "elasticache": (
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeCacheSubnetGroups",
        "elasticache:DescribeReplicationGroups",
    ),
    "ec2": (
        "ec2:DescribeAddresses",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceAttribute",
        "ec2:DescribeInstances",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeNatGateways",
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeRegions",  # not a collector's: `safeguard audit --regions all` lists them
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVolumes",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpnConnections",
        "ec2:GetEbsDefaultKmsKeyId",
        "ec2:GetEbsEncryptionByDefault",
        "ec2:GetInstanceMetadataDefaults",
    ),
    "elasticmapreduce": (
        "elasticmapreduce:DescribeCluster",
        "elasticmapreduce:DescribeSecurityConfiguration",
        "elasticmapreduce:ListClusters",
    ),
    "elasticloadbalancing": (
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancerPolicies",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTargetGroups",
    ),
    "es": ("es:DescribeDomains", "es:ListDomainNames"),
    "ecr": (
        "ecr:DescribeRepositories",
        "ecr:GetRegistryScanningConfiguration",
        "ecr:GetRepositoryPolicy",
    ),
    "ecs": (
        "ecs:DescribeServices",
        "ecs:DescribeTaskDefinition",
        "ecs:ListClusters",
        "ecs:ListServices",
        "ecs:ListTaskDefinitionFamilies",
    ),
    "eks": ("eks:DescribeCluster", "eks:ListClusters"),
    "elasticbeanstalk": (
        "elasticbeanstalk:DescribeConfigurationSettings",
        "elasticbeanstalk:DescribeEnvironments",
    ),
    "guardduty": ("guardduty:GetDetector", "guardduty:ListDetectors"),
    "iam": (
        "iam:GenerateCredentialReport",
        "iam:GetAccountAuthorizationDetails",
        "iam:GetAccountPasswordPolicy",
        "iam:GetAccountSummary",
        "iam:GetCredentialReport",
        "iam:GetLoginProfile",
        "iam:ListAccessKeys",
        "iam:ListRoles",
        "iam:ListUsers",
        "iam:ListVirtualMFADevices",
    ),
    "firehose": (
        "firehose:DescribeDeliveryStream",
        "firehose:ListDeliveryStreams",
        "firehose:ListTagsForDeliveryStream",
    ),
    "kinesis": (
        "kinesis:DescribeStreamSummary",
        "kinesis:ListStreams",
        "kinesis:ListTagsForStream",
    ),
    "kms": (
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListAliases",
        "kms:ListKeys",
        "kms:ListResourceTags",
    ),
    "lambda": (
        "lambda:GetPolicy",
        "lambda:ListFunctionUrlConfigs",
        "lambda:ListFunctions",
        "lambda:ListTags",
    ),
    "logs": (
        "logs:DescribeLogGroups",
        "logs:DescribeMetricFilters",
        "logs:DescribeResourcePolicies",
        "logs:ListTagsForResource",
    ),
    "rds": (
        "rds:DescribeDBClusterParameterGroups",
        "rds:DescribeDBClusterParameters",
        "rds:DescribeDBClusterSnapshotAttributes",
        "rds:DescribeDBClusterSnapshots",
        "rds:DescribeDBClusters",
        "rds:DescribeDBInstances",
        "rds:DescribeDBParameterGroups",
        "rds:DescribeDBParameters",
        "rds:DescribeDBSnapshotAttributes",
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBSubnetGroups",
        "rds:DescribeEventSubscriptions",
        "rds:ListTagsForResource",
    ),
    "redshift": (
        "redshift:DescribeClusterParameterGroups",
        "redshift:DescribeClusterParameters",
        "redshift:DescribeClusters",
        "redshift:DescribeLoggingStatus",
    ),
    "s3": (
        "s3:GetAccountPublicAccessBlock",
        "s3:GetBucketAcl",
        "s3:GetBucketLocation",
        "s3:GetBucketLogging",
        "s3:GetBucketNotification",
        "s3:GetBucketObjectLockConfiguration",
        "s3:GetBucketOwnershipControls",
        "s3:GetBucketPolicy",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketTagging",
        "s3:GetBucketVersioning",
        "s3:GetEncryptionConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:ListAllMyBuckets",
    ),
    "sagemaker": (
        "sagemaker:DescribeEndpointConfig",
        "sagemaker:DescribeNotebookInstance",
        "sagemaker:ListEndpointConfigs",
        "sagemaker:ListNotebookInstances",
    ),
    "secretsmanager": ("secretsmanager:GetResourcePolicy", "secretsmanager:ListSecrets"),
    "securityhub": ("securityhub:DescribeHub", "securityhub:GetEnabledStandards"),
    "sns": (
        "sns:GetTopicAttributes",
        "sns:ListSubscriptions",
        "sns:ListTagsForResource",
        "sns:ListTopics",
    ),
    "sqs": ("sqs:GetQueueAttributes", "sqs:ListQueueTags", "sqs:ListQueues"),
    "ssm": (
        "ssm:DescribeDocumentPermission",
        "ssm:DescribeInstanceInformation",
        "ssm:DescribeInstancePatchStates",
        "ssm:DescribeParameters",
        "ssm:ListDocuments",
    ),
    "wafv2": (
        "wafv2:GetWebACL",
        "wafv2:ListLoggingConfigurations",
        "wafv2:ListResourcesForWebACL",
        "wafv2:ListTagsForResource",
        "wafv2:ListWebACLs",
    ),
}

# Reads of the data itself, denied to the auditor whatever else is attached to it.
DATA_ACCESS_DENIED: tuple[str, ...] = (
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "kms:Decrypt",
    "lambda:GetFunction",
    "logs:FilterLogEvents",
    "logs:GetLogEvents",
    "logs:StartQuery",
    "rds-db:connect",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
)


def all_actions() -> tuple[str, ...]:
    """Every granted action, sorted."""
    return tuple(sorted(a for actions in AUDITOR_ACTIONS.values() for a in actions))


def grants(action: str) -> bool:
    """True when the auditor role is allowed `action` (IAM matches actions case-insensitively)."""
    wanted = action.lower()
    return any(fnmatchcase(wanted, granted.lower()) for granted in all_actions())


def missing(actions: Iterable[str]) -> list[str]:
    """The actions of `actions` the auditor role is not granted, sorted: what a collector
    calls but the role would be refused."""
    return sorted({a for a in actions if not grants(a)})
