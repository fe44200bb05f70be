"""The assessment of one run: everything decided about it, in one immutable value.

`policies.assess.assess` builds it from the findings and the policy inputs; the run record
(`policies.record`) is its plain-data serialisation, and every report renders that record.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.evaluate import Evaluation, Finding
from checks.registry import STATUS_ORDER
from policies.gate import Gate
from policies.inputs import PolicyInputs
from policies.risk import Risk
from policies.safeguards import SafeguardStatus


def run_day(generated_at: str) -> dt.date:
    """The date of a run, from its ISO 8601 timestamp."""
    return dt.date.fromisoformat(generated_at[:10])


@dataclass(frozen=True)
class Assessment:
    evaluation: Evaluation
    findings: tuple[Finding, ...]  # with waivers applied
    inputs: PolicyInputs
    generated_at: str  # ISO 8601, UTC, to the second: the run's one wall-clock value
    source: Mapping[str, Any]  # what the run read (the source's provenance)
    graph: Mapping[str, int]  # counts of the program graph's non-cloud parts
    gate: Gate
    safeguards: tuple[SafeguardStatus, ...]
    risks: tuple[Risk, ...]
    trend: Mapping[str, Any] | None = field(default=None)  # against inputs.previous
    # The technology asset inventory and the ePHI network map (policies.asset_map).
    asset_map: Mapping[str, Any] = field(default_factory=dict)
    # Suggested fixes by finding id (policies.fixes), for a program scan's failing findings.
    fixes: Mapping[str, Any] = field(default_factory=dict)
    # Secret values the run was given: scrubbed from the record, never part of it.
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def day(self) -> dt.date:
        return run_day(self.generated_at)

    @property
    def status_counts(self) -> dict[str, int]:
        """Findings by status, in the order reports list them."""
        counts = Counter(f.status for f in self.findings)
        return {s.value: counts.get(s, 0) for s in STATUS_ORDER}
