"""Drift: what the live account says against what the stacks' exports declare.

Pure: both sides are `checks.model.Resource` lists (a `pulumi stack export` read by the state
source, the account read by the live collectors), so nothing here calls AWS.

- **Matching.** A declared resource is the live one of the same type whose ARN, else cloud id,
  is the same (`Resource.arn`, `Resource.id`; the logical `name` of a state entry is Pulumi's,
  not AWS's, so it never matches). AWS spells a few types two ways (a subnet it marks as default
  for its zone is collected as `DefaultSubnet`): `FAMILY` folds them.
- **Changed.** For each matched pair, every property both sides record is compared (less the
  ones AWS or the provider compute, `drift_values.VOLATILE`), with a security group's ingress
  compared as the whole set of rules that reach it, wherever each was declared. Each change
  names the checks that read that property (learnt by running the checks on both sides with
  their read log: what a check reads is what it judges) and the ones it breaks (PASS as
  declared, FAIL live). A property that reads no check is still reported, as affecting none.
- **Not comparable.** A value that is secret, unknown or unreadable on either side.
- **Gone.** Declared, not live, of a type the audit read without error in a region and account
  it read. A type it could not read (a gap) is "not seen" with the reason; a type no collector
  reads is "not compared" (a security group rule declared apart is compared through its group).
- **Unmanaged.** Live resources of a type a program can declare that no given state declares;
  what AWS makes itself (default VPC parts, automated snapshots) is listed apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.evaluate import Finding
from checks.model import JOINED_TYPES, SECURITY_GROUP_RULES, Inventory, Resource, Undecidable
from checks.registry import Registry, Status
from checks.sources.property_names import class_of
from policies.drift_pairs import DECIDED, FAMILY, Comparer, PairDrift, family, ref
from policies.exit_codes import ExitCode


def made_by_aws(res: Resource) -> str | None:
    """Why a live resource no stack declares is AWS's own, or None."""
    if res.type in FAMILY:
        return "a default AWS makes in every account and region"
    if res.type == "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation":
        return "the main route table AWS gives every VPC"
    name = str(res.name or "")
    if res.type == "aws:rds/snapshot:Snapshot" and name.startswith("rds:"):
        return "an automated snapshot RDS takes"
    if res.type.startswith("aws:secretsmanager/") and name.startswith("rds!"):
        return "a master-user secret RDS manages for a database"
    if res.account and res.id == res.account:
        return "a setting of the whole account, which exists whether or not a stack declares it"
    return None


@dataclass(frozen=True)
class DeclaredState:
    """One stack export: where it was read from and the resources it declares."""

    file: str
    project: str | None
    stack: str | None
    resources: tuple[Resource, ...]


@dataclass(frozen=True)
class LiveView:
    """The live collection: its inventory (with gaps), the types its collectors read, and the
    accounts and regions it read (empty: not known, so not used to excuse a missing one)."""

    inventory: Inventory
    collected_types: frozenset[str]
    findings: tuple[Finding, ...]
    accounts: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()


