"""The change-triggered audit: CloudTrail management events judged within a minute of the call.

An EventBridge rule on the default bus picks the "AWS API Call via CloudTrail" events of the
calls the auditor's handler knows how to read, and invokes a Lambda function running that
handler (`scripts.handler.entry.handle`) with the auditor's read-only permissions. Failures are
published to the security-alerts topic. Events that cannot be delivered, or that the function
fails on after its retries, land in an encrypted dead-letter queue instead of vanishing.

The program imports nothing of the auditor, so the audited calls are data here; a test holds
them equal to `checks.sources.aws.events.audited_sources()` / `audited_names()`.

The function reads configuration, never ePHI (the auditor's policies deny data reads), so it is
classified internal and runs outside the VPC: it needs only the AWS APIs, not the data tier.
The one data it may read is the stack exports it compares a change with: exactly the objects
named in `stack_exports`, which the data deny leaves out (IAM NotResource) because no Allow can
outweigh a Deny.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import auditor_permissions
import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.identity import auditor_policy_chunks
from billing.keys import ENVELOPE_ACTIONS
from billing.policy import deny_insecure_transport, document, document_output, statement
from billing.service_roles import attach_policy, service_role
from billing.tagging import INTERNAL

DETAIL_TYPE = "AWS API Call via CloudTrail"
HANDLER = "scripts.handler.entry.handle"
RUNTIME = "python3.11"
# The environment variable the handler reads the alerts topic from.
TOPIC_VARIABLE = "SAFEGUARD_ALERT_TOPIC_ARN"
# ... and the stack exports from (scripts/handler/stack.py; a test holds the two equal).
STATE_VARIABLE = "SAFEGUARD_STACK_STATE"
# The environment variable that turns on the Security Hub import (scripts/handler/security_hub.py).
SECURITY_HUB_VARIABLE = "SAFEGUARD_SECURITY_HUB"
# The CloudTrail event sources and names the handler reads (checks/sources/aws/events.py).
AUDITED_SOURCES = (
    "cloudtrail.amazonaws.com",
    "ec2.amazonaws.com",
    "iam.amazonaws.com",
    "kms.amazonaws.com",
    "rds.amazonaws.com",
    "s3.amazonaws.com",
)
AUDITED_NAMES = (
    "AttachGroupPolicy",
    "AttachRolePolicy",
    "AttachUserPolicy",
    "AuthorizeSecurityGroupIngress",
    "CreateUser",
    "DeactivateMFADevice",
    "DeleteBucketEncryption",
    "DeleteBucketPolicy",
    "DeleteBucketPublicAccessBlock",
    "DeleteTrail",
    "DisableKeyRotation",
    "ModifyDBInstance",
    "PutBucketEncryption",
    "PutBucketPolicy",
    "PutBucketPublicAccessBlock",
    "PutKeyPolicy",
    "RevokeSecurityGroupIngress",
    "StopLogging",
    "UpdateTrail",
)
# Two weeks, the longest SQS keeps a message: time to notice and replay a failed event.
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600
# The handler collects a few services' configuration; two minutes covers a large account.
TIMEOUT_SECONDS = 120
MEMORY_MB = 512
# EventBridge retries delivery for at most an hour: an older change is stale as an alert.
MAX_EVENT_AGE_SECONDS = 3600
# The repository root (stacks/billing/ is two levels below it): relative archive paths start here.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ChangeAuditArgs:
    """Knobs of the change-triggered audit."""

    # The topic the handler publishes failures to, and the key that encrypts it.
    alerts_topic_arn: pulumi.Input[str]
    alerts_kms_key_arn: pulumi.Input[str]
    # Key of the function's log group.
    logs_kms_key_arn: pulumi.Input[str]
    # Folder holding the handler and its dependencies (scripts/build_handler.sh writes it);
    # a relative path is read from the repository root.
    code_path: str = "build/handler"
    log_retention_days: int = 365
    audited_sources: tuple[str, ...] = AUDITED_SOURCES
    audited_names: tuple[str, ...] = AUDITED_NAMES
    # s3://BUCKET/KEY stack exports the handler compares the changed resource with, and the
    # KMS key their bucket encrypts with (decrypted through S3 only).
    stack_exports: tuple[str, ...] = ()
    stack_exports_key_arn: str | None = None
    # Also import the findings into Security Hub (ASFF), beside the SNS alert.
    security_hub: bool = False


def event_pattern(sources: tuple[str, ...], names: tuple[str, ...]) -> str:
    """The rule's pattern: successful calls of the audited names from the audited sources."""
    return json.dumps(
        {
            "detail-type": [DETAIL_TYPE],
            "detail": {
                "eventSource": sorted(sources),
                "eventName": sorted(names),
                # A refused call changed nothing; the handler would answer "not audited".
                "errorCode": [{"exists": False}],
            },
        },
        sort_keys=True,
    )


