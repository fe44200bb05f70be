"""The HIPAA checks as a Pulumi CrossGuard policy pack: the same check bodies, run by the engine.

- Every resource-scope check that needs only the resource itself becomes a
  `ResourceValidationPolicy` named by the check id. It runs before each resource is created or
  updated, on the resource's inputs, with an inventory of just that resource.
- Checks that need other resources — account-scope checks, and resource checks whose body reads
  the inventory (joins such as an S3 bucket and its encryption/versioning/public-access/policy
  resources, a security group and its rule resources, an RDS instance and its parameter group)
  — run in a `StackValidationPolicy` over every resource of the stack. A policy has one
  enforcement level, so there is one stack policy per level in use.

Enforcement: a check is mandatory when its severity is at least `mandatory_from` (by default the
default profile's, as `policies/profiles/default.yaml` sets it), advisory otherwise.

Verdicts:
- FAIL is a violation, with the observed values, the HIPAA citations and the fix.
- NOT_EVALUATED is never a silent pass. During a preview, when the resource carries values not
  known yet, it is reported as an advisory message through the SDK's own "can't run policy during
  preview" channel: the update runs the resource policies again once those values are known, so
  a mandatory check still blocks the update itself. When nothing is unknown (the data is
  complete and the check still could not decide), it is a violation at the policy's level.
- NOT_APPLICABLE marks the policy not applicable to the resource; PASS reports nothing.

Build the list with `build_policies()`; `policies/__main__.py` hands it to `PolicyPack`, whose
constructor starts the analyzer's gRPC server and blocks.
"""

from __future__ import annotations

import dis
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import Severity as PolicySeverity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from checks.evaluate import Finding, evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource, Undecidable, contains_unknown, sounds_secret
from checks.registry import Check, Registry, Severity, Status
from policies.crossguard.convert import to_resource
from policies.profiles import load_profile

PACK_NAME = "hipaa-safeguard"
PACK_DESCRIPTION = (
    "HIPAA Security Rule safeguards for AWS, as automated evidence (not a compliance claim): "
    "the hipaa-safeguard check library run inside pulumi preview and pulumi up."
)
FRAMEWORK_NAME = "HIPAA Security Rule (45 CFR Part 164, Subpart C)"
STACK_POLICY_NAMES = {
    EnforcementLevel.MANDATORY: "hipaa_stack_mandatory",
    EnforcementLevel.ADVISORY: "hipaa_stack_advisory",
}

_SEVERITIES = {
    Severity.LOW: PolicySeverity.LOW,
    Severity.MEDIUM: PolicySeverity.MEDIUM,
    Severity.HIGH: PolicySeverity.HIGH,
    Severity.CRITICAL: PolicySeverity.CRITICAL,
}
_MAX_VALUE_TEXT = 160


class NotKnownDuringPreview(UnknownValueError):
    """Raised from a validation to report, as advisory, what cannot be decided during preview.

    The policy SDK turns an `UnknownValueError` into an advisory diagnostic, whatever the
    policy's own enforcement level.
    """

    def __init__(self, message: str) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.message = message


class LoneInventory(Inventory):
    """The inventory a resource policy sees: one resource, and no way to look past it.

    A check that reads other resources belongs in the stack policy; if one is ever run here, it
    is told the data is missing (NOT_EVALUATED, reported) rather than shown an empty stack.
    """

    def __init__(self, resource: Resource) -> None:
        super().__init__([resource])
        self._only = resource

    def _elsewhere(self) -> Undecidable:
        return Undecidable(
            f"this check reads other resources than {self._only.name}, which a resource policy "
            "cannot see"
        )

    def of_type(self, *types: str) -> list[Resource]:
        if set(types) - {self._only.type}:
            raise self._elsewhere()
        return super().of_type(*types)

    def get(self, ref: Any, type_: str | None = None) -> Resource | None:
        found = super().get(ref, type_)
        if found is None:
            raise self._elsewhere()
        return found

    def bucket_companions(self, bucket: Resource) -> Mapping[str, list[Resource]]:
        raise self._elsewhere()

    def security_group_rule_resources(self, group: Resource) -> list[Resource]:
        raise self._elsewhere()


def reads_inventory(fn: Callable[..., Any]) -> bool:
    """Whether a resource check's body uses its inventory argument at all (to read joins or
    other resources, or to hand it to a helper that may). Decided from the function's own code
    object, so a check added tomorrow is placed right without a list to keep up to date; any
    doubt (an unusual signature, a wrapper) counts as using it."""
    code = getattr(fn, "__code__", None)
    if code is None or code.co_argcount < 2:
        return True
    name = code.co_varnames[1]
    if name in code.co_cellvars:  # captured by a nested function or comprehension
        return True
    for ins in dis.get_instructions(code):
        loaded = ins.argval if isinstance(ins.argval, tuple) else (ins.argval,)
        if ins.opname.startswith("LOAD_") and name in loaded:
            return True
    return False


def needs_stack(check: Check) -> bool:
    """Account-scope checks, and resource checks that read their inventory, run over the stack."""
    return check.scope == "account" or reads_inventory(check.fn)


def enforcement_for(check: Check, mandatory_from: Severity) -> EnforcementLevel:
    if check.severity >= mandatory_from:
        return EnforcementLevel.MANDATORY
    return EnforcementLevel.ADVISORY


def _shown(key: str, value: Any) -> str:
    # The analyzer receives secrets in clear; never echo one that a check kept as evidence.
    if sounds_secret(key):
        return "[secret]"
    text = repr(value)
    return text if len(text) <= _MAX_VALUE_TEXT else text[: _MAX_VALUE_TEXT - 3] + "..."


