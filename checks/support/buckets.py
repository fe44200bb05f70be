"""S3 buckets as several checks see them: their companion resources, their ARN, where their
server access logs go, and what delivers logs into them.

pulumi_aws v7 splits bucket settings into companion resources (found through
`Inventory.bucket_companions`); the deprecated inline properties of `aws.s3.Bucket` are read too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.splits import BUCKET_COMPANIONS
from checks.support.joins import names
from checks.support.props import blocks, known, known_value
from checks.support.resource_types import ALL_LOAD_BALANCERS, BUCKET

BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
# Region prefixes outside the commercial partition ("aws").
_PARTITIONS = (("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"))


def companions(res: Resource, inv: Inventory, role: str) -> list[Resource]:
    """The bucket's companion resources of one role ("encryption", "policy", "logging", ...).

    When the bucket has none and the source could not read every setting of that role, having
    none cannot be told from not having been read: undecidable. (A live source marks a bucket
    whose own read failed with an unread companion, which its checks cannot decide on.)"""
    found = list(inv.bucket_companions(res).get(role, ()))
    if not found:
        inv.require(t for t, r in BUCKET_COMPANIONS.items() if r == role)
    return found


def bucket_arn(res: Resource) -> str:
    """The bucket's ARN: the one it carries, else built from its name and region's partition."""
    for arn in (res.arn, res.get("arn")):
        if isinstance(arn, str) and arn:
            return arn
    name = res.get("bucket") or res.id
    if not isinstance(name, str) or not name:
        raise Undecidable(f"the name of bucket {res.name} is not known yet")
    region = res.region or ""
    partition = next((p for prefix, p in _PARTITIONS if region.startswith(prefix)), "aws")
    return f"arn:{partition}:s3:::{name}"


def logging_targets(res: Resource, inv: Inventory) -> list[str]:
    """The buckets the bucket's own server access logs go to."""
    targets = [known(c, "target_bucket") for c in companions(res, inv, "logging")]
    targets += [b.get("target_bucket") for b in blocks(known(res, "logging"))]
    return [str(t) for t in targets if t]


def _named_in(
    res: Resource, inv: Inventory, key: str, sources: Callable[[], list[tuple[Resource, Any]]]
) -> list[str]:
    """The addresses of `sources` whose reference names `res` (indexed once per inventory).

    Undecidable while any source's reference is not known: it may name `res`.
    """

    def build() -> tuple[dict[str, set[str]], tuple[Resource, Any] | None]:
        index: dict[str, set[str]] = {}
        pending = None
        for src, ref in sources():
            if isinstance(ref, str):
                index.setdefault(ref, set()).add(src.address)
            elif ref is not None and pending is None:
                pending = (src, ref)
        return index, pending

    index, pending = inv.memo(("s3.log-sources", key), build)
    if pending is not None:
        known_value(pending[1], f"the log bucket named by {pending[0].name}")
    return sorted({a for name in names(res) for a in index.get(name, ())})


def s3_access_log_sources(res: Resource, inv: Inventory) -> list[str]:
    """The buckets (or logging resources) whose S3 server access logs land in `res`."""

    def sources() -> list[tuple[Resource, Any]]:
        found = [(r, r.props.get("target_bucket")) for r in inv.of_type(BUCKET_LOGGING)]
        return found + [
            (b, block.get("target_bucket"))
            for b in inv.of_type(BUCKET)
            for block in blocks(b.get("logging"))
        ]

    return _named_in(res, inv, "access-logs", sources)


def log_deliveries(res: Resource, inv: Inventory) -> list[str]:
    """What delivers logs into `res` with a service that supports only SSE-S3."""

    def lbs() -> list[tuple[Resource, Any]]:
        return [
            (lb, block.get("bucket"))
            for lb in inv.of_type(*ALL_LOAD_BALANCERS)
            for block in blocks(lb.get("access_logs"))
        ]

    return s3_access_log_sources(res, inv) + _named_in(res, inv, "lb-logs", lbs)
