"""The changed resource against the stack that declares it: drift, as `safeguard drift` finds it,
for that one resource.

`SAFEGUARD_STACK_STATE` names the stack exports to compare with, comma-separated: local files
(bundled with the function, or a test's), or `s3://BUCKET/KEY` objects (a deploy pipeline's
`pulumi stack export | aws s3 cp - s3://...`, or a DIY backend's own checkpoint file under
`.pulumi/stacks/`). Unset, the handler judges the change by the checks alone.

Of the exports only the changed resource is compared, with what is split off it (a bucket's
settings, a group's separately declared rules): the property that differs with both values and
the checks it breaks, the resource gone when a stack still declares it, or the resource
unmanaged when no stack does (a user made by hand is outside change control).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.evaluate import Finding
from checks.model import Inventory, Resource, secret_identity
from checks.registry import Registry
from checks.sources.aws.events import Change
from checks.text import safe_text
from policies.drift import DeclaredState, LiveView, compare
from policies.redaction import redact, scrubber

STATE_VARIABLE = "SAFEGUARD_STACK_STATE"


def _fetch(uri: str, folder: Path) -> Path:
    """An `s3://BUCKET/KEY` export copied into `folder` (boto3 honours AWS_ENDPOINT_URL)."""
    import boto3
    import botocore.exceptions

    from checks.inputfiles import MIB, json_limit

    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise InputError(f"{STATE_VARIABLE}: {uri} is not s3://BUCKET/KEY")
    limit = json_limit()
    try:
        # Read no more than the loader takes from a file: a huge object is said, not held.
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read(limit + 1)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        why = safe_text(str(exc), one_line=True)  # a validation error runs to several lines
        raise InputError(f"{uri}: the stack export cannot be read: {why}") from None
    if len(body) > limit:
        raise InputError(f"{uri}: the stack export is larger than {limit // MIB} MiB")
    path = folder / f"{len(list(folder.iterdir()))}-{Path(key).name or 'export.json'}"
    path.write_bytes(body)
    return path


def declared_states(spec: str) -> list[DeclaredState]:
    """Every export `spec` names, read whole (a wrong one is an InputError naming it)."""
    from checks.sources.state import load_state

    # Each export once (one named twice would be "declared twice" against itself).
    named = list(dict.fromkeys(w.strip() for w in spec.split(",") if w.strip()))
    if not named:  # "SAFEGUARD_STACK_STATE= , " is a slip, not a stack that declares nothing
        raise InputError(f"{STATE_VARIABLE} names no stack export: {spec.strip()!r}")
    states = []
    with tempfile.TemporaryDirectory(prefix="safeguard-state-") as scratch:
        for where in named:
            path = _fetch(where, Path(scratch)) if where.startswith("s3://") else Path(where)
            try:
                collected = load_state(path)
            except InputError as exc:
                raise InputError(str(exc).replace(str(path), where)) from None
            resources = tuple(collected.resources)
            states.append(DeclaredState(where, collected.project, collected.stack, resources))
    return states


def configured_states() -> list[DeclaredState] | None:
    """The exports the environment names, or None when it names none."""
    spec = os.environ.get(STATE_VARIABLE, "").strip()
    return declared_states(spec) if spec else None


def _declares_target(res: Resource, change: Change) -> bool:
    # A declared resource's `name` is Pulumi's logical name, never AWS's: ids and ARNs only.
    return any(t.matches(res.type, res.id, res.arn) for t in change.targets)


def _row_on_target(row: dict[str, Any], change: Change) -> bool:
    res = row["resource"]
    return any(t.matches(res["type"], res["id"], res["arn"], res["name"]) for t in change.targets)


def target_drift(
    change: Change,
    states: list[DeclaredState],
    inventory: Inventory,
    findings: tuple[Finding, ...],
    registry: Registry,
    collected_types: frozenset[str],
) -> dict[str, Any]:
    """The changed resource's drift from `states` (the `safeguard drift` record, limited to it),
    redacted as reports are."""
    declared = Inventory([r for s in states for r in s.resources])
    keep: set[str] = set()
    for res in declared:
        if _declares_target(res, change):
            keep |= {res.address, *(c.address for c in declared.split_from(res))}
    mine = [
        DeclaredState(
            s.file, s.project, s.stack, tuple(r for r in s.resources if r.address in keep)
        )
        for s in states
    ]
    accounts = frozenset(r.account for r in inventory if r.account)
    regions = frozenset(r.region for r in inventory if r.region)
    live = LiveView(inventory, collected_types, findings, accounts, regions)
    drift = compare(mine, live, registry)
    drift.unmanaged = [u for u in drift.unmanaged if _row_on_target(u, change)]
    drift.made_by_aws = [u for u in drift.made_by_aws if _row_on_target(u, change)]
    record = drift.as_record()
    record["line"] = drift.line()
    given = [v for r in declared for v in secret_identity(r)]
    return redact({"drift": record}, scrubber([*declared, *inventory], given))["drift"]
