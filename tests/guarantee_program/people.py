"""The people of claims-processor: operators sign in as IAM users, in a group that requires MFA."""

import json

import pulumi
import pulumi_aws as aws
from foundation import cluster, prefix, queue, region, tags

# -- people: operators sign in as IAM users, in a group that requires MFA -----------------------

operators = aws.iam.Group("claims-operators", name=f"{prefix}-operators", path="/claims/")
aws.iam.GroupPolicy(
    "require-mfa",
    group=operators.name,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyAllWithoutMFA",
                    "Effect": "Deny",
                    "NotAction": [
                        "iam:CreateVirtualMFADevice",
                        "iam:EnableMFADevice",
                        "iam:GetUser",
                        "iam:ListMFADevices",
                        "iam:ListVirtualMFADevices",
                        "iam:ResyncMFADevice",
                        "sts:GetSessionToken",
                    ],
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                }
            ],
        }
    ),
)
aws.iam.GroupPolicyAttachment(
    "claims-operators-read-only",
    group=operators.name,
    policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess",
)
operator = aws.iam.User("on-call", name=f"{prefix}-on-call", path="/claims/", tags=tags)
aws.iam.UserGroupMembership("on-call", user=operator.name, groups=[operators.name])
# A deny-only guard rail on the person: nothing outside our region.
aws.iam.UserPolicy(
    "on-call-region-guard",
    user=operator.name,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyOutsideHomeRegion",
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": region.region}},
                }
            ],
        }
    ),
)

pulumi.export("queue_url", queue.url)
pulumi.export("processor_url_auth", "AWS_IAM")
pulumi.export("cluster_endpoint", cluster.endpoint)
