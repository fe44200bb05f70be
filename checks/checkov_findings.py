"""checkov's verdicts on the plan document, merged into an evaluation as findings of ours.

Each failed checkov check becomes a finding of a check named `checkov:<ID>`, under the control
whose `checkov` ids in `controls.yaml` list it, citing that control's HIPAA specifications. The
rules of the merge:

- Only checkov's failures count. A checkov pass is not evidence of ours (it may rest on what the
  plan left out), so passes are counted in the run record and never become PASS findings.
- A failure on a resource whose plan entry left values out (unknown until deploy, made up by the
  mocks, secret) is NOT_EVALUATED: checkov may have judged the absence of what it was not shown.
- Ours wins: where one of our checks of the same control judged the same resource (even as not
  applicable), or a resource it belongs to (a bucket setting's or a group rule's parent, which
  our checks judge it with; a resource its values name, as a topic policy names its topic), or
  the account (an account-wide check covers the control for every resource), checkov's finding
  is dropped and our finding's evidence lists it under `checkov_also_fails`.
- A checkov failure no control maps to HIPAA is left out of the findings and counted by id
  (`not_hipaa_mapped`), so it never gates; the run record shows the counts.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.controls import CONTROLS, Control
from checks.evaluate import Evaluation, Finding
from checks.model import Inventory, Resource
from checks.registry import Check, CheckDefinitionError, Registry, Severity, Status
from checks.splits import JOINED_TYPES
from checks.terraform_plan import Plan
from checks.values import Undecidable, undecidable

TOOL = "checkov"
_ID = re.compile(r"^checkov:CKV2?_AWS_\d+$")


def _judged_elsewhere(*_: Any) -> Any:
    raise undecidable("a checkov check is judged by checkov, on the plan document, not here")


@dataclass(frozen=True)
class CheckovCheck(Check):
    """A checkov check as a check of ours: same metadata, judged by checkov."""

    tool: str = TOOL

    def validate(self) -> None:
        control = CONTROLS.get(self.control)
        if not _ID.match(self.id) or control is None:
            raise CheckDefinitionError(f"check {self.id}: not a checkov check of a known control")
        if self.id.removeprefix("checkov:") not in control.checkov:
            raise CheckDefinitionError(f"check {self.id}: control {self.control} does not list it")


def controls_by_checkov_id(controls: Mapping[str, Control] = CONTROLS) -> dict[str, Control]:
    """checkov id -> the first control (by id) that lists it."""
    found: dict[str, Control] = {}
    for control_id in sorted(controls):
        for checkov_id in controls[control_id].checkov:
            found.setdefault(checkov_id, controls[control_id])
    return found


@dataclass(frozen=True)
class CheckovRun:
    """What checkov said about a plan: its version and its results as it reported them."""

    version: str
    failed: tuple[Mapping[str, Any], ...]
    passed: tuple[Mapping[str, Any], ...]
    plan: Plan


@dataclass(frozen=True)
class Merged:
    evaluation: Evaluation
    summary: Mapping[str, Any] = field(default_factory=dict)


def _check_for(checkov_id: str, name: str, control: Control, severity: Severity) -> CheckovCheck:
    return CheckovCheck(
        id=f"{TOOL}:{checkov_id}",
        control=control.id,
        title=f"{name} (checkov {checkov_id})",
        severity=severity,
        citations=control.citations,
        config_rule=None,
        remediation=f"See checkov's guide for {checkov_id}; fix it in the Pulumi program.",
        pulumi_fix=f"# the input checkov {checkov_id} reads, set in the Pulumi resource",
        fn=_judged_elsewhere,
    )


def _severity(control: Control, registry: Registry) -> Severity:
    """The highest severity of our checks of the control (medium when none of ours is)."""
    ours = [c.severity for c in registry if c.control == control.id]
    return max(ours, default=Severity.MEDIUM)


def merge(evaluation: Evaluation, run: CheckovRun) -> Merged:
    """The evaluation with checkov's failures added by the rules above."""
    by_id = controls_by_checkov_id()
    ours: dict[tuple[str, str], list[int]] = {}
    findings = list(evaluation.findings)
    for i, f in enumerate(findings):
        if f.check.scope == "account":
            ours.setdefault((f.check.control, _ACCOUNT), []).append(i)
        elif f.resource is not None:
            ours.setdefault((f.check.control, f.resource.address), []).append(i)
    checks: dict[str, CheckovCheck] = {}
    added: list[Finding] = []
    unmapped: Counter[str] = Counter()
    deduplicated = 0
    for result in run.failed:
        checkov_id, address = str(result.get("check_id")), str(result.get("resource"))
        resource = run.plan.addresses.get(address)
        control = by_id.get(checkov_id)
        if control is None or resource is None:
            unmapped[checkov_id] += 1
            continue
        subjects = [
            _judged_with(resource, evaluation.inventory),
            *(r.address for r in run.plan.referenced(address)),
            _ACCOUNT,
        ]
        same = next((ours[k] for k in ((control.id, s) for s in subjects) if k in ours), None)
        if same:
            deduplicated += 1
            for i in same:
                findings[i] = _noted(findings[i], checkov_id)
            continue
        if checkov_id not in checks:
            name = str(result.get("check_name") or checkov_id)
            checks[checkov_id] = _check_for(
                checkov_id, name, control, _severity(control, evaluation.registry)
            )
        added.append(_finding(checks[checkov_id], resource, address, run.plan))
    merged = findings + added
    merged.sort(key=lambda f: (f.check.id, f.resource.address if f.resource else "", f.status))
    registry = Registry([*evaluation.registry, *checks.values()])
    summary = {
        "version": run.version,
        "resources_in_plan": len(run.plan.addresses),
        "types_not_in_plan": list(run.plan.unmapped_types),
        "failed": len(run.failed),
        "passed_not_used": len(run.passed),
        "added": len(added),
        "deduplicated": deduplicated,
        "not_hipaa_mapped": dict(sorted(unmapped.items())),
    }
    return Merged(
        dataclasses.replace(evaluation, findings=tuple(merged), registry=registry), summary
    )


