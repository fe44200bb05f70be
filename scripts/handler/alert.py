"""The alert a change that broke a check sends: a short text to the alerts SNS topic.

It says which check failed on which resource, who made the change, when, and the Security Rule
specifications the check supports (the check's own citations). It never carries the request's
values or the finding's evidence, and every observed string goes through the report's one
redaction step first.
"""

from __future__ import annotations

import json
from typing import Any

from checks.evaluate import Finding
from checks.registry import Status
from checks.text import safe_text
from policies.redaction import redact, scrubber
from scripts.handler.judge import Judged

# SNS subjects are at most 100 characters of printable ASCII.
_SUBJECT_LIMIT = 100


def resource_label(finding: Finding) -> str:
    """The changed resource as an alert names it: its ARN, else its id or name."""
    res = finding.resource
    if res is None:
        return finding.scope or "the account"
    return str(res.arn or res.id or res.name)


def failures(judged: Judged) -> list[Finding]:
    return [f for f in judged.findings if f.status is Status.FAIL]


def unjudged(judged: Judged) -> str | None:
    """Why the change could not be judged, or None: the changed resource was not read (gone
    already, another name, a region or service the credentials cannot read), or none of its
    checks could decide. Said as loudly as a failure: a change nobody judged is not fine."""
    if not judged.seen:
        return "the changed resource was not found where the event says it is"
    decided = [f for f in judged.findings if f.status in (Status.PASS, Status.FAIL)]
    if not decided:
        return "no check on the changed resource could be evaluated"
    return None


def drifted(judged: Judged) -> dict[str, Any] | None:
    """What of the changed resource's drift an alert says: properties that differ from the
    stack, the resource gone or unmanaged, or why the stack could not be read; None when none."""
    drift = judged.drift
    if not drift:
        return None
    if drift.get("error"):
        return {"error": drift["error"]}
    said = {
        "changed": [
            {k: row[k] for k in ("property", "declared", "live", "breaks")}
            for row in drift.get("changed") or ()
        ],
        "gone": [_label(row["resource"]) for row in drift.get("gone") or ()],
        "unmanaged": [_label(row["resource"]) for row in drift.get("unmanaged") or ()],
    }
    if not any(said.values()):
        return None
    return {"stacks": [s.get("stack") or s.get("file") for s in drift["states"]], **said}


def _label(ref: dict[str, Any]) -> str:
    """A drifted resource as the alert names it: its kind (a bucket's settings share its id)
    and its ARN, else its id."""
    kind = str(ref.get("type") or "").rpartition(":")[2]
    return f"{kind} {ref.get('arn') or ref.get('id') or ref.get('name')}".strip()


def alerted(judged: Judged) -> bool:
    """Whether the change is worth an alert: a check failed, it could not be judged, or the
    resource drifted from the stack that declares it (or no stack declares it)."""
    return bool(failures(judged) or unjudged(judged) or drifted(judged))


def _one(value: Any) -> str:
    """One line of a field the event or the account controls: no line break can forge a line."""
    return safe_text(str(value), one_line=True)


def alert_record(judged: Judged) -> dict[str, Any]:
    """The alert's facts, redacted: what the text is written from."""
    change = judged.change
    record = {
        "alert": {
            "event": f"{change.event_source} {change.event_name}",
            "event_id": change.event_id,
            "event_time": change.event_time,
            "account": change.account,
            "region": change.region,
            "actor": change.actor.label,
            "failures": [
                {
                    "check": f.check.id,
                    "title": f.check.title,
                    "severity": f.check.severity.label,
                    "resource": resource_label(f),
                    "message": f.message,
                    "citations": list(f.check.citations),
                }
                for f in failures(judged)
            ],
            "unjudged": unjudged(judged),
            "drift": drifted(judged),
        }
    }
    resources = [f.resource for f in judged.findings if f.resource is not None]
    return redact(record, scrubber(resources, ()))["alert"]


def subject(record: dict[str, Any]) -> str:
    count = len(record["failures"])
    event = record["event"].split(" ")[-1]
    if count or not (record.get("unjudged") or record.get("drift")):
        text = f"HIPAA safeguard: {count} failed check(s) after {event}"
    elif record.get("unjudged"):
        text = f"HIPAA safeguard: could not judge the change after {event}"
    else:
        text = f"HIPAA safeguard: drift from the stack after {event}"
    ascii_only = text.encode("ascii", "replace").decode("ascii")
    return ascii_only[:_SUBJECT_LIMIT]


def message(record: dict[str, Any]) -> str:
    lines = [
        f"{_one(record['event'])} at {_one(record['event_time'])} in account "
        f"{_one(record['account'])} ({_one(record['region'])})",
        f"By: {_one(record['actor'])}",
        "",
    ]
    if why := record.get("unjudged"):
        lines += [f"NOT EVALUATED: {_one(why)}; look at the change by hand", ""]
    for failure in record["failures"]:
        lines += [
            f"FAIL {_one(failure['check'])} ({_one(failure['severity'])}): "
            f"{_one(failure['title'])}",
            f"  Resource: {_one(failure['resource'])}",
            f"  Why: {_one(failure['message'])}",
            f"  HIPAA: 45 CFR {_one(', '.join(failure['citations']))}",
        ]
    return "\n".join(lines + _drift_lines(record.get("drift")))


# How much of a drifted value a line shows (a policy document can run to kilobytes).
_VALUE_LIMIT = 160


def _value(value: Any) -> str:
    text = _one(value if isinstance(value, str) else json.dumps(value, sort_keys=True))
    return text if len(text) <= _VALUE_LIMIT else text[: _VALUE_LIMIT - 1] + "…"


def _drift_lines(drift: dict[str, Any] | None) -> list[str]:
    if not drift:
        return []
    if drift.get("error"):
        return ["", f"DRIFT NOT COMPARED: {_one(drift['error'])}"]
    lines = ["", f"Drift from the stack ({_one(', '.join(map(str, drift['stacks'])))}):"]
    for row in drift["changed"]:
        breaks = f" (breaks {', '.join(row['breaks'])})" if row["breaks"] else ""
        lines.append(
            f"  {_one(row['property'])}: declared {_value(row['declared'])}, "
            f"live {_value(row['live'])}{breaks}"
        )
    lines += [f"  GONE: {_one(name)} is declared but no longer exists" for name in drift["gone"]]
    lines += [
        f"  UNMANAGED: {_one(name)} is declared by no stack (outside change control)"
        for name in drift["unmanaged"]
    ]
    return lines


def publish(sns: Any, topic_arn: str, judged: Judged) -> str | None:
    """Send the alert when a check failed or the change could not be judged; its message id,
    or None when the change was judged and nothing failed."""
    if not alerted(judged):
        return None
    record = alert_record(judged)
    answer = sns.publish(TopicArn=topic_arn, Subject=subject(record), Message=message(record))
    return str(answer.get("MessageId"))
