"""SARIF 2.1.0: the run as one SARIF run, for GitHub code scanning and other SARIF viewers.

Decisions, with the spec facts behind them (OASIS SARIF 2.1.0 Errata 01; the schema is vendored
in tests/fixtures/sarif/ and every rendering is validated against it):

- One rule (reportingDescriptor) per check in the document, in the document's order; each
  result names its rule by `ruleId` and by `ruleIndex` into `tool.driver.rules`.
- FAIL → `kind: "fail"` with `level` from the severity (critical/high → error, medium →
  warning, low/info → note). NOT_EVALUATED → `kind: "open"` ("the rule was evaluated, and the
  tool concluded that there was insufficient information to decide whether a problem
  exists", §3.27.9), with `level: "none"` because a non-"fail" kind SHALL have level "none"
  (§3.27.10). It is never dropped: an unevaluated check is not a pass.
- WAIVED → a "fail" result that carries `suppressions: [{kind: "external", status:
  "accepted", justification}]`: the waiver is persisted outside the source, and the result
  stays visible, annotated, as every report must show exceptions.
- PASS and NOT_APPLICABLE produce no result (the per-check counts are in the rule properties).
- Location: a `physicalLocation` (relative URI + startLine) when the resource reference
  carries `source: {file, line}`; otherwise a `logicalLocation` with the resource URN as
  `fullyQualifiedName` and `kind: "resource"`. Account-level findings have no location.
- A failing finding with a ready suggested fix (`policies.fixes`) carries SARIF `fixes`: one
  artifactChange on the declaring file with the replacements (insertions are empty regions);
  the run says its columns count Unicode code points.
- `partialFingerprints` carry the stable finding id, and `guid` is a uuid5 of it, so the same
  finding matches across runs and the same document renders to the same bytes.
- With `--baseline`, each result carries `result.baselineState`: "new" for a finding the
  baseline did not have open, "unchanged" for one it did (the record's `baseline` existing).
- GitHub reads `properties.security-severity` (a number in a string, 0.0-10.0) only on rules
  tagged "security", so every rule carries that tag beside its HIPAA citations.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from reports.findings import (
    FAIL,
    NOT_EVALUATED,
    WAIVED,
    relative_path,
    resource_label,
    source_position,
    waiver_id,
    waiver_justification,
    waivers_by_id,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# The record's `baseline` mark as SARIF names it.
BASELINE_STATE = {"new": "new", "existing": "unchanged"}
# A fixed namespace for the uuid5 result GUIDs: the same finding id gives the same GUID.
GUID_NAMESPACE = uuid.UUID("5f1d9c0e-3a52-5b7e-9a4f-0c8e2d6b7a31")

SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# The checks read declared configuration deterministically; the residual error is a source
# that could not see a value, which is reported as NOT_EVALUATED rather than guessed.
PRECISION = "high"


def _camel(check_id: str) -> str:
    return "".join(part.capitalize() for part in check_id.split("_"))


def _help_markdown(check: Mapping[str, Any], finding: Mapping[str, Any] | None) -> str:
    lines = [f"**{check['title']}**", ""]
    if finding:
        lines += [finding["remediation"], "", "Pulumi (Python):", "", "```python"]
        lines += [finding["pulumi_fix"], "```", ""]
    lines.append("- HIPAA Security Rule (45 CFR): " + ", ".join(check["citations"]))
    if check.get("config_rule"):
        lines.append(f"- AWS Config rule: `{check['config_rule']}`")
    return "\n".join(lines)


def _help_text(check: Mapping[str, Any], finding: Mapping[str, Any] | None) -> str:
    parts = [check["title"] + "."]
    if finding:
        parts += [finding["remediation"], "Pulumi (Python):\n" + finding["pulumi_fix"]]
    parts.append("HIPAA Security Rule (45 CFR): " + ", ".join(check["citations"]))
    return "\n\n".join(parts)


def _rule(check: Mapping[str, Any], example: Mapping[str, Any] | None) -> dict[str, Any]:
    scope = ", ".join(check["resource_types"]) or "the account"
    full = (
        f"{check['title']}. Control {check['control']}; HIPAA Security Rule (45 CFR) "
        f"{', '.join(check['citations'])}; applies to {scope}."
    )
    if check.get("config_rule"):
        full = full[:-1] + f"; AWS Config rule {check['config_rule']}."
    return {
        "id": check["id"],
        "name": _camel(check["id"]),
        "shortDescription": {"text": check["title"]},
        "fullDescription": {"text": full},
        "help": {"text": _help_text(check, example), "markdown": _help_markdown(check, example)},
        "defaultConfiguration": {"level": LEVEL.get(check["severity"], "warning")},
        "properties": {
            "tags": list(dict.fromkeys(["security", "hipaa", *check["citations"]])),
            "security-severity": SECURITY_SEVERITY.get(check["severity"], "0.0"),
            "precision": PRECISION,
            "control": check["control"],
            "severity": check["severity"],
            "results": dict(check["results"]),
            # A peer tool's rule (checkov) says whose it is.
            **({"tool": check["tool"]} if check.get("tool") else {}),
        },
    }


def _location(ref: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if not ref:
        return []
    position = source_position(ref)
    if position:
        path, line = position
        physical: dict[str, Any] = {"artifactLocation": {"uri": path}}
        if line:
            physical["region"] = {"startLine": line}
        return [{"physicalLocation": physical}]
    logical: dict[str, Any] = {"name": ref["name"], "kind": "resource"}
    if ref.get("urn"):
        logical["fullyQualifiedName"] = ref["urn"]
    return [{"logicalLocations": [logical]}]


def _fixes(finding: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A ready suggested fix as one SARIF fix (§3.55): its replacements, per file changed."""
    fix = finding.get("fix") or {}
    if fix.get("status") not in ("ready", "partial"):
        return []
    files: dict[str, list[dict[str, Any]]] = {}
    said = []
    for target in fix.get("targets") or ():
        uri = relative_path(target.get("file"))
        if not uri or not target.get("replacements"):
            return []  # a fix is all of its changes, or none
        said += [
            f"{c['input']} = {json.dumps(c['to'])} on {target['resource']}"
            for c in target["changes"]
        ]
        files.setdefault(uri, []).extend(
            {
                "deletedRegion": {
                    "startLine": r["start_line"],
                    "startColumn": r["start_column"],
                    "endLine": r["end_line"],
                    "endColumn": r["end_column"],
                },
                "insertedContent": {"text": r["text"]},
            }
            for r in target["replacements"]
        )
    if not files:
        return []
    described = "Set " + "; ".join(said)
    if fix.get("still_fails"):
        described += f". Partial: with this change the check still fails: {fix['still_fails']}"
    return [
        {
            "description": {"text": described},
            "artifactChanges": [
                {"artifactLocation": {"uri": uri}, "replacements": replacements}
                for uri, replacements in files.items()
            ],
        }
    ]