def export_object_arn(ctx: StackContext, uri: str) -> str:
    """`s3://BUCKET/KEY` as the object's ARN."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return f"{ctx.account.bucket_arn(bucket)}/{key}"


def key_region(key_arn: str) -> str:
    """The region of a KMS key ARN: S3 calls KMS in the bucket's region, which is the key's."""
    return key_arn.split(":")[3]


def function_variables(args: ChangeAuditArgs) -> dict[str, pulumi.Input[str]]:
    variables: dict[str, pulumi.Input[str]] = {TOPIC_VARIABLE: args.alerts_topic_arn}
    if args.stack_exports:
        variables[STATE_VARIABLE] = ",".join(args.stack_exports)
    if args.security_hub:
        variables[SECURITY_HUB_VARIABLE] = "true"
    return variables


def archive_path(code_path: str) -> str:
    path = Path(code_path)
    return str(path if path.is_absolute() else PROJECT_ROOT / path)


class ChangeAudit(pulumi.ComponentResource):
    """Rule → Lambda (the auditor's handler) → alerts topic, and a dead-letter queue."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: ChangeAuditArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:ChangeAudit", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        function_name = ctx.name("change-audit")
        rule_name = ctx.name("change-audit")
        queue_name = ctx.name("change-audit-dlq")
        rule_arn = ctx.account.arn("events", f"rule/{rule_name}")
        queue_arn = ctx.account.arn("sqs", queue_name)
        log_group_name = f"/aws/lambda/{function_name}"

        self.dead_letters = aws.sqs.Queue(
            "change-audit-dlq",
            name=queue_name,
            kms_master_key_id=args.alerts_kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            tags=ctx.tags(INTERNAL, queue_name),
            opts=child,
        )
        aws.sqs.QueuePolicy(
            "change-audit-dlq-policy",
            queue_url=self.dead_letters.url,
            policy=document(
                statement(
                    "UndeliveredEventsFromTheRule",
                    ["sqs:SendMessage"],
                    [queue_arn],
                    principals={"Service": ["events.amazonaws.com"]},
                    conditions=[("ArnEquals", "aws:SourceArn", [rule_arn])],
                ),
                deny_insecure_transport([queue_arn], ["sqs:*"]),
            ),
            opts=child,
        )
        self.log_group = aws.cloudwatch.LogGroup(
            "change-audit-logs",
            name=log_group_name,
            kms_key_id=args.logs_kms_key_arn,
            retention_in_days=args.log_retention_days,
            tags=ctx.tags(INTERNAL),
            opts=child,
        )
        self.role = self._role(ctx, args, log_group_name, queue_arn)
        self.function = aws.lambda_.Function(
            "change-audit",
            name=function_name,
            description="HIPAA change-triggered audit of the resource a CloudTrail call changed",
            role=self.role.arn,
            runtime=RUNTIME,
            handler=HANDLER,
            code=pulumi.FileArchive(archive_path(args.code_path)),
            timeout=TIMEOUT_SECONDS,
            memory_size=MEMORY_MB,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=function_variables(args)),
            kms_key_arn=args.alerts_kms_key_arn,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(
                target_arn=self.dead_letters.arn
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=log_group_name
            ),
            tags=ctx.tags(INTERNAL, function_name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_group]),
        )
        self.rule = aws.cloudwatch.EventRule(
            "change-audit",
            name=rule_name,
            description="Audited CloudTrail management calls, judged by the change-audit function",
            event_bus_name="default",
            event_pattern=event_pattern(args.audited_sources, args.audited_names),
            state="ENABLED",
            tags=ctx.tags(INTERNAL, rule_name),
            opts=child,
        )
        aws.lambda_.Permission(
            "change-audit-invoke",
            function=self.function.name,
            action="lambda:InvokeFunction",
            principal="events.amazonaws.com",
            source_arn=self.rule.arn,
            source_account=ctx.account.account_id,
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            "change-audit-target",
            rule=self.rule.name,
            event_bus_name="default",
            arn=self.function.arn,
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS, maximum_retry_attempts=10
            ),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(
                arn=self.dead_letters.arn
            ),
            opts=child,
        )
        self.register_outputs(
            {
                "function_arn": self.function.arn,
                "rule_arn": self.rule.arn,
                "dead_letter_queue_url": self.dead_letters.url,
            }
        )

    def _role(
        self, ctx: StackContext, args: ChangeAuditArgs, log_group_name: str, queue_arn: str
    ) -> aws.iam.Role:
        """The auditor's read-only actions and data deny, plus what running the handler needs."""
        role = service_role(
            self,
            ctx,
            "change-audit",
            "lambda.amazonaws.com",
            "Runs the change-triggered HIPAA audit: read-only configuration access",
        )
        for index, actions in enumerate(auditor_policy_chunks(), start=1):
            attach_policy(
                self,
                ctx,
                f"change-audit-read-{index}",
                role,
                "The read-only actions of the live HIPAA audit",
                document(statement("AuditReadOnly", actions)),
            )
        exports = [export_object_arn(ctx, uri) for uri in args.stack_exports]
        key = [args.stack_exports_key_arn] if exports and args.stack_exports_key_arn else []
        attach_policy(
            self,
            ctx,
            "change-audit-deny-data",
            role,
            "Keeps the change-audit function away from the data itself",
            # The alerts key is left out as well: publishing to the encrypted alerts topic and
            # dead-letter queue needs kms:Decrypt on it, and it guards alerts, never ePHI.
            document_output(
                statement(
                    "DenyDataAccess",
                    auditor_permissions.DATA_ACCESS_DENIED,
                    [args.alerts_kms_key_arn, *exports, *key],
                    effect="Deny",
                    not_resources=True,
                )
            ),
        )
        if exports:
            self._read_exports(ctx, role, exports, key)
        log_group_arn = ctx.account.arn("logs", f"log-group:{log_group_name}")
        attach_policy(
            self,
            ctx,
            "change-audit-run",
            role,
            "Publish findings to the alerts topic, write its logs, traces and dead letters",
            document_output(
                statement("PublishFindings", ["sns:Publish"], [args.alerts_topic_arn]),
                statement("UseTheAlertsKey", ENVELOPE_ACTIONS, [args.alerts_kms_key_arn]),
                statement(
                    "WriteItsLogs",
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [f"{log_group_arn}:*"],
                ),
                statement("KeepFailedEvents", ["sqs:SendMessage"], [queue_arn]),
                *self._security_hub(ctx, args),
                statement(
                    "WriteTraces", ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], ["*"]
                ),
            ),
        )
        return role

    @staticmethod
    def _security_hub(
        ctx: StackContext, args: ChangeAuditArgs
    ) -> list[aws.iam.GetPolicyDocumentStatementArgs]:
        """Import findings into this account's Security Hub as its own default product."""
        if not args.security_hub:
            return []
        product = ctx.account.arn("securityhub", f"product/{ctx.account.account_id}/default")
        return [statement("ImportFindings", ["securityhub:BatchImportFindings"], [product])]

    def _read_exports(
        self, ctx: StackContext, role: aws.iam.Role, exports: list[str], key: list[str]
    ) -> None:
        """Read the stack exports, and decrypt them through S3 when their bucket uses a key."""
        statements = [statement("ReadTheStackExports", ["s3:GetObject"], exports)]
        if key:
            via_s3 = f"s3.{key_region(key[0])}.amazonaws.com"
            statements.append(
                statement(
                    "DecryptTheStackExports",
                    ["kms:Decrypt"],
                    key,
                    conditions=[("StringEquals", "kms:ViaService", [via_s3])],
                )
            )
        attach_policy(
            self,
            ctx,
            "change-audit-stack-exports",
            role,
            "Read the stack exports the change audit compares a changed resource with",
            document(*statements),
        )