@dataclass
class Drift:
    states: list[dict[str, Any]]
    changed: list[dict[str, Any]] = field(default_factory=list)
    not_comparable: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)
    not_seen: list[dict[str, Any]] = field(default_factory=list)
    not_compared: list[dict[str, Any]] = field(default_factory=list)
    unmanaged: list[dict[str, Any]] = field(default_factory=list)
    made_by_aws: list[dict[str, Any]] = field(default_factory=list)
    # Resources two state files (or one given twice) both declare: compared once.
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    matched: int = 0

    @property
    def broken(self) -> list[dict[str, Any]]:
        """Verdicts drift turned from PASS (as declared) to FAIL (live)."""
        return [v for v in self.verdicts if v["declared"] == "PASS" and v["live"] == "FAIL"]

    @property
    def exit_code(self) -> ExitCode:
        """FAILED when drift broke a check; NOT_EVALUATED when a declared resource could not
        be seen; else OK (other drift is reported, not gated)."""
        if self.broken:
            return ExitCode.FAILED
        return ExitCode.NOT_EVALUATED if self.not_seen else ExitCode.OK

    def summary(self) -> dict[str, int]:
        return {
            "matched": self.matched,
            "changed_properties": len(self.changed),
            "changed_resources": len({_key(c["resource"]) for c in self.changed}),
            "breaking_changes": len(self.broken),
            "not_comparable": len(self.not_comparable),
            "gone": len(self.gone),
            "unmanaged": len(self.unmanaged),
            "made_by_aws": len(self.made_by_aws),
            "declared_twice": len(self.duplicates),
            "not_seen": len(self.not_seen),
            "not_compared": sum(n["count"] for n in self.not_compared),
        }

    def as_record(self) -> dict[str, Any]:
        return {
            "states": self.states,
            "summary": self.summary(),
            "exit_code": int(self.exit_code),
            "changed": self.changed,
            "not_comparable": self.not_comparable,
            "verdicts": self.verdicts,
            "gone": self.gone,
            "not_seen": self.not_seen,
            "not_compared": self.not_compared,
            "unmanaged": self.unmanaged,
            "made_by_aws": self.made_by_aws,
            "declared_twice": self.duplicates,
        }

    def line(self) -> str:
        """The one-line summary a terminal shows."""
        s = self.summary()
        return (
            f"drift: {s['changed_properties']} changed properties on {s['changed_resources']} "
            f"resources ({s['breaking_changes']} breaking a check), {s['gone']} gone, "
            f"{s['unmanaged']} unmanaged, {s['not_seen']} not seen, {s['matched']} matched"
        )


def _key(ref: Mapping[str, Any]) -> str:
    return str(ref.get("urn") or ref.get("arn") or ref.get("id") or ref.get("name"))


# -- what the checks read and decide ---------------------------------------------------------
# -- matching --------------------------------------------------------------------------------


def _index(live: Iterable[Resource]) -> dict[tuple[str, str], Resource]:
    index: dict[tuple[str, str], Resource] = {}
    for res in live:
        for ident in (res.arn, res.id):
            if isinstance(ident, str) and ident:
                index.setdefault((family(res.type), ident), res)
    return index


def _match(res: Resource, index: Mapping[tuple[str, str], Resource]) -> Resource | None:
    """The live resource with the declared one's ARN, else its id — never one in another
    account or region than the declared one says (a role or log group name, a key id, repeats
    across accounts and regions: a namesake is not the resource)."""
    for ident in (res.arn, res.id):
        found = index.get((family(res.type), ident)) if isinstance(ident, str) and ident else None
        if found is not None and _same_place(res, found):
            return found
    return None


def _same_place(declared: Resource, live: Resource) -> bool:
    for mine, theirs in ((declared.account, live.account), (declared.region, live.region)):
        if isinstance(mine, str) and isinstance(theirs, str) and mine and theirs and mine != theirs:
            return False
    return True


def _once(states: Sequence[DeclaredState], drift: Drift) -> list[Resource]:
    """The declared resources, each once: a resource two state files both declare (the same
    file given twice, two exports of one stack) is compared once, and said."""
    seen: dict[str, str] = {}
    out = []
    for state in states:
        for res in state.resources:
            # The cloud id in its account and region, not the ARN first: some types' `arn` is
            # what they point at (an EventBridge target's is its target's), shared by many.
            place = (res.account, res.region)
            key = f"{res.type}|{place}|{res.id or res.arn or res.urn or res.name}"
            if key in seen:
                drift.duplicates.append({"resource": ref(res), "files": [seen[key], state.file]})
                continue
            seen[key] = state.file
            out.append(res)
    return out


def _state_ref(state: DeclaredState) -> dict[str, Any]:
    return {"file": state.file, "project": state.project, "stack": state.stack,
            "resources": len(state.resources)}  # fmt: skip


def _unseen_reason(res: Resource, live: LiveView) -> str | None:
    """Why a declared resource that is not live may be there all the same, or None."""
    token = res.type if res.type in live.inventory.gaps else family(res.type)
    if token in live.inventory.gaps:
        return f"{token} could not be collected: {live.inventory.gaps[token]}"
    if live.accounts and res.account and res.account not in live.accounts:
        return f"account {res.account} was not read"
    if live.regions and res.region and res.region not in live.regions:
        return f"region {res.region} was not read"
    return None


