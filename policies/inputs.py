"""What a run is judged by, besides its findings: loaded once, from files people write.

The profile (and a `--fail-on` threshold over it), the Security Rule framework, waivers,
attestations and addressable decisions, risk overrides, the remediation SLA, and an earlier run
to compare with. Every problem is an `InputError` naming the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.inputfiles import expect_mapping
from checks.registry import Severity
from policies import yamlfile
from policies.attestations import Attestations, load_attestations
from policies.data_scope import DataScope, load_data_scope
from policies.framework import Framework, load_framework
from policies.profiles import Profile, load_profile
from policies.proposal import RULE_2013, framework_for
from policies.risk import sla_days
from policies.risk_overrides import Override, load_overrides
from policies.risk_scale import Level
from policies.run_identity import load_run_document
from policies.waivers import Waiver, load_waivers


@dataclass(frozen=True)
class PreviousRun:
    """An earlier run's record, to compare this one with, and the file it came from."""

    path: Path
    record: Mapping[str, Any]


@dataclass(frozen=True)
class PolicyInputs:
    profile: Profile
    framework: Framework
    waivers: tuple[Waiver, ...] = ()
    waivers_file: Path | None = None  # set when waivers were read from a file
    attestations: Attestations = field(default_factory=Attestations)
    risk_overrides: tuple[Override, ...] = ()
    sla: Mapping[Level, int] = field(default_factory=sla_days)
    previous: PreviousRun | None = None
    # The rule the statuses are judged against: the 2013 rule, or the 2025 proposal's overlay.
    framework_rule: str = RULE_2013
    # What data the stack holds, as its waivers file states it (policies/data_scope.py).
    data_scope: DataScope | None = None


MAX_SLA_DAYS = 36_500


def default_waivers_file(home: Path, stack: str) -> Path:
    """Where a project keeps the waivers of a stack: policies/waivers/<stack>.yaml."""
    return home / "policies" / "waivers" / f"{stack}.yaml"


def load_policy_inputs(
    *,
    known_checks: Collection[str],
    home: Path,
    stack: str | None,
    profile: str = "default",
    fail_on: str | None = None,
    waivers: Path | None = None,
    attestations: Path | None = None,
    risk_overrides: Path | None = None,
    sla: Path | None = None,
    previous: Path | None = None,
    framework_rule: str = RULE_2013,
) -> PolicyInputs:
    """Load everything a run is judged by. Without `waivers`, the stack's default waivers file
    is read when it exists (a source with no stack, the live account, has none)."""
    chosen = load_profile(profile)
    if fail_on:
        try:
            chosen = dataclasses.replace(chosen, fail_on=Severity.parse(fail_on))
        except ValueError as exc:
            raise InputError(f"--fail-on: {exc}") from None
    framework = load_framework()
    waivers_file = waivers or (default_waivers_file(home, stack) if stack else None)
    loaded_waivers: list[Waiver] = []
    if waivers_file is not None and (waivers or waivers_file.is_file()):
        loaded_waivers = load_waivers(waivers_file, known_checks)
    scope = None
    if waivers_file is not None and (waivers or waivers_file.is_file()):
        scope = load_data_scope(waivers_file)
    return PolicyInputs(
        profile=chosen,
        # Decisions are read against the rule in force (they exist only for Addressable
        # specifications); the statuses are judged against the chosen rule.
        framework=framework_for(framework_rule, framework),
        waivers=tuple(loaded_waivers),
        waivers_file=waivers_file if loaded_waivers else None,
        data_scope=scope,
        attestations=(
            load_attestations(attestations, framework.citations, framework.addressable)
            if attestations
            else Attestations()
        ),
        risk_overrides=tuple(load_overrides(risk_overrides)) if risk_overrides else (),
        sla=_sla(sla) if sla else sla_days(),
        previous=PreviousRun(previous, load_run_document(previous)) if previous else None,
        framework_rule=framework_rule,
    )


def _sla(path: Path) -> dict[Level, int]:
    raw = expect_mapping(
        path, yamlfile.load(path), "a mapping of risk level to days, e.g. high: 30"
    )
    for level, days in raw.items():
        # A due date must be a date: past 100 years the calendar overflows, and no one means it.
        if isinstance(days, int) and not isinstance(days, bool) and days > MAX_SLA_DAYS:
            raise InputError(
                f"{yamlfile.where(path, raw)}: SLA for {level!r} is more than {MAX_SLA_DAYS} days"
            )
    try:
        return sla_days(raw)
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None
