"""Checks: small pure functions with their metadata beside them, and the registry that holds them.

A resource check is written as::

    @check(
        id="rds_storage_encrypted_cmk",
        control="RDS-01",
        title="RDS instance storage is encrypted with a customer-managed KMS key",
        severity=Severity.HIGH,
        citations=("164.312(a)(2)(iv)", "164.312(e)(2)(ii)"),
        config_rule="rds-storage-encrypted",
        resource_types=("aws:rds/instance:Instance",),
        remediation="Encrypt the storage with a CMK.",
        pulumi_fix="aws.rds.Instance(..., storage_encrypted=True, kms_key_id=key.arn)",
    )
    def rds_storage_encrypted_cmk(res: Resource, inv: Inventory) -> Result:
        ...

It returns `passed(...)`, `failed(...)` or `not_applicable(...)` with the evidence that
decided it, or raises `Undecidable` when the data it needs is missing or unknown. An account-level
check sets `scope="account"` and takes only the inventory, returning a list of results.

Modules of checks expose their checks through a module-level `CHECKS` list (filled by `check`
into the list passed as `into`); the registry is built explicitly at start-up by
`checks.library.build_registry`.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.controls import CONTROLS
from checks.model import Inventory, Resource


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


class Status(enum.StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_EVALUATED = "NOT_EVALUATED"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    # Set by the assessment, never by a check: a current, approved waiver covers the finding.
    WAIVED = "WAIVED"


# The order reports list statuses in: what needs action first.
STATUS_ORDER = (
    Status.FAIL,
    Status.NOT_EVALUATED,
    Status.WAIVED,
    Status.PASS,
    Status.NOT_APPLICABLE,
)


@dataclass(frozen=True)
class Result:
    """What a check function decided about one resource (or the account)."""

    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    resource: Resource | None = None  # account-level checks name the resource, if any


def passed(message: str, **evidence: Any) -> Result:
    return Result(Status.PASS, message, evidence)


def failed(message: str, **evidence: Any) -> Result:
    return Result(Status.FAIL, message, evidence)


def not_applicable(message: str, **evidence: Any) -> Result:
    return Result(Status.NOT_APPLICABLE, message, evidence)


ResourceCheckFn = Callable[[Resource, Inventory], Result]
AccountCheckFn = Callable[[Inventory], Sequence[Result]]

_CITATION = re.compile(r"^164\.3(08|10|12|14|16)(\([a-zA-Z0-9]+\))+$")
_ID = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


class CheckDefinitionError(Exception):
    """A check's metadata is invalid; raised when the library loads."""


@dataclass(frozen=True)
class Check:
    id: str
    control: str
    title: str
    severity: Severity
    citations: tuple[str, ...]
    config_rule: str | None
    remediation: str
    pulumi_fix: str
    fn: Callable[..., Any]
    resource_types: tuple[str, ...] = ()
    scope: str = "resource"  # or "account"
    status: str = "active"
    # Types the check reads besides those it judges (joins, account facts): with
    # `resource_types`, what a source must collect for it (the live audit's collector plan).
    reads: tuple[str, ...] = ()
    # An account check of the account's security baseline (trail, detectors, password policy,
    # root): judged in a program scan only when the program owns the baseline (checks/scope.py).
    baseline: bool = False

    @property
    def types_read(self) -> frozenset[str]:
        return frozenset(self.resource_types) | frozenset(self.reads)

    def validate(self) -> None:
        problems = []
        if not _ID.match(self.id):
            problems.append("id must be snake_case")
        if not self.title or not self.remediation or not self.pulumi_fix:
            problems.append("title, remediation and pulumi_fix are required")
        if not self.citations:
            problems.append("at least one HIPAA citation is required")
        problems.extend(
            f"citation {c!r} is not a 45 CFR 164.308-316 citation"
            for c in self.citations
            if not _CITATION.match(c)
        )
        if self.scope == "resource" and not self.resource_types:
            problems.append("a resource check must name its resource types")
        if self.baseline and self.scope != "account":
            problems.append("only an account check can be part of the account baseline")
        control = CONTROLS.get(self.control)
        if control is None:
            problems.append(f"unknown control {self.control!r}")
        else:
            problems.extend(
                f"citation {c} is not one of control {self.control}'s"
                for c in self.citations
                if c not in control.citations
            )
            if self.config_rule is not None and self.config_rule not in control.config_rules:
                problems.append(f"{self.config_rule} is not an AWS Config rule of {self.control}")
        if self.scope not in ("resource", "account"):
            problems.append(f"unknown scope {self.scope!r}")
        if problems:
            raise CheckDefinitionError(f"check {self.id}: " + "; ".join(problems))


def check(
    *,
    into: list[Check],
    id: str,
    control: str,
    title: str,
    severity: Severity,
    remediation: str,
    pulumi_fix: str,
    citations: Sequence[str] | None = None,
    config_rule: str | None = None,
    resource_types: Sequence[str] = (),
    scope: str = "resource",
    reads: Sequence[str] = (),
    baseline: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a check and append it to the module's list `into`.

    Without `citations`, the check cites exactly what its control cites.
    """
    if control not in CONTROLS:
        raise CheckDefinitionError(f"check {id}: unknown control {control!r}")
    if citations is None:
        citations = CONTROLS[control].citations

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        into.append(
            Check(
                id=id,
                control=control,
                title=title,
                severity=severity,
                citations=tuple(citations),
                config_rule=config_rule,
                remediation=remediation,
                pulumi_fix=pulumi_fix,
                fn=fn,
                resource_types=tuple(resource_types),
                scope=scope,
                reads=tuple(reads),
                baseline=baseline,
            )
        )
        return fn

    return decorate


class Registry:
    """The checks in force for a run, validated and indexed by id and resource type."""

    def __init__(self, checks: Iterable[Check]) -> None:
        self._checks: dict[str, Check] = {}
        for chk in checks:
            chk.validate()
            if chk.id in self._checks:
                raise CheckDefinitionError(f"check {chk.id}: defined twice")
            self._checks[chk.id] = chk
        self._by_type: dict[str, list[Check]] = {}
        for chk in self._checks.values():
            for token in chk.resource_types:
                self._by_type.setdefault(token, []).append(chk)

    def __iter__(self):
        return iter(sorted(self._checks.values(), key=lambda c: c.id))

    def __len__(self) -> int:
        return len(self._checks)

    def get(self, check_id: str) -> Check | None:
        return self._checks.get(check_id)

    def for_type(self, token: str) -> list[Check]:
        return self._by_type.get(token, [])

    @property
    def covered_types(self) -> frozenset[str]:
        return frozenset(self._by_type)

    @property
    def account_checks(self) -> list[Check]:
        return [c for c in self if c.scope == "account"]

    @property
    def fingerprint(self) -> str:
        """A hash of the checks' ids and metadata: it changes when the library does."""
        rows = [
            [c.id, c.severity.label, list(c.citations), c.config_rule, list(c.resource_types)]
            for c in self
        ]
        return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:12]
