"""Live collectors: Security Hub in each region, as `aws.securityhub.Account` declares it (present
when the region's hub is enabled), and its enabled standards as
`aws.securityhub.StandardsSubscription`.

Configuration only: findings are not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context, reason_of
from checks.sources.aws.shapes import present

HUB = "aws:securityhub/account:Account"
STANDARDS_SUBSCRIPTION = "aws:securityhub/standardsSubscription:StandardsSubscription"


def _hub(ctx: Context, client: Any) -> dict[str, Any] | None:
    """The region's hub; None when Security Hub is not enabled there (AWS answers
    InvalidAccessException, "not subscribed", which is a fact about the account, not a failure)."""
    ctx.calls += 1
    try:
        return client.describe_hub()
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        refused = error.get("Code") == "InvalidAccessException"
        if refused and "not subscribed" in str(error.get("Message", "")).lower():
            return None
        raise CollectionError(reason_of(exc, "DescribeHub")) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise CollectionError(reason_of(exc, "DescribeHub")) from None


def _hubs(ctx: Context) -> Iterator[Resource]:
    hub = _hub(ctx, ctx.client())
    if hub is None:
        return
    props = present(
        {
            "auto_enable_controls": hub.get("AutoEnableControls"),
            "control_finding_generator": hub.get("ControlFindingGenerator"),
        }
    )
    yield ctx.resource(HUB, ctx.account_id, props, id=ctx.account_id, arn=hub.get("HubArn"))


def _standards(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    if _hub(ctx, client) is None:
        return
    for found in ctx.pages(client, "GetEnabledStandards", "StandardsSubscriptions"):
        arn = found["StandardsSubscriptionArn"]
        props = {"standards_arn": found["StandardsArn"]}
        yield ctx.resource(STANDARDS_SUBSCRIPTION, arn, props, id=arn, arn=arn)


COLLECTORS: list[Collector] = [
    Collector("securityhub", (HUB,), ("securityhub:DescribeHub",), _hubs),
    Collector(
        "securityhub",
        (STANDARDS_SUBSCRIPTION,),
        ("securityhub:DescribeHub", "securityhub:GetEnabledStandards"),
        _standards,
    ),
]
