"""What the data-store collectors (S3, RDS, DynamoDB, AWS Backup) share: AWS answers turned into
the shapes of the pulumi_aws SDK, the AWS-managed KMS keys of a region, and the setting of one
resource that could not be read.

A setting that cannot be read is never left out silently and never given a value: the resource is
emitted with that property marked as not read (`partly_read`: a check that needs it cannot
decide), and the collector records the partial gap (`Context.hide`), naming the resource.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Context
from checks.values import Unread

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# AWS names every key an AWS-managed key is known by "alias/aws/<service>".
AWS_MANAGED_ALIAS_PREFIX = "alias/aws/"


def snake(name: str) -> str:
    """An AWS member name as the SDK names it: `KMSMasterKeyID` → `kms_master_key_id`."""
    return _BOUNDARY.sub("_", name).lower()


def shaped(value: Any, renames: Mapping[str, str] | None = None) -> Any:
    """An AWS answer (or part of one) with every key in SDK naming (`renames` first) and every
    timestamp as the ISO 8601 text the SDK takes."""
    renames = renames or {}
    if isinstance(value, Mapping):
        return {renames.get(k) or snake(k): shaped(v, renames) for k, v in value.items()}
    if isinstance(value, list):
        return [shaped(v, renames) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def tag_map(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """AWS's `[{"Key": k, "Value": v}]` as the SDK's `{k: v}`."""
    return {str(t["Key"]): str(t.get("Value", "")) for t in tags or () if "Key" in t}


def present(props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties AWS reported (a missing member is the provider's default, not None)."""
    return {k: v for k, v in props.items() if v is not None}


# -- KMS: which keys are AWS's own ------------------------------------------------------------


class ManagedKeys:
    """The region's AWS-managed KMS keys (aws/rds, aws/backup, ...), read once (kms:ListAliases).

    AWS reports the key of an AWS-managed encryption by its ARN; the checks tell an AWS-managed
    key from a customer's by its alias, as a program names it. So such a key is given by its
    alias ARN (the same key, by the name AWS gave it)."""

    ACTION = "kms:ListAliases"

    def __init__(self, ctx: Context) -> None:
        self.by_key: dict[str, str] = {}
        # Why the aliases could not be listed: then whether a key is AWS-managed cannot be
        # told, and only the key settings say so (the rest of each resource is still read).
        self.unread: str | None = None
        try:
            for alias in ctx.pages(ctx.client("kms"), "ListAliases", "Aliases"):
                name, target = str(alias.get("AliasName", "")), alias.get("TargetKeyId")
                if name.startswith(AWS_MANAGED_ALIAS_PREFIX) and target:
                    arn = alias.get("AliasArn") or (
                        f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account_id}:{name}"
                    )
                    self.by_key[str(target)] = str(arn)
        except CollectionError as exc:
            self.unread = str(exc)

    def name(self, key: Any) -> Any:
        """The key as the checks should see it: an AWS-managed key by its alias ARN (a key
        that cannot be told apart, when the aliases could not be listed, is unread)."""
        if not isinstance(key, str) or not key:
            return key or None
        if self.unread is not None and ":alias/" not in key:
            return Unread(f"whether {key} is an AWS-managed key ({self.unread})")
        return self.by_key.get(key.rsplit("key/", 1)[-1], key)

    def is_managed(self, key: Any) -> bool:
        """Whether `key` is AWS-managed (False also when that cannot be told: ask `name`)."""
        named = self.name(key)
        return isinstance(named, str) and AWS_MANAGED_ALIAS_PREFIX in named


# -- settings that could not be read ----------------------------------------------------------


def read_setting(
    ctx: Context, client: Any, operation: str, hides: Iterable[str], where: str, **kwargs: Any
) -> tuple[dict[str, Any] | None, bool]:
    """One setting of one resource: (answer, True), (None, True) when AWS says it is not
    configured, or (None, False) when it could not be read (a partial gap of `hides`)."""
    try:
        return ctx.setting(client, operation, **kwargs), True
    except CollectionError as exc:
        ctx.hide(hides, f"{exc} ({where})")
        return None, False


def partly_read(res: Resource, unread: Iterable[str], absent: Iterable[str] = ()) -> Resource:
    """The resource with the properties `unread` marked as not read: a check that needs one of
    them cannot decide. `absent` names properties AWS reported as not set (still the provider's
    default); any other property the resource does not carry cannot be decided on either."""
    unread = set(unread)
    if not unread:
        return res
    recorded = (set(res.props) | set(absent)) - unread
    props = {k: v for k, v in res.props.items() if k not in unread}
    return dataclasses.replace(res, props=props, recorded=frozenset(recorded))


def barely_read(res: Resource) -> Resource:
    """A resource known to exist whose configuration could not be read: every property it does
    not carry (its identity) is not read, so none of its checks can decide."""
    return dataclasses.replace(res, recorded=frozenset(res.props))