def _result(
    finding: Mapping[str, Any], rule_index: int, waivers: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    status = finding["status"]
    result: dict[str, Any] = {
        "ruleId": finding["check_id"],
        "ruleIndex": rule_index,
        "kind": "open" if status == NOT_EVALUATED else "fail",
        "level": "none" if status == NOT_EVALUATED else LEVEL.get(finding["severity"], "warning"),
        "message": {"text": f"{resource_label(finding['resource'])}: {finding['message']}"},
        "locations": _location(finding["resource"]),
        "guid": str(uuid.uuid5(GUID_NAMESPACE, finding["id"])),
        "partialFingerprints": {"hipaaSafeguardFindingId/v1": finding["id"]},
        "properties": {
            "status": status,
            "severity": finding["severity"],
            "citations": list(finding["citations"]),
            "evidence": finding["evidence"],
        },
    }
    if not result["locations"]:
        del result["locations"]
    if fixes := _fixes(finding):
        result["fixes"] = fixes
    if finding.get("baseline") in BASELINE_STATE:
        result["baselineState"] = BASELINE_STATE[finding["baseline"]]
    if status == WAIVED:
        waiver = waiver_id(finding)
        justification = waiver_justification(finding, waivers) or (
            f"waived by {waiver}" if waiver else "waived"
        )
        suppression: dict[str, Any] = {
            "kind": "external",
            "status": "accepted",
            "justification": justification,
        }
        if waiver:
            suppression["properties"] = {"waiver_id": waiver}
        result["suppressions"] = [suppression]
    return result


def sarif_log(document: Mapping[str, Any]) -> dict[str, Any]:
    """The SARIF log as a dict (see `render_sarif`)."""
    tool = document["tool"]
    checks = list(document["checks"])
    examples: dict[str, Mapping[str, Any]] = {}
    for finding in document["findings"]:
        examples.setdefault(finding["check_id"], finding)
    rules = [_rule(check, examples.get(check["id"])) for check in checks]
    index = {check["id"]: i for i, check in enumerate(checks)}
    waivers = waivers_by_id(document)
    results = [
        _result(f, index[f["check_id"]], waivers)
        for f in document["findings"]
        if f["status"] in (FAIL, NOT_EVALUATED, WAIVED) and f["check_id"] in index
    ]
    source = document.get("source") or {}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": tool["name"],
                "version": tool["version"],
                "semanticVersion": tool["version"],
                "rules": rules,
                "properties": {"check_library": tool["check_library"]},
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "exitCode": document["gate"]["exit_code"],
                "endTimeUtc": document["generated_at"],
            }
        ],
        "results": results,
        # Fix regions count characters (code points), as the program's text does.
        "columnKind": "unicodeCodePoints",
        "properties": {
            "schema_version": document["schema_version"],
            "gate": dict(document["gate"]),
            "summary": dict(document["summary"]["findings"]),
        },
    }
    if source.get("project"):
        # GitHub keys the category of an upload on automationDetails.id.
        scope = "/".join(str(source[k]) for k in ("kind", "project", "stack") if source.get(k))
        run["automationDetails"] = {"id": f"{tool['name']}/{scope}/"}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(document: Mapping[str, Any]) -> str:
    return json.dumps(sarif_log(document), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