def violation_message(finding: Finding) -> str:
    """What the engine prints for a finding: verdict, observed values, citations, fix."""
    chk = finding.check
    lines = [finding.message[:1].upper() + finding.message[1:] + "."]
    if finding.evidence:
        observed = ", ".join(f"{k}={_shown(k, v)}" for k, v in finding.evidence.items())
        lines.append(f"Observed: {observed}.")
    lines.append(
        f"HIPAA 45 CFR {', '.join(chk.citations)} (control {chk.control}, "
        f"severity {chk.severity.label}; check {chk.id})."
    )
    lines.append(f"Fix: {chk.remediation}")
    return "\n".join(lines)


def _not_evaluated_message(finding: Finding) -> str:
    where = f"{finding.resource.name}: " if finding.resource else ""
    return (
        f"{finding.check.id}: {where}could not be evaluated ({finding.message}); an unknown is "
        "never a pass"
    )


def _has_unknowns(resources: Iterable[Resource]) -> bool:
    """Values are still to be computed (a preview): what a check could not decide may be
    decided once they are known."""
    return any(contains_unknown(dict(r.props)) for r in resources)


def _policy_args(chk: Check, level: EnforcementLevel) -> dict[str, Any]:
    return {
        "name": chk.id,
        "description": chk.title,
        "enforcement_level": level,
        "severity": _SEVERITIES.get(chk.severity),
        "framework": PolicyComplianceFramework(
            name=FRAMEWORK_NAME,
            reference=chk.control,
            specification=", ".join(chk.citations),
        ),
        "tags": ["hipaa", chk.control, *chk.citations],
        "remediation_steps": f"{chk.remediation}\n\n{chk.pulumi_fix}",
    }


ResourceValidate = Callable[[ResourceValidationArgs, ReportViolation], None]
StackValidate = Callable[[StackValidationArgs, ReportViolation], None]


def resource_validation(chk: Check) -> ResourceValidate:
    """The validate function of one check's resource policy."""
    registry = Registry([chk])

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        provider = args.provider.props if args.provider is not None else None
        res = to_resource(args.resource_type, args.props, args.urn, args.name, provider)
        if res.type not in chk.resource_types:
            return
        findings = evaluate(LoneInventory(res), registry).findings
        if not findings:
            return
        finding = findings[0]
        if finding.status is Status.FAIL:
            report_violation(violation_message(finding), None)
        elif finding.status is Status.NOT_EVALUATED:
            if _has_unknowns([res]):
                raise NotKnownDuringPreview(_not_evaluated_message(finding))
            report_violation(_not_evaluated_message(finding), None)
        elif finding.status is Status.NOT_APPLICABLE:
            args.not_applicable(finding.message)

    return validate


def stack_validation(checks: Iterable[Check]) -> StackValidate:
    """The validate function of a stack policy running `checks` over the whole stack."""
    registry = Registry(checks)

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [
            to_resource(
                r.resource_type,
                r.props,
                r.urn,
                r.name,
                r.provider.props if r.provider is not None else None,
                outputs=True,
            )
            for r in args.resources
            if not r.resource_type.startswith("pulumi:")
        ]
        # An undecided join (a bucket setting naming a bucket not created yet) may hang on any
        # resource's unknowns, not only on the checked one's.
        previewing = _has_unknowns(resources)
        gaps: list[str] = []
        for finding in evaluate(Inventory(resources), registry).findings:
            urn = finding.resource.urn if finding.resource else None
            if finding.status is Status.FAIL:
                report_violation(violation_message(finding), urn)
            elif finding.status is Status.NOT_EVALUATED and previewing:
                gaps.append(_not_evaluated_message(finding))
            elif finding.status is Status.NOT_EVALUATED:
                report_violation(_not_evaluated_message(finding), urn)
        if gaps:
            raise NotKnownDuringPreview("; ".join(gaps))

    return validate


def build_policies(
    registry: Registry | None = None, *, mandatory_from: Severity | None = None
) -> list[Policy]:
    """The pack's policies: one resource policy per self-contained check, then the stack
    policies (one per enforcement level) for the checks that need the whole stack. Without
    `mandatory_from`, the default profile's threshold applies."""
    registry = registry if registry is not None else build_registry()
    if mandatory_from is None:
        mandatory_from = load_profile("default").mandatory_from
    policies: list[Policy] = []
    stack_checks: dict[EnforcementLevel, list[Check]] = {}
    for chk in registry:
        if chk.status != "active":
            continue
        level = enforcement_for(chk, mandatory_from)
        if needs_stack(chk):
            stack_checks.setdefault(level, []).append(chk)
            continue
        policies.append(
            ResourceValidationPolicy(validate=resource_validation(chk), **_policy_args(chk, level))
        )
    for level in (EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY):
        checks = stack_checks.get(level)
        if not checks:
            continue
        ids = ", ".join(c.id for c in checks)
        policies.append(
            StackValidationPolicy(
                name=STACK_POLICY_NAMES[level],
                description=f"HIPAA checks that need the whole stack ({level.value}): {ids}",
                validate=stack_validation(checks),
                enforcement_level=level,
                severity=_SEVERITIES.get(max(c.severity for c in checks)),
                framework=PolicyComplianceFramework(name=FRAMEWORK_NAME),
                tags=["hipaa", *sorted({c.control for c in checks})],
            )
        )
    return policies
