"""`--baseline`: judge a change by what it adds, not by the backlog it inherits.

A baseline is an earlier run record of the same project and stack (typically the main branch's
scan). A finding of this run is *existing* when the baseline already had it open (failing,
unevaluated or waived) and it is still open now; every other open finding is *new*. The gate
sets existing findings aside and blocks on new ones only. Waivers and the profile are applied
first, exactly as without a baseline; a failure reopened by an expired waiver blocks whether the
baseline had it or not, because an expiry is a decision someone has to renew.

Findings are matched as the trend matches them across runs (`policies/trend.py`): by check and
subject, where the subject is the resource's URN (its ARN for a live resource), or for an
account-level finding its scope. Both halves of that key are what the finding id hashes, so it
stays the same between runs whatever the order or number of other findings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.evaluate import Finding
from checks.registry import Status
from policies.assessment import Assessment
from policies.gate import BaselineUse, decide
from policies.run_identity import load_run_document
from policies.trend import identity

# A finding someone still has to act on; PASS and NOT_APPLICABLE close it.
OPEN = frozenset({Status.FAIL.value, Status.NOT_EVALUATED.value, Status.WAIVED.value})
# What must match between the baseline and this run for findings to be comparable.
SCOPE_KEYS = ("project", "stack")

Key = tuple[str, str]


def record_key(finding: Mapping[str, Any]) -> Key:
    """A run record's finding as (check id, subject)."""
    resource = finding.get("resource") or {}
    if resource:
        subject = resource.get("urn") or resource.get("arn") or finding.get("id")
    else:
        subject = finding.get("scope") or finding.get("id")
    return str(finding.get("check_id")), str(subject)


def finding_key(finding: Finding) -> Key:
    """A finding of this run as (check id, subject): the same key `record_key` reads back."""
    resource = finding.resource
    if resource is not None:
        subject = resource.urn or resource.arn or finding.id
    else:
        subject = finding.scope or finding.id
    return finding.check.id, str(subject)


@dataclasses.dataclass(frozen=True)
class Baseline:
    """A loaded baseline run: the file, and the keys of the findings it had open."""

    path: Path
    record: Mapping[str, Any]

    @property
    def open_keys(self) -> frozenset[Key]:
        return frozenset(
            record_key(f)
            for f in self.record.get("findings") or ()
            if isinstance(f, Mapping) and f.get("status") in OPEN
        )

    def check_scope(self, source: Mapping[str, Any]) -> None:
        """Refuse a baseline of another project or stack: its findings mean nothing here."""
        theirs = self.record.get("source") or {}
        differ = [k for k in SCOPE_KEYS if theirs.get(k) != source.get(k)]
        if differ:
            said = ", ".join(
                f"{k} {theirs.get(k)!r} (this run: {source.get(k)!r})" for k in SCOPE_KEYS
            )
            raise InputError(f"--baseline {self.path}: a run of another scope: {said}")


def load_baseline(path: Path) -> Baseline:
    """Read a baseline run record; one `InputError` line naming the file if it is not one."""
    try:
        record = load_run_document(path)
    except InputError as exc:
        raise InputError(f"--baseline: {exc}") from None
    if not isinstance(record.get("findings"), list):
        raise InputError(f"--baseline {path}: a run record without a findings list")
    return Baseline(path, record)


def existing_ids(findings: Iterable[Finding], baseline: Baseline) -> frozenset[str]:
    """The ids of this run's open findings that the baseline already had open."""
    before = baseline.open_keys
    return frozenset(f.id for f in findings if f.status.value in OPEN and finding_key(f) in before)


def apply_baseline(assessment: Assessment, baseline: Baseline) -> Assessment:
    """The assessment with its gate decided again against `baseline`: same waivers, same
    profile, the backlog set aside."""
    baseline.check_scope(assessment.source)
    reference = {"file": str(baseline.path), **identity(baseline.record)}
    use = BaselineUse(reference, existing_ids(assessment.findings, baseline))
    gate = assessment.gate
    return dataclasses.replace(
        assessment, gate=decide(assessment.findings, gate.profile, gate.reopened, use)
    )
