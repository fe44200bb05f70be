"""Account-wide guard rails: what protects resources this program does not create.

- S3 Block Public Access for the whole account, so no bucket (ours or anyone's) can be made
  public by an ACL or policy;
- EBS encryption by default, with the volumes key, for every new volume and snapshot.

These are account-and-region singletons, managed only when `accountBaseline` is true.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext


@dataclass(frozen=True)
class AccountGuardrailsArgs:
    """Knobs of the account guard rails."""

    # Key new EBS volumes are encrypted with.
    ebs_kms_key_arn: pulumi.Input[str]


class AccountGuardrails(pulumi.ComponentResource):
    """Account-level S3 public access block and EBS default encryption."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: AccountGuardrailsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:AccountGuardrails", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws.s3.AccountPublicAccessBlock(
            "account-public-access-block",
            account_id=ctx.account.account_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.ebs.EncryptionByDefault("ebs-encryption-by-default", enabled=True, opts=child)
        aws.ebs.DefaultKmsKey("ebs-default-key", key_arn=args.ebs_kms_key_arn, opts=child)
        self.register_outputs({})
