"""Security alarms on the audit trail: CloudTrail events matched by metric filters.

The patterns are the CIS AWS Foundations Benchmark's monitoring filters (section 4) plus one
for the break-glass role. Each filter feeds a metric; each metric has an alarm that notifies
the security-alerts topic on the first occurrence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.tagging import INTERNAL

NAMESPACE = "HIPAA/Billing/Security"


def _any_event(*names: str) -> str:
    return " || ".join(f"($.eventName = {n})" for n in names)


# alarm id -> (what it catches, CloudWatch Logs filter pattern)
EVENT_PATTERNS: Mapping[str, tuple[str, str]] = {
    "root-account-usage": (
        "The root user was used",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }',
    ),
    "console-signin-failures": (
        "A console sign-in failed",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    ),
    "console-signin-without-mfa": (
        "An IAM user signed in to the console without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") '
        '&& ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    "unauthorized-api-calls": (
        "API calls were denied",
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) '
        '&& ($.sourceIPAddress != "delivery.logs.amazonaws.com") '
        '&& ($.eventName != "HeadBucket") }',
    ),
    "iam-policy-changes": (
        "An IAM policy changed",
        "{ ($.eventSource = iam.amazonaws.com) && ("
        + _any_event(
            "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy",
            "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy",
            "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
            "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy",
        )
        + ") }",
    ),
    "cloudtrail-changes": (
        "A CloudTrail trail was changed or stopped",
        "{ "
        + _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")
        + " }",
    ),
    "kms-key-disabled-or-deleted": (
        "A customer-managed key was disabled or scheduled for deletion",
        "{ ($.eventSource = kms.amazonaws.com) && ("
        + _any_event("DisableKey", "ScheduleKeyDeletion")
        + ") }",
    ),
    "s3-bucket-policy-changes": (
        "An S3 bucket policy, ACL or lifecycle changed",
        "{ ($.eventSource = s3.amazonaws.com) && ("
        + _any_event(
            "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
            "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors",
            "DeleteBucketLifecycle", "DeleteBucketReplication",
        )
        + ") }",
    ),
    "config-changes": (
        "AWS Config recording or delivery changed",
        "{ ($.eventSource = config.amazonaws.com) && ("
        + _any_event(
            "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
            "PutConfigurationRecorder",
        )
        + ") }",
    ),
    "security-group-changes": (
        "A security group changed",
        "{ "
        + _any_event(
            "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
            "DeleteSecurityGroup",
        )
        + " }",
    ),
    "nacl-changes": (
        "A network ACL changed",
        "{ "
        + _any_event(
            "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
            "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
        )
        + " }",
    ),
    "network-gateway-changes": (
        "An internet or customer gateway changed",
        "{ "
        + _any_event(
            "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
            "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway",
        )
        + " }",
    ),
    "route-table-changes": (
        "A route table changed",
        "{ ($.eventSource = ec2.amazonaws.com) && ("
        + _any_event(
            "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
            "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable",
        )
        + ") }",
    ),
    "vpc-changes": (
        "A VPC or its peering changed",
        "{ "
        + _any_event(
            "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            # ClassicLink retired with EC2-Classic, but the CIS pattern still names it, and
            # tools that match the pattern whole (Prowler's HIPAA scan) look for all four.
            "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        )
        + " }",
    ),
}  # fmt: skip


def break_glass_pattern(role_arn: str) -> str:
    """Any assumption of the break-glass role, by API or by console role switch."""
    return (
        f'{{ (($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "{role_arn}")) '
        f'|| (($.eventName = "SwitchRole") && ($.additionalEventData.SwitchTo = "{role_arn}")) }}'
    )


@dataclass(frozen=True)
class SecurityAlarmsArgs:
    """Knobs of the alarms."""

    # The CloudWatch log group that receives the CloudTrail trail.
    trail_log_group_name: pulumi.Input[str]
    # Topic notified when an alarm fires.
    alerts_topic_arn: pulumi.Input[str]
    # The break-glass role, whose every use is alarmed.
    break_glass_role_arn: str


class SecurityAlarms(pulumi.ComponentResource):
    """A metric filter and an alarm per pattern."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: SecurityAlarmsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:SecurityAlarms", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        patterns = {
            **EVENT_PATTERNS,
            "break-glass-role-assumed": (
                "The break-glass role was assumed",
                break_glass_pattern(args.break_glass_role_arn),
            ),
        }
        for alarm_id, (description, pattern) in patterns.items():
            metric = "".join(part.title() for part in alarm_id.split("-"))
            log_filter = aws.cloudwatch.LogMetricFilter(
                f"{alarm_id}-filter",
                name=ctx.name(alarm_id),
                log_group_name=args.trail_log_group_name,
                pattern=pattern,
                metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                    name=metric, namespace=NAMESPACE, value="1", unit="Count"
                ),
                opts=child,
            )
            aws.cloudwatch.MetricAlarm(
                f"{alarm_id}-alarm",
                name=ctx.name(alarm_id),
                alarm_description=description,
                namespace=NAMESPACE,
                metric_name=metric,
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[args.alerts_topic_arn],
                tags=ctx.tags(INTERNAL),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[log_filter]),
            )
        self.register_outputs({})