_ACCOUNT = "(the account)"


def _judged_with(resource: Resource, inventory: Inventory) -> str:
    """The address our checks judge `resource` under: its parent's, for a resource split off
    another (a bucket setting, a security group rule), else its own."""
    if resource.type not in JOINED_TYPES:
        return resource.address
    try:
        parent = inventory.parent_of(resource)
    except Undecidable:
        return resource.address
    return parent.address if parent is not None else resource.address


def _noted(finding: Finding, checkov_id: str) -> Finding:
    """Our finding, noting that checkov failed the same control on the same resource."""
    also = sorted({*finding.evidence.get("checkov_also_fails", ()), checkov_id})
    return dataclasses.replace(finding, evidence={**finding.evidence, "checkov_also_fails": also})


def _finding(check: CheckovCheck, resource: Any, address: str, plan: Plan) -> Finding:
    left_out = plan.withheld.get(address, ())
    evidence: dict[str, Any] = {"tool": TOOL, "plan_address": address}
    if left_out:
        why = (
            f"checkov failed {check.id.removeprefix('checkov:')} on {resource.name}, but the plan "
            f"it read left out {', '.join(left_out)} (not known at scan time): it may have "
            "judged their absence"
        )
        return Finding(
            check, Status.NOT_EVALUATED, why, {**evidence, "left_out": list(left_out)}, resource
        )
    message = f"checkov: {check.title} fails on {resource.name}"
    return Finding(check, Status.FAIL, message, evidence, resource)


def parse_results(report: Any) -> tuple[str, list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(version, failed, passed) from checkov's `-o json` report (one framework or several)."""
    reports: Iterable[Any] = report if isinstance(report, list) else [report]
    version, failed, passed = "", [], []
    for part in reports:
        if not isinstance(part, Mapping) or part.get("check_type") not in (None, "terraform_plan"):
            continue
        version = str((part.get("summary") or {}).get("checkov_version") or version)
        results = part.get("results") or {}
        failed.extend(results.get("failed_checks") or [])
        passed.extend(results.get("passed_checks") or [])
    return version, failed, passed
