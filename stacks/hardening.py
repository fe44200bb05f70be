"""Opt-in hardening for any Pulumi AWS program: raise insecure inputs to secure defaults.

Register it once, before the program declares its resources::

    import pulumi
    from hardening import harden          # stacks/ on sys.path, or vendored with hardening_rules.py

    pulumi.runtime.register_stack_transform(harden)   # or register_resource_transform

For every resource, `harden` looks at the inputs it knows and, where the fix is an input of that
same resource, raises it to the safeguard's default: `storage_encrypted`, `publicly_accessible`,
a minimum `backup_retention_period`, KMS `enable_key_rotation`, IMDSv2, S3 public-access-block
flags, and so on. `RULES` (in `hardening_rules.py`) lists every fix under the id of the
safeguard check it answers (`safeguard checks` lists them); `DEFAULTS` holds the few secure
defaults no check asks for.

What it cannot fix it leaves alone, untouched: a fix that needs another resource (a KMS key, a
bucket encryption or policy resource, a log group) or a judgement (which CIDR a security group
should allow). Run `safeguard scan` for those.

Every change is logged with `pulumi.log.info` and recorded in `harden.changes` (a list of
`Change`), so a reviewer sees exactly what the transform did. Some changes replace a resource
that already exists (turning on `storage_encrypted` replaces a database): run `pulumi preview`
before `pulumi up` on a deployed stack, and leave a fix out by its id:
`Hardener(skip={"rds_storage_encrypted_cmk"})`.

The transform receives inputs as the Pulumi engine sends them (camelCase names); inputs that
are secret or not yet known are never read or changed. This module needs only `pulumi`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pulumi
from hardening_rules import DEFAULTS, RULES, Props, Rule, Unreadable

__all__ = ["DEFAULTS", "RULES", "Change", "Hardener", "harden"]


@dataclass(frozen=True)
class Change:
    """One input the transform raised."""

    resource_type: str
    resource_name: str
    rule: str  # the check id the fix answers (or a DEFAULTS id), usable in Hardener(skip=...)
    path: str  # input path in engine naming, e.g. "metadataOptions.httpTokens"
    before: Any
    after: Any
    reason: str

    def __str__(self) -> str:
        return (
            f"hardening: {self.resource_type} {self.resource_name}: {self.path} "
            f"{self.before!r} -> {self.after!r} ({self.reason})"
        )


class Hardener:
    """A resource transform that applies `RULES` and `DEFAULTS` and records what it changed.

    `skip` names ids to leave out (e.g. ``{"rds_storage_encrypted_cmk"}`` on a stack whose
    database exists and must not be replaced); `log` turns the `pulumi.log.info` lines off.
    """

    def __init__(self, *, skip: Iterable[str] = (), log: bool = True) -> None:
        self.skip = frozenset(skip)
        self.log = log
        self.changes: list[Change] = []
        # The tables turned around: each resource type's (id, rule) pairs, in table order.
        self._rules: dict[str, list[tuple[str, Rule]]] = {}
        for rule_id, rules in {**RULES, **DEFAULTS}.items():
            for type_, rule in rules.items():
                self._rules.setdefault(type_, []).append((rule_id, rule))
        unknown = self.skip - RULES.keys() - DEFAULTS.keys()
        if unknown:
            raise ValueError(f"unknown hardening rule(s): {', '.join(sorted(unknown))}")

    def __call__(self, args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        rules = self._rules.get(args.type_)
        if not args.custom or not rules:
            return None
        props = Props(args.props)
        made: list[Change] = []
        for rule_id, rule in rules:
            if rule_id in self.skip:
                continue
            try:
                fixes = rule(props)
                for path, value, reason in fixes:
                    before = props.get(path)
                    props.set(path, value)
                    made.append(Change(args.type_, args.name, rule_id, path, before, value, reason))
            except Unreadable:
                continue  # a secret or unknown input decides this rule: leave it as declared
        if not made:
            return None
        for change in made:
            if self.log:
                pulumi.log.info(str(change))
            self.changes.append(change)
        return pulumi.ResourceTransformResult(props=props.data, opts=args.opts)


# The transform to register; `harden.changes` lists what it changed in this program.
harden = Hardener()
