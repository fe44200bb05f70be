"""The evaluator: checks × resources → findings, offline on a collected inventory."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.model import JOINED_TYPES, Inventory, Resource, Undecidable
from checks.registry import Check, Registry, Result, Severity, Status
from checks.values import ReadLog, Scrubber, secret_texts, start_log, stop_log


@dataclass(frozen=True)
class Finding:
    """The verdict of one check on one resource (or on the account), with its evidence."""

    check: Check
    status: Status
    message: str
    evidence: Mapping[str, Any]
    resource: Resource | None
    waiver_id: str | None = None  # the waiver that covers it (status WAIVED), if any
    # An account-level finding's scope id ("account:ACCOUNT:REGION"), what a waiver names.
    scope: str | None = None

    @functools.cached_property
    def id(self) -> str:
        """Stable across runs: the same check on the same resource (or, account-level, the
        same scope) gets the same id. Worked out once per finding (a run asks for it some
        fifty thousand times at 4,000 resources)."""
        subject = self.resource.address if self.resource else self.scope or "account"
        key = f"{self.check.id}|{subject}"
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


def _guarded(
    chk: Check,
    run: Callable[[], list[Result]],
    subject: Resource | None,
    seen: set[str] | None = None,
) -> list[Finding]:
    """Run a check with a read log: an undecidable read it let through can never end in a
    pass, and whatever secret it was shown is scrubbed from what it says. `seen` collects the
    resources the check examined (read, or joined to its subject)."""
    log, token = start_log()
    try:
        results = run()
    except Undecidable as why:
        return [Finding(chk, Status.NOT_EVALUATED, _scrubbed(log, str(why)), {}, subject)]
    except Exception as exc:  # noqa: BLE001 - a crashing check is a finding, never a PASS
        reason = f"the check could not run: {type(exc).__name__}: {exc}"
        return [Finding(chk, Status.NOT_EVALUATED, _scrubbed(log, reason), {}, subject)]
    finally:
        stop_log(token)
        if seen is not None:
            seen.update(address for address, _, _ in log.reads)
    scrub = Scrubber(secret_texts(log.revealed))
    findings = []
    for result in results:
        resource = subject if subject is not None else result.resource
        if log.undecidable and result.status in _NOT_A_FAILURE:
            why = f"the check read a value it cannot decide on: {log.undecidable[0]}"
            findings.append(Finding(chk, Status.NOT_EVALUATED, scrub.text(why), {}, resource))
            continue
        findings.append(
            Finding(
                chk,
                result.status,
                scrub.text(result.message),
                scrub.value(dict(result.evidence)),
                resource,
            )
        )
    return findings


# A check that read an undecidable value and still found nothing wrong decided on it.
_NOT_A_FAILURE = (Status.PASS, Status.NOT_APPLICABLE)


def _scrubbed(log: ReadLog, text: str) -> str:
    return Scrubber(secret_texts(log.revealed)).text(text)


def _run_resource_check(
    chk: Check, res: Resource, inv: Inventory, seen: set[str] | None = None
) -> Finding:
    return _guarded(chk, lambda: [chk.fn(res, inv)], res, seen)[0]


_ACCOUNT_ID = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


def account_scope(inv: Inventory) -> str:
    """The scope id of the inventory's account-level findings: `account:ACCOUNT:REGION`, from
    the accounts and regions its resources are placed in ('+'-joined when several, `unknown`
    when no resource says)."""
    accounts = sorted({r.account for r in inv if _ACCOUNT_ID.fullmatch(str(r.account or ""))})
    regions = sorted({r.region for r in inv if _REGION.fullmatch(str(r.region or ""))})
    return f"account:{'+'.join(accounts) or 'unknown'}:{'+'.join(regions) or 'unknown'}"


def _run_account_check(chk: Check, inv: Inventory, seen: set[str] | None = None) -> list[Finding]:
    scope = account_scope(inv)
    found = [
        f if f.resource is not None else dataclasses.replace(f, scope=scope)
        for f in _guarded(chk, lambda: list(chk.fn(inv)), None, seen)
    ]
    hidden = [t for t in (*chk.resource_types, *chk.reads) if t in inv.gaps]
    if not found and hidden:
        # Nothing to say about what was seen is not "nothing there" when part could not be read.
        why = f"{hidden[0]} could not be collected: {inv.gaps[hidden[0]]}"
        found.append(Finding(chk, Status.NOT_EVALUATED, why, {}, None, scope=scope))
    return found


def run_check(chk: Check, inventory: Inventory, resource: Resource | None = None) -> list[Finding]:
    """One check's findings: on `resource` for a resource check, else the account check's."""
    if chk.scope == "account":
        return _run_account_check(chk, inventory)
    if resource is None:
        raise ValueError(f"check {chk.id} judges one resource: name it")
    return [_run_resource_check(chk, resource, inventory)]


def _unseen(registry: Registry, inventory: Inventory) -> list[Finding]:
    """A resource check whose types the source could not (fully) collect may have missed
    resources it would have judged: one NOT_EVALUATED finding says so, never silence."""
    scope = account_scope(inventory)
    out = []
    for chk in registry:
        hidden = [t for t in chk.resource_types if t in inventory.gaps]
        if chk.scope == "resource" and hidden:
            why = f"{hidden[0]} could not be collected: {inventory.gaps[hidden[0]]}"
            out.append(Finding(chk, Status.NOT_EVALUATED, why, {}, None, scope=scope))
    return out


# Types that are part of a Pulumi program's graph but are not cloud resources.
_NOT_CLOUD_RESOURCES = ("pulumi:providers:", "pulumi:pulumi:")


def is_cloud_resource(token: str) -> bool:
    return not token.startswith(_NOT_CLOUD_RESOURCES)


def evaluate(inventory: Inventory, registry: Registry) -> Evaluation:
    """Every check on every resource it judges. A type is uncovered when no resource of it was
    examined by any check: judged, read, listed, or reached by a join."""
    findings: list[Finding] = []
    seen: set[str] = set()
    for res in inventory:
        # A resource split off another (a bucket's setting, a group's rule) is judged with its
        # parent when the inventory holds it, on its own where a check can.
        if res.type in JOINED_TYPES and inventory.judged_as(res) != "alone":
            continue
        for chk in registry.for_type(res.type):
            findings.append(_run_resource_check(chk, res, inventory, seen))
    for chk in registry.account_checks:
        findings.extend(_run_account_check(chk, inventory, seen))
    findings.extend(_unseen(registry, inventory))
    findings.sort(
        key=lambda f: (f.check.id, f.resource.address if f.resource else "", f.status.value)
    )
    seen.update(f.resource.address for f in findings if f.resource is not None)
    examined = {r.type for r in inventory if r.address in seen}
    uncovered = sorted(
        {r.type for r in inventory if r.type not in examined and is_cloud_resource(r.type)}
    )
    return Evaluation(tuple(findings), inventory, registry, tuple(uncovered))
