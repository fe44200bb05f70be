"""The security-alerts topic: where alarms, GuardDuty, backup and database events go.

Encrypted with the alerts key; only this account's AWS services may publish, only over TLS.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.keys import ALERT_PUBLISHERS
from billing.policy import deny_insecure_transport, document, statement
from billing.tagging import INTERNAL

ADMIN_ACTIONS = (
    "sns:AddPermission",
    "sns:DeleteTopic",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:Publish",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
)


@dataclass(frozen=True)
class AlertingArgs:
    """Knobs of the alert topic."""

    # ARN of the customer-managed key that encrypts messages at rest.
    kms_key_arn: pulumi.Input[str]
    # Addresses subscribed by e-mail (each must confirm the subscription).
    emails: tuple[str, ...] = ()
    # An HTTPS endpoint (a paging service's integration URL); secret, it embeds a token.
    webhook_url: pulumi.Input[str] | None = None


class Alerting(pulumi.ComponentResource):
    """An encrypted, TLS-only SNS topic for security alerts, with its subscriptions."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: AlertingArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:Alerting", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        topic_name = ctx.name("security-alerts")
        topic_arn = ctx.account.arn("sns", topic_name)
        self.topic = aws.sns.Topic(
            "security-alerts",
            name=topic_name,
            display_name="Billing security alerts",
            kms_master_key_id=args.kms_key_arn,
            tags=ctx.tags(INTERNAL, topic_name),
            opts=child,
        )
        aws.sns.TopicPolicy(
            "security-alerts-policy",
            arn=self.topic.arn,
            policy=document(
                statement(
                    "AccountAdministration",
                    ADMIN_ACTIONS,
                    [topic_arn],
                    principals={"AWS": [ctx.account.root_arn]},
                ),
                statement(
                    "AllowThisAccountsServicesToPublish",
                    ["sns:Publish"],
                    [topic_arn],
                    principals={"Service": list(ALERT_PUBLISHERS)},
                    conditions=[("StringEquals", "aws:SourceAccount", [ctx.account.account_id])],
                ),
                deny_insecure_transport([topic_arn], ["sns:Publish"]),
            ),
            opts=child,
        )
        for index, email in enumerate(args.emails):
            aws.sns.TopicSubscription(
                f"security-alerts-email-{index}",
                topic=self.topic.arn,
                protocol="email",
                endpoint=email,
                opts=child,
            )
        if args.webhook_url is not None:
            aws.sns.TopicSubscription(
                "security-alerts-webhook",
                topic=self.topic.arn,
                protocol="https",
                endpoint=pulumi.Output.secret(args.webhook_url),
                endpoint_auto_confirms=True,
                opts=child,
            )
        self.register_outputs({"topic_arn": self.topic.arn})
