"""From findings to an assessment: waivers applied, the gate, each Security Rule
specification's status, the risk register and, against an earlier run, the trend."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from checks.errors import InputError
from checks.evaluate import Evaluation
from policies.assessment import Assessment, run_day
from policies.asset_map import asset_map
from policies.gate import decide
from policies.inputs import PolicyInputs
from policies.record import build_record
from policies.risk import risk_register
from policies.safeguards import safeguard_statuses
from policies.trend import trend
from policies.waivers import apply_waivers


def assess(
    evaluation: Evaluation,
    inputs: PolicyInputs,
    *,
    source: Mapping[str, Any],
    generated_at: str,
    graph: Mapping[str, int] | None = None,
    secrets: tuple[str, ...] = (),
) -> Assessment:
    """Judge an evaluation by the policy inputs. `source` is the source's provenance, kept as
    the record says it; `generated_at` is the run's timestamp (its date dates waivers,
    attestations and remediation); `secrets` are values the run was given, to be scrubbed
    from the record."""
    day = run_day(generated_at)
    findings, reopened = apply_waivers(evaluation.findings, inputs.waivers, day)
    assessment = Assessment(
        evaluation=evaluation,
        findings=findings,
        inputs=inputs,
        generated_at=generated_at,
        source={
            **source,
            "waivers_file": str(inputs.waivers_file) if inputs.waivers_file else None,
        },
        graph=dict(graph or {}),
        gate=decide(findings, inputs.profile, reopened),
        safeguards=safeguard_statuses(
            inputs.framework,
            evaluation,
            findings,
            inputs.attestations,
            day,
            source_kind=source.get("kind"),
        ),
        risks=risk_register(
            findings,
            day,
            overrides=inputs.risk_overrides,
            sla=inputs.sla,
            waivers=inputs.waivers,
            data_scope=inputs.data_scope,
        ),
        secrets=tuple(secrets),
        asset_map=asset_map(evaluation.inventory, findings),
    )
    if inputs.previous is None:
        return assessment
    try:
        changes = trend(build_record(assessment), inputs.previous.record)
    except ValueError as exc:
        raise InputError(f"{inputs.previous.path}: {exc}") from None
    return dataclasses.replace(assessment, trend=changes)
