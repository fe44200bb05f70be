"""The gate: which findings block a run under the profile in force, and its exit code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.evaluate import Finding
from checks.registry import Status
from policies.exit_codes import ExitCode
from policies.profiles import Profile

__all__ = ["ExitCode", "Gate", "decide"]


@dataclass(frozen=True)
class Gate:
    profile: Profile
    blocking_failures: tuple[Finding, ...]
    blocking_unknowns: tuple[Finding, ...]
    reopened: tuple[tuple[str, str], ...]  # (finding id, expired waiver id)

    @property
    def exit_code(self) -> ExitCode:
        """OK, FAILED for blocking failures (an expired waiver's included), else NOT_EVALUATED
        when blocking unknowns remain."""
        if self.blocking_failures:
            return ExitCode.FAILED
        if self.blocking_unknowns:
            return ExitCode.NOT_EVALUATED
        return ExitCode.OK


def decide(
    findings: Iterable[Finding], profile: Profile, reopened: tuple[tuple[str, str], ...]
) -> Gate:
    """Failures at or above the profile's threshold block, as does any failure an expired
    waiver reopened; unknowns block as the profile says."""
    findings = tuple(findings)
    reopened_ids = {fid for fid, _ in reopened}
    failures = tuple(
        f
        for f in findings
        if f.status is Status.FAIL and (f.severity >= profile.fail_on or f.id in reopened_ids)
    )
    unknowns = tuple(
        f
        for f in findings
        if f.status is Status.NOT_EVALUATED and profile.blocks_unknown(f.severity)
    )
    return Gate(profile, failures, unknowns, reopened)
