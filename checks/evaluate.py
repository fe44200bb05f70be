"""The evaluator: checks × resources → findings, offline on a collected inventory."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.model import JOINED_TYPES, Inventory, Resource, Undecidable
from checks.registry import Check, Registry, Result, Severity, Status


@dataclass(frozen=True)
class Finding:
    """The verdict of one check on one resource (or on the account), with its evidence."""

    check: Check
    status: Status
    message: str
    evidence: Mapping[str, Any]
    resource: Resource | None
    waiver_id: str | None = None  # the waiver that covers it (status WAIVED), if any

    @property
    def id(self) -> str:
        """Stable across runs: the same check on the same resource gets the same id."""
        key = f"{self.check.id}|{self.resource.address if self.resource else 'account'}"
        return "F-" + hashlib.sha256(key.encode()).hexdigest()[:12]

    @property
    def severity(self) -> Severity:
        return self.check.severity


@dataclass(frozen=True)
class Evaluation:
    findings: tuple[Finding, ...]
    inventory: Inventory
    registry: Registry
    uncovered_types: tuple[str, ...] = field(default=())

    def count(self, status: Status) -> int:
        return sum(1 for f in self.findings if f.status is status)


def _run_resource_check(chk: Check, res: Resource, inv: Inventory) -> Finding:
    try:
        result: Result = chk.fn(res, inv)
    except Undecidable as why:
        return Finding(chk, Status.NOT_EVALUATED, str(why), {}, res)
    except Exception as exc:  # noqa: BLE001 - a crashing check is a finding, never a PASS
        reason = f"the check could not run: {type(exc).__name__}: {exc}"
        return Finding(chk, Status.NOT_EVALUATED, reason, {}, res)
    return Finding(chk, result.status, result.message, dict(result.evidence), res)


def _run_account_check(chk: Check, inv: Inventory) -> list[Finding]:
    try:
        results = list(chk.fn(inv))
    except Undecidable as why:
        return [Finding(chk, Status.NOT_EVALUATED, str(why), {}, None)]
    except Exception as exc:  # noqa: BLE001 - a crashing check is a finding, never a PASS
        reason = f"the check could not run: {type(exc).__name__}: {exc}"
        return [Finding(chk, Status.NOT_EVALUATED, reason, {}, None)]
    return [Finding(chk, r.status, r.message, dict(r.evidence), r.resource) for r in results]


# Types that are part of a Pulumi program's graph but are not cloud resources.
_NOT_CLOUD_RESOURCES = ("pulumi:providers:", "pulumi:pulumi:")


def is_cloud_resource(token: str) -> bool:
    return not token.startswith(_NOT_CLOUD_RESOURCES)


def evaluate(inventory: Inventory, registry: Registry) -> Evaluation:
    from checks.support.joins import READ_THROUGH_JOINS

    findings: list[Finding] = []
    covered = registry.covered_types | JOINED_TYPES | READ_THROUGH_JOINS
    for res in inventory:
        for chk in registry.for_type(res.type):
            findings.append(_run_resource_check(chk, res, inventory))
    for chk in registry.account_checks:
        findings.extend(_run_account_check(chk, inventory))
    findings.sort(
        key=lambda f: (f.check.id, f.resource.address if f.resource else "", f.status.value)
    )
    uncovered = tuple(
        sorted({r.type for r in inventory if r.type not in covered and is_cloud_resource(r.type)})
    )
    return Evaluation(tuple(findings), inventory, registry, uncovered)
