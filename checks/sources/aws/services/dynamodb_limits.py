"""Live collector: the account's DynamoDB capacity quotas in a region (DescribeLimits), as
`aws:dynamodb/accountLimits:AccountLimits`, a fact of the account no Pulumi program, preview or
state declares (control DDB-04 weighs the region's provisioned tables against it)."""

from __future__ import annotations

from collections.abc import Iterator

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context

ACCOUNT_LIMITS = "aws:dynamodb/accountLimits:AccountLimits"
_FIELDS = (
    ("AccountMaxReadCapacityUnits", "account_max_read_capacity_units"),
    ("AccountMaxWriteCapacityUnits", "account_max_write_capacity_units"),
    ("TableMaxReadCapacityUnits", "table_max_read_capacity_units"),
    ("TableMaxWriteCapacityUnits", "table_max_write_capacity_units"),
)


def _limits(ctx: Context) -> Iterator[Resource]:
    answer = ctx.call(ctx.client(), "DescribeLimits")
    props = {ours: answer[theirs] for theirs, ours in _FIELDS if theirs in answer}
    name = f"dynamodb-limits-{ctx.region}"
    yield ctx.resource(ACCOUNT_LIMITS, name, props, id=f"{ctx.account_id}/{ctx.region}")


COLLECTORS: list[Collector] = [
    Collector("dynamodb", (ACCOUNT_LIMITS,), ("dynamodb:DescribeLimits",), _limits),
]
