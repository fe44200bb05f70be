"""Who and where the stack deploys, and how its resources are named and tagged.

Physical names are deterministic (``<project>-<environment>-<purpose>``), so the ARNs that key
and bucket policies must name are plain strings known before anything exists: the policies are
complete in `pulumi preview`, and no policy waits on the resource it protects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi_aws as aws

from billing.tagging import build_tags


@dataclass(frozen=True)
class AccountContext:
    account_id: str
    partition: str
    region: str

    @classmethod
    def lookup(cls, region: str) -> AccountContext:
        identity = aws.get_caller_identity()
        partition = aws.get_partition()
        return cls(account_id=identity.account_id, partition=partition.partition, region=region)

    @property
    def root_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def bucket_arn(self, bucket_name: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket_name}"

    def role_arn(self, name: str, path: str = "/") -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:role{path}{name}"

    def aws_managed_policy(self, name: str) -> str:
        """An AWS managed policy, e.g. ``service-role/AWSBackupServiceRolePolicyForBackup``."""
        return f"arn:{self.partition}:iam::aws:policy/{name}"


@dataclass(frozen=True)
class StackContext:
    """What every component needs from the stack: names, tags, the account."""

    name_prefix: str  # e.g. "hipaa-billing-prod"
    account: AccountContext
    base_tags: Mapping[str, str] = field(default_factory=dict)
    # Value of the backup-plan tag that puts a data store into the stack's backup plan.
    backup_plan: str | None = None
    # IAM path of every role and policy the stack creates, e.g. "/hipaa-billing/".
    iam_path: str = "/"

    def name(self, purpose: str) -> str:
        return f"{self.name_prefix}-{purpose}"

    def tags(
        self, classification: str, name: str | None = None, *, backup: bool = False
    ) -> dict[str, str]:
        plan = self.backup_plan if backup else None
        return build_tags(self.base_tags, classification, name, plan)
