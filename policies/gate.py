"""The gate: which findings block a run under the profile in force, and its exit code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from checks.evaluate import Finding
from checks.registry import STATUS_ORDER, Severity, Status
from policies.exit_codes import ExitCode
from policies.profiles import NOT_EVALUATED_RULES, Profile

__all__ = ["BaselineUse", "ExitCode", "Gate", "decide", "record_gate_problems"]


def blocks(status: Status, severity: Severity, profile: Profile, reopened: bool) -> bool:
    """The rule, said once: a failure blocks at or above the profile's threshold, or whatever
    its severity when an expired waiver reopened it; an unknown blocks as the profile says."""
    if status is Status.FAIL:
        return reopened or severity >= profile.fail_on
    return status is Status.NOT_EVALUATED and profile.blocks_unknown(severity)


def gate_exit_code(blocking_failures: int, blocking_unknowns: int) -> ExitCode:
    if blocking_failures:
        return ExitCode.FAILED
    if blocking_unknowns:
        return ExitCode.NOT_EVALUATED
    return ExitCode.OK


@dataclass(frozen=True)
class BaselineUse:
    """The earlier run a gate was decided against (`--baseline`, policies/baseline.py)."""

    reference: Mapping[str, Any]  # who that run is: file, assessment id, time, SHA-256
    existing: frozenset[str]  # ids of this run's open findings the baseline already had open


@dataclass(frozen=True)
class Gate:
    profile: Profile
    blocking_failures: tuple[Finding, ...]
    blocking_unknowns: tuple[Finding, ...]
    reopened: tuple[tuple[str, str], ...]  # (finding id, expired waiver id)
    baseline: BaselineUse | None = None
    # What would block but the baseline already had: the backlog, not this change's doing.
    set_aside: tuple[Finding, ...] = ()

    @property
    def exit_code(self) -> ExitCode:
        """OK, FAILED for blocking failures (an expired waiver's included), else NOT_EVALUATED
        when blocking unknowns remain."""
        return gate_exit_code(len(self.blocking_failures), len(self.blocking_unknowns))


def decide(
    findings: Iterable[Finding],
    profile: Profile,
    reopened: tuple[tuple[str, str], ...],
    baseline: BaselineUse | None = None,
) -> Gate:
    """Failures at or above the profile's threshold block, as does any failure an expired
    waiver reopened; unknowns block as the profile says. With a baseline, what it already had
    open is set aside, except a failure an expired waiver reopened: that one still blocks."""
    findings = tuple(findings)
    reopened_ids = {fid for fid, _ in reopened}
    blocking = [f for f in findings if blocks(f.status, f.severity, profile, f.id in reopened_ids)]
    existing = baseline.existing - reopened_ids if baseline else frozenset()
    set_aside = tuple(f for f in blocking if f.id in existing)
    blocking = [f for f in blocking if f.id not in existing]
    failures = tuple(f for f in blocking if f.status is Status.FAIL)
    unknowns = tuple(f for f in blocking if f.status is Status.NOT_EVALUATED)
    return Gate(profile, failures, unknowns, reopened, baseline, set_aside)


def record_profile(gate: Mapping[str, Any]) -> Profile:
    rule = gate.get("not_evaluated_blocks")
    if rule not in NOT_EVALUATED_RULES:
        raise ValueError(f"gate.not_evaluated_blocks {rule!r} is not one of {NOT_EVALUATED_RULES}")
    return Profile(
        str(gate.get("profile", "?")),
        "",
        Severity.parse(str(gate.get("fail_on"))),
        rule,
        Severity.parse(str(gate.get("mandatory_from"))),
    )


def _reopened_ids(document: Mapping[str, Any]) -> set[str]:
    """Findings an expired waiver reopened, as the gate and the waiver records say."""
    ids = set(document["gate"].get("reopened_by_expired_waivers") or ())
    for waiver in document.get("waivers") or ():
        if isinstance(waiver, Mapping):
            ids |= set(waiver.get("reopened_findings") or ())
    return {str(i) for i in ids}


def record_gate_problems(document: Mapping[str, Any]) -> list[str]:
    """Where a run record's stored gate and counts disagree with its own findings, judged by
    the same rule as `decide` under the profile the record names; [] when they agree.

    Raises ValueError when the record lacks what the gate is decided from."""
    gate, findings = document.get("gate"), document.get("findings")
    if not isinstance(gate, Mapping) or not isinstance(findings, list):
        raise ValueError("no 'gate' mapping and 'findings' list to decide the gate from")
    profile, reopened = record_profile(gate), _reopened_ids(document)
    baseline = gate.get("baseline")
    counts: Counter[Status] = Counter()
    failures = unknowns = set_aside = 0
    for finding in findings:
        if not isinstance(finding, Mapping):
            raise ValueError("a finding is not a mapping")
        status = Status(str(finding.get("status")))
        counts[status] += 1
        reopened_now = str(finding.get("id")) in reopened
        if blocks(status, Severity.parse(str(finding.get("severity"))), profile, reopened_now):
            if baseline is not None and finding.get("baseline") == "existing" and not reopened_now:
                set_aside += 1
                continue
            failures += status is Status.FAIL
            unknowns += status is Status.NOT_EVALUATED
    recomputed = {
        "exit_code": int(gate_exit_code(failures, unknowns)),
        "blocking_failures": failures,
        "blocking_not_evaluated": unknowns,
    }
    problems = [
        f"gate.{key} is {gate.get(key)!r} but its findings give {value!r}"
        for key, value in recomputed.items()
        if gate.get(key) != value or isinstance(gate.get(key), bool)
    ]
    if isinstance(baseline, Mapping) and baseline.get("set_aside") != set_aside:
        stored = baseline.get("set_aside")
        problems.append(f"gate.baseline.set_aside is {stored!r} but its findings give {set_aside}")
    stored_counts = (document.get("summary") or {}).get("findings")
    if isinstance(stored_counts, Mapping):
        problems += [
            f"summary.findings.{s.value} is {stored_counts.get(s.value)!r} but it lists {counts[s]}"
            for s in STATUS_ORDER
            if stored_counts.get(s.value) != counts[s]
        ]
    return problems