def _account_level(verdicts: Mapping[tuple[str, str | None], str]) -> dict[str, str]:
    return {check_id: v for (check_id, address), v in verdicts.items() if address is None}


def compare(states: Sequence[DeclaredState], live: LiveView, registry: Registry) -> Drift:
    """The drift of the live account from `states` (see the module doc)."""
    drift = Drift(states=[_state_ref(s) for s in states])
    declared = Inventory(_once(states, drift))
    stack_of = {r.address: s.stack for s in states for r in s.resources}
    comparer = Comparer(declared, live.inventory, live.findings, registry)
    pairs_drift = PairDrift()
    index = _index(live.inventory)
    managed: set[str] = set()
    pairs: dict[str, Resource] = {}
    uncompared: dict[str, int] = {}
    for res in declared:
        found = _match(res, index)
        if found is not None:
            drift.matched += 1
            managed.add(found.address)
            pairs[res.address] = found
            comparer.pair(res, found, pairs_drift)
    for res in declared:
        if res.address in pairs:
            continue
        collected = {res.type, family(res.type)} & live.collected_types
        if (
            not collected
            and res.type in SECURITY_GROUP_RULES
            and _parent_matched(declared, res, pairs)
        ):
            continue  # compared through its group's rules
        if not collected:
            uncompared[res.type] = uncompared.get(res.type, 0) + 1
            continue
        row = {"resource": ref(res), "stack": stack_of.get(res.address)}
        reason = _unseen_reason(res, live)
        if reason is not None:
            drift.not_seen.append({**row, "reason": reason})
        else:
            checks = sorted(c.id for c in registry if res.type in c.types_read)
            drift.gone.append({**row, "checks": checks})
    drift.changed, drift.verdicts = pairs_drift.changed, pairs_drift.verdicts
    drift.not_comparable = pairs_drift.not_comparable
    drift.not_compared = [
        {"type": t, "count": n, "reason": "the live audit reads no resource of this type"}
        for t, n in sorted(uncompared.items())
    ]
    _unmanaged(live, managed, registry, drift)
    # Account-level verdicts (a multi-region trail exists, GuardDuty is on) by check.
    before, after = _account_level(comparer.before), _account_level(comparer.after)
    for check_id, status in sorted(before.items()):
        if {status, after.get(check_id)} == DECIDED:
            drift.verdicts.append({"check_id": check_id, "resource": None, "declared": status,
                                   "live": after[check_id]})  # fmt: skip
    return drift


def _parent_matched(declared: Inventory, res: Resource, pairs: Mapping[str, Resource]) -> bool:
    try:
        parent = declared.parent_of(res)
    except Undecidable:
        return False
    return parent is not None and parent.address in pairs


def _unmanaged(live: LiveView, managed: set[str], registry: Registry, drift: Drift) -> None:
    failing: dict[str, set[str]] = {}
    for f in live.findings:
        if f.resource is not None and f.status is Status.FAIL:
            failing.setdefault(f.resource.address, set()).add(f.check.id)
    for res in live.inventory:
        if res.address in managed or class_of(res.type) is None:
            continue  # declared, or a fact of the account no program can declare
        why = made_by_aws(res)
        if why is not None:
            drift.made_by_aws.append({"resource": ref(res), "reason": why})
            continue
        part_of = None
        if res.type in JOINED_TYPES:
            try:
                parent = live.inventory.parent_of(res)
            except Undecidable:
                parent = None
            part_of = parent.address if parent is not None else None
        drift.unmanaged.append({
            "resource": ref(res),
            "part_of": part_of,
            "parent_managed": part_of in managed if part_of else None,
            "checks": sorted(c.id for c in registry if res.type in c.types_read),
            "failing": sorted(failing.get(res.address, ())),
        })  # fmt: skip


def combined_exit(gate: int, drift: int) -> ExitCode:
    """The run's exit code: a failure of either fails it; else anything not seen is exit 3."""
    codes = {int(gate), int(drift)}
    if ExitCode.FAILED in codes:
        return ExitCode.FAILED
    return ExitCode.NOT_EVALUATED if ExitCode.NOT_EVALUATED in codes else ExitCode.OK
