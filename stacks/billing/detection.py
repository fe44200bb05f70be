"""Intrusion detection and continuous configuration evidence for the account and region.

- GuardDuty, with S3 data-event and RDS login-activity protection; findings of medium
  severity and above are sent to the security-alerts topic;
- AWS Config records every supported resource (and IAM, globally) into the audit-evidence
  bucket, encrypted with the audit key;
- Security Hub with the AWS Foundational Security Best Practices and CIS standards; its
  critical and high findings are sent to the topic too.

These are account-and-region singletons: an AWS Organization that already manages them from a
delegated administrator sets `accountBaseline: false` and the program leaves them alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.policy import document_output, statement
from billing.service_roles import service_role
from billing.storage import CONFIG_PREFIX
from billing.tagging import INTERNAL

GUARDDUTY_FEATURES = ("S3_DATA_EVENTS", "RDS_LOGIN_EVENTS")
SECURITY_HUB_STANDARDS = (
    "aws-foundational-security-best-practices/v/1.0.0",
    "cis-aws-foundations-benchmark/v/3.0.0",
)
# GuardDuty severities run 1-8.9; 4 and above is Medium, High or Critical.
GUARDDUTY_ALERT_SEVERITY = 4


@dataclass(frozen=True)
class DetectionArgs:
    """Knobs of detection."""

    alerts_topic_arn: pulumi.Input[str]
    # Bucket (name) and key AWS Config delivers its history and snapshots with.
    evidence_bucket: str
    evidence_kms_key_arn: pulumi.Input[str]
    # How often Config delivers a full configuration snapshot.
    config_snapshot_frequency: str = "TwentyFour_Hours"


class Detection(pulumi.ComponentResource):
    """GuardDuty, AWS Config and Security Hub, wired to the alerts topic."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: DetectionArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:Detection", name, None, opts)
        self._ctx, self._args = ctx, args
        self._child = pulumi.ResourceOptions(parent=self)
        self._guardduty()
        self._config()
        self._security_hub()
        self.register_outputs({})

    def _alert_rule(self, name: str, description: str, pattern: dict) -> None:
        rule = aws.cloudwatch.EventRule(
            f"{name}-rule",
            name=self._ctx.name(name),
            description=description,
            event_pattern=json.dumps(pattern, sort_keys=True),
            state="ENABLED",
            tags=self._ctx.tags(INTERNAL),
            opts=self._child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-to-alerts",
            rule=rule.name,
            arn=self._args.alerts_topic_arn,
            opts=self._child,
        )

    def _guardduty(self) -> None:
        detector = aws.guardduty.Detector(
            "guardduty",
            enable=True,
            finding_publishing_frequency="FIFTEEN_MINUTES",
            tags=self._ctx.tags(INTERNAL),
            opts=self._child,
        )
        for feature in GUARDDUTY_FEATURES:
            aws.guardduty.DetectorFeature(
                f"guardduty-{feature.lower().replace('_', '-')}",
                detector_id=detector.id,
                name=feature,
                status="ENABLED",
                opts=self._child,
            )
        self._alert_rule(
            "guardduty-findings",
            "GuardDuty findings of medium severity or higher",
            {
                "source": ["aws.guardduty"],
                "detail-type": ["GuardDuty Finding"],
                "detail": {"severity": [{"numeric": [">=", GUARDDUTY_ALERT_SEVERITY]}]},
            },
        )

    def _config(self) -> None:
        ctx, args = self._ctx, self._args
        bucket_arn = ctx.account.bucket_arn(args.evidence_bucket)
        role = service_role(
            self,
            ctx,
            "config-recorder",
            "config.amazonaws.com",
            "Lets AWS Config read resource configurations and deliver them as evidence",
            aws_managed_policies=["service-role/AWS_ConfigRole"],
            policy=document_output(
                statement(
                    "CheckEvidenceBucket", ["s3:GetBucketAcl", "s3:ListBucket"], [bucket_arn]
                ),
                statement(
                    "DeliverEvidence",
                    ["s3:PutObject"],
                    [f"{bucket_arn}/{CONFIG_PREFIX}/AWSLogs/{ctx.account.account_id}/*"],
                    conditions=[("StringEquals", "s3:x-amz-acl", ["bucket-owner-full-control"])],
                ),
                statement(
                    "EncryptEvidence",
                    ["kms:Decrypt", "kms:GenerateDataKey"],
                    [args.evidence_kms_key_arn],
                ),
            ),
        )
        recorder = aws.cfg.Recorder(
            "config-recorder",
            name=ctx.name("recorder"),
            role_arn=role.arn,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(
                all_supported=True, include_global_resource_types=True
            ),
            opts=self._child,
        )
        channel = aws.cfg.DeliveryChannel(
            "config-delivery",
            name=ctx.name("evidence"),
            s3_bucket_name=args.evidence_bucket,
            s3_key_prefix=CONFIG_PREFIX,
            s3_kms_key_arn=args.evidence_kms_key_arn,
            snapshot_delivery_properties=aws.cfg.DeliveryChannelSnapshotDeliveryPropertiesArgs(
                delivery_frequency=args.config_snapshot_frequency
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[recorder]),
        )
        aws.cfg.RecorderStatus(
            "config-recorder-status",
            name=recorder.name,
            is_enabled=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[channel]),
        )

    def _security_hub(self) -> None:
        ctx = self._ctx
        hub = aws.securityhub.Account(
            "security-hub",
            enable_default_standards=False,
            control_finding_generator="SECURITY_CONTROL",
            auto_enable_controls=True,
            opts=self._child,
        )
        for standard in SECURITY_HUB_STANDARDS:
            aws.securityhub.StandardsSubscription(
                f"standard-{standard.split('/')[0]}",
                standards_arn=f"arn:{ctx.account.partition}:securityhub:{ctx.account.region}::"
                f"standards/{standard}",
                opts=pulumi.ResourceOptions(parent=self, depends_on=[hub]),
            )
        self._alert_rule(
            "security-hub-findings",
            "New critical and high Security Hub findings",
            {
                "source": ["aws.securityhub"],
                "detail-type": ["Security Hub Findings - Imported"],
                "detail": {
                    "findings": {
                        "Severity": {"Label": ["CRITICAL", "HIGH"]},
                        "Workflow": {"Status": ["NEW"]},
                        "RecordState": ["ACTIVE"],
                    }
                },
            },
        )
