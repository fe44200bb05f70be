"""JUnit XML: each check a test suite, each check × resource a test case, for CI test reporters.

    <testsuites name="hipaa-safeguard" tests= failures= errors= skipped=>
      <testsuite name="<check id>" tests= failures= errors= skipped=>
        <properties> control, severity, title, citations </properties>
        <testcase classname="<check id>" name="<resource name>"> ... </testcase>

FAIL → <failure message type="<severity>">, with the evidence and the fix in its text.
NOT_EVALUATED → <error>: the check could not decide, which is not a pass.
NOT_APPLICABLE → <skipped message>; WAIVED → <skipped message="waived: W-...">, so the waiver is
visible where the failure would have been. PASS → an empty test case.
With `--baseline`, an open finding's test case carries
<properties><property name="baseline" value="new|existing"/></properties> (as pytest writes
per-test properties), so a reporter can tell this change's failures from the backlog.

A test case is named by the resource's logical name; when two resources of a check share a
name (two types, say), both are named by their URN instead, so reporters never merge them.
Every check in the document gets a suite, even one with no resource to test (tests="0"): the
report shows the check ran. Characters XML 1.0 cannot carry are dropped.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping
from typing import Any

from reports.findings import (
    FAIL,
    NOT_APPLICABLE,
    NOT_EVALUATED,
    WAIVED,
    resource_label,
    waiver_id,
    waiver_justification,
    waivers_by_id,
)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def _details(finding: Mapping[str, Any]) -> str:
    lines = [
        finding["message"],
        "",
        f"Resource: {finding['resource']['type']} {finding['resource']['urn'] or ''}".rstrip()
        if finding["resource"]
        else "Resource: account",
        "HIPAA (45 CFR): " + ", ".join(finding["citations"]),
        "Evidence: " + json.dumps(finding["evidence"], sort_keys=True, ensure_ascii=False),
    ]
    if finding["status"] == FAIL:
        lines += ["", "Fix: " + finding["remediation"], "", finding["pulumi_fix"]]
    return "\n".join(lines)


def _case_names(findings: list[Mapping[str, Any]]) -> list[str]:
    labels = [resource_label(f["resource"]) for f in findings]
    repeated = {label for label, n in Counter(labels).items() if n > 1}
    return [
        (f["resource"] or {}).get("urn") or label if label in repeated else label
        for f, label in zip(findings, labels, strict=True)
    ]


def _testcase(
    suite: ET.Element,
    finding: Mapping[str, Any],
    name: str,
    waivers: Mapping[str, Mapping[str, Any]],
) -> None:
    case = ET.SubElement(
        suite, "testcase", {"classname": finding["check_id"], "name": _xml_text(name)}
    )
    if finding.get("baseline"):
        props = ET.SubElement(case, "properties")
        ET.SubElement(props, "property", {"name": "baseline", "value": str(finding["baseline"])})
    status = finding["status"]
    if status == FAIL:
        element = ET.SubElement(
            case,
            "failure",
            {"message": _xml_text(finding["message"]), "type": finding["severity"]},
        )
        element.text = _xml_text(_details(finding))
    elif status == NOT_EVALUATED:
        element = ET.SubElement(
            case, "error", {"message": _xml_text(finding["message"]), "type": NOT_EVALUATED}
        )
        element.text = _xml_text(_details(finding))
    elif status == WAIVED:
        waiver = waiver_id(finding) or "unknown waiver"
        message = f"waived: {waiver}"
        justification = waiver_justification(finding, waivers)
        if justification:
            message += f" ({justification})"
        ET.SubElement(case, "skipped", {"message": _xml_text(message)})
    elif status == NOT_APPLICABLE:
        ET.SubElement(case, "skipped", {"message": _xml_text(finding["message"])})


def _counts(findings: list[Mapping[str, Any]]) -> dict[str, str]:
    statuses = Counter(f["status"] for f in findings)
    return {
        "tests": str(len(findings)),
        "failures": str(statuses[FAIL]),
        "errors": str(statuses[NOT_EVALUATED]),
        "skipped": str(statuses[NOT_APPLICABLE] + statuses[WAIVED]),
    }


def render_junit(document: Mapping[str, Any]) -> str:
    by_check: dict[str, list[Mapping[str, Any]]] = {c["id"]: [] for c in document["checks"]}
    for finding in document["findings"]:
        by_check.setdefault(finding["check_id"], []).append(finding)
    checks = {c["id"]: c for c in document["checks"]}
    waivers = waivers_by_id(document)

    root = ET.Element("testsuites", {"name": document["tool"]["name"]})
    for check_id in sorted(by_check):
        pairs = sorted(
            zip(_case_names(by_check[check_id]), by_check[check_id], strict=True),
            key=lambda pair: (pair[0], pair[1]["id"]),
        )
        findings = [f for _, f in pairs]
        suite = ET.SubElement(root, "testsuite", {"name": check_id, **_counts(findings)})
        check = checks.get(check_id)
        if check:
            props = ET.SubElement(suite, "properties")
            for name, value in (
                ("control", check["control"]),
                ("severity", check["severity"]),
                ("title", check["title"]),
                ("citations", ", ".join(check["citations"])),
            ):
                ET.SubElement(props, "property", {"name": name, "value": _xml_text(value)})
        for name, finding in pairs:
            _testcase(suite, finding, name, waivers)
    root.attrib.update(_counts(list(document["findings"])))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
