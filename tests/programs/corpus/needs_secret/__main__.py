"""A partner feed poller; its API token is set per developer, not committed."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
url = config.require("partnerUrl")
token = config.require_secret("partnerToken")

param = aws.ssm.Parameter("partner-token", type="SecureString", value=token)
queue = aws.sqs.Queue("partner-feed", sqs_managed_sse_enabled=True)
pulumi.export("queue", queue.url)
pulumi.export("url", url)
