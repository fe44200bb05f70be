"""Drift, one matched pair at a time: which properties differ, and which verdicts.

`policies.drift` matches declared and live resources; this module compares a pair. What a check
reads is learnt from its read log (`checks.values`), run on both sides: the properties it reads
are the ones it judges, so a changed property names the checks it can move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.evaluate import Finding, evaluate
from checks.model import JOINED_TYPES, Inventory, Resource, Undecidable
from checks.registry import Registry
from checks.values import start_log, stop_log
from policies.drift_values import VOLATILE, declared_tags, hidden_kind, same, shown, shown_live

# Types AWS reports under another token than a program declares, folded to the program's.
FAMILY: Mapping[str, str] = {
    "aws:ec2/defaultSubnet:DefaultSubnet": "aws:ec2/subnet:Subnet",
    "aws:ec2/defaultVpc:DefaultVpc": "aws:ec2/vpc:Vpc",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultRouteTable:DefaultRouteTable": "aws:ec2/routeTable:RouteTable",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": "aws:ec2/networkAcl:NetworkAcl",
}
GROUP = "aws:ec2/securityGroup:SecurityGroup"
# A verdict drift changed: PASS one side, FAIL the other (a check that could not be decided on
# one side is the audit's coverage, not drift).
DECIDED = {"PASS", "FAIL"}
INGRESS = "ingress (every rule)"


def family(token: str) -> str:
    return FAMILY.get(token, token)


def ref(res: Resource, *, live: Resource | None = None) -> dict[str, Any]:
    """A resource as drift names it: its logical name and URN when declared, its cloud id."""
    seen = live or res
    return {
        "type": res.type,
        "name": res.name,
        "urn": res.urn,
        "id": seen.id or res.id,
        "arn": seen.arn or res.arn,
        "region": seen.region or res.region,
    }


# -- what the checks read and decide ---------------------------------------------------------

Readers = dict[str, dict[str, set[str]]]  # address → property → ids of the checks reading it


def readers(inventory: Inventory, registry: Registry) -> Readers:
    """Which checks read which property of which resource, from their read logs."""
    found: Readers = {}

    def run(check_id: str, call: Callable[[], Any]) -> None:
        log, token = start_log()
        try:
            call()
        except Undecidable:
            pass  # what it read until then is what it needs: the reads are all we keep here
        except Exception:  # noqa: BLE001 - the evaluation reports a crashing check as NOT_EVALUATED
            pass
        finally:
            stop_log(token)
        for address, key, _ in log.reads:
            found.setdefault(address, {}).setdefault(key, set()).add(check_id)

    for res in inventory:
        for chk in registry.for_type(res.type):
            run(chk.id, lambda chk=chk, res=res: chk.fn(res, inventory))
    for chk in registry.account_checks:
        run(chk.id, lambda chk=chk: list(chk.fn(inventory)))
    return found


def verdicts(findings: Iterable[Finding]) -> dict[tuple[str, str | None], str]:
    out: dict[tuple[str, str | None], str] = {}
    for f in findings:
        out.setdefault((f.check.id, f.resource.address if f.resource else None), f.status.value)
    return out


# -- comparing one pair ----------------------------------------------------------------------


def _rules(inventory: Inventory, group: Resource) -> list[str]:
    rules = []
    for rule in inventory.ingress_rules(group):
        sources = ", ".join(map(str, (*rule.cidr_ipv4, *rule.cidr_ipv6))) or "other groups"
        rules.append(f"{rule.protocol} {rule.from_port}-{rule.to_port} from {sources}")
    return sorted(rules)


def _parent(inventory: Inventory, res: Resource) -> Resource | None:
    if res.type not in JOINED_TYPES:
        return None
    try:
        return inventory.parent_of(res)
    except Undecidable:
        return None


def _properties(declared: Resource, live: Resource) -> list[tuple[str, Any, Any]]:
    """(property, declared, live) for every property both sides record."""
    out = []
    for key in sorted(set(declared.props) & set(live.props)):
        if key in VOLATILE or (family(declared.type) == GROUP and key == "ingress"):
            continue
        value = declared_tags(declared.props) if key == "tags" else declared.props[key]
        out.append((key, value, live.props[key]))
    if "tags" not in declared.props and "tags_all" in declared.props and "tags" in live.props:
        out.append(("tags", declared.props["tags_all"], live.props["tags"]))
    return out


@dataclass
class PairDrift:
    """What differs on matched pairs: changed properties, values that cannot be compared, and
    verdicts that moved between PASS and FAIL."""

    changed: list[dict[str, Any]] = field(default_factory=list)
    not_comparable: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)


class Comparer:
    """Compares pairs of one declared inventory and one live one (see the module doc)."""

    def __init__(
        self, declared: Inventory, live: Inventory, findings: Iterable[Finding], registry: Registry
    ) -> None:
        self.declared, self.live = declared, live
        self.readers = {**readers(declared, registry), **readers(live, registry)}
        self.before = verdicts(evaluate(declared, registry).findings)
        self.after = verdicts(findings)
        # The declared verdicts by resource, in the order rows are written: one pass, so a
        # pair looks up its own instead of scanning every verdict (quadratic on big accounts).
        self.before_on: dict[str | None, list[tuple[str, str]]] = {}
        for (check_id, address), status in sorted(self.before.items(), key=lambda kv: str(kv[0])):
            self.before_on.setdefault(address, []).append((check_id, status))

    def checks_reading(self, d: Resource, lv: Resource, key: str) -> set[str]:
        found = set()
        for address in (d.address, lv.address):
            found |= self.readers.get(address, {}).get(key, set())
        if key == INGRESS:
            found |= self.checks_reading(d, lv, "ingress")
            try:
                rules = self.declared.security_group_rule_resources(d)
            except Undecidable:
                rules = []
            for rule in rules:
                for ids in self.readers.get(rule.address, {}).values():
                    found |= ids
        return found

    def broken_by(self, d: Resource, lv: Resource, checks: Iterable[str]) -> list[str]:
        """The checks that pass on the declared resource and fail on the live one: judged on
        the pair itself, on the resource it was split off (a bucket's versioning), or on the
        account (a trail's logging)."""
        subjects = [(d.address, lv.address), (None, None)]
        parents = (_parent(self.declared, d), _parent(self.live, lv))
        if None not in parents:
            subjects.append((parents[0].address, parents[1].address))
        return sorted(
            c
            for c in checks
            if any(
                self.before.get((c, before)) == "PASS" and self.after.get((c, after)) == "FAIL"
                for before, after in subjects
            )
        )

    def pair(self, d: Resource, lv: Resource, drift: PairDrift) -> None:
        values = _properties(d, lv)
        if lv.recorded is None:
            # A live resource records what is set: a property it lacks is unset. Compared
            # where a check reads it (the stack set encryption and the console removed it);
            # other properties a collector never reads are not compared.
            for key in sorted(set(d.props) - set(lv.props) - VOLATILE):
                if key != "tags_all" and self.checks_reading(d, lv, key):
                    values.append((key, d.props[key], None))
        if family(d.type) == GROUP:
            try:
                values.append((INGRESS, _rules(self.declared, d), _rules(self.live, lv)))
            except Undecidable as why:
                drift.not_comparable.append({"resource": ref(d, live=lv), "property": INGRESS,
                                             "why": str(why)})  # fmt: skip
        for key, before, after in values:
            kinds = [k for k in (hidden_kind(before), hidden_kind(after)) if k]
            if kinds:
                why = f"the value is {kinds[0]} on one side"
                row = {"resource": ref(d, live=lv), "property": key, "why": why}
                drift.not_comparable.append(row)
                continue
            if same(before, after, key):
                continue
            checks = self.checks_reading(d, lv, key)
            drift.changed.append({
                "resource": ref(d, live=lv),
                "property": key,
                "declared": shown(shown_live(key, before)),
                "live": shown(shown_live(key, after)),
                "checks": sorted(checks),
                "breaks": self.broken_by(d, lv, checks),
            })  # fmt: skip
        for check_id, status in self.before_on.get(d.address, ()):
            now = self.after.get((check_id, lv.address))
            if {status, now} == DECIDED:
                drift.verdicts.append({"check_id": check_id, "resource": ref(d, live=lv),
                                       "declared": status,
                                       "live": now})  # fmt: skip
