"""The change-triggered audit: an EventBridge rule on CloudTrail management events calls
`handle(event, context)` (as a Lambda function, or from a test with no context at all).

It reads what the call changed (`checks.sources.aws.events`), collects the types that
resource's checks need from the live account in the event's region (the emulator when
`AWS_ENDPOINT_URL` is set, AWS otherwise), runs those checks, keeps the findings on the changed
resource, names who made the change, and publishes the failures to the SNS topic that
`SAFEGUARD_ALERT_TOPIC_ARN` names. An event it does not audit is logged and answered as such.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from checks.errors import InputError
from checks.sources.aws.events import Change, NotAudited, read_event
from checks.sources.registry import SourceRequest
from scripts.handler.alert import alert_record, alerted, publish, resource_label, unjudged
from scripts.handler.judge import (
    Judged,
    checks_for,
    judge,
    library,
    narrowing,
    needed_types,
    needs_full_read,
)

TOPIC_VARIABLE = "SAFEGUARD_ALERT_TOPIC_ARN"
LOG = logging.getLogger("safeguard.handler")


def _not_audited(result: NotAudited) -> dict[str, Any]:
    answer = {
        "status": "not_audited",
        "event": " ".join(x for x in (result.event_source, result.event_name) if x) or None,
        "reason": result.reason,
    }
    LOG.info(json.dumps(answer))
    return answer


def _collect(change: Change, types: frozenset[str], only: Mapping[str, Any] | None = None):
    from checks.sources.aws.collectors import all_collectors
    from checks.sources.aws.session import AwsOptions
    from checks.sources.aws.source import AwsSource

    options = AwsOptions(regions=(change.region,))
    request = SourceRequest(extra={"aws": options, "types": types, "only": only})
    return AwsSource(all_collectors()).collect(request)


def _sns(topic_arn: str) -> Any:
    import boto3

    # arn:aws:sns:REGION:ACCOUNT:NAME; boto3 honours AWS_ENDPOINT_URL itself.
    region = topic_arn.split(":")[3] if topic_arn.count(":") >= 5 else None
    return boto3.client("sns", region_name=region or None)


def _answer(judged: Judged, published: str | None) -> dict[str, Any]:
    """The Lambda's answer, which its log repeats: through the one redaction step, as the
    alert is (a finding's message or a collection gap may quote what a resource holds)."""
    from policies.redaction import redact, scrubber

    resources = [f.resource for f in judged.findings if f.resource is not None]
    return redact({"answer": _plain_answer(judged, published)}, scrubber(resources, ()))["answer"]


def _plain_answer(judged: Judged, published: str | None) -> dict[str, Any]:
    change = judged.change
    why = unjudged(judged)
    return {
        "status": "not_evaluated" if why else "audited",
        "why": why,
        "event": f"{change.event_source} {change.event_name}",
        "event_id": change.event_id,
        "event_time": change.event_time,
        "actor": change.actor.as_record(),
        "resource_seen": judged.seen,
        # Whether only the changed resource of its type was read (else every one of the type).
        "read_narrowly": judged.narrowed,
        "findings": [
            {
                "check": f.check.id,
                "status": f.status.value,
                "resource": resource_label(f),
                "message": f.message,
                "citations": list(f.check.citations),
            }
            for f in judged.findings
        ],
        "not_collected": judged.gaps,
        "drift": judged.drift,
        "api_calls": judged.api_calls,
        "alert": alert_record(judged) if alerted(judged) else None,
        "published": published,
    }


def _stack_drift(judged: Judged, registry: Any) -> dict[str, Any] | None:
    """The changed resource against the stacks `SAFEGUARD_STACK_STATE` names (None when it
    names none; an export that cannot be read is said, and the checks' verdicts still stand)."""
    from scripts.handler.stack import configured_states, target_drift

    try:
        states = configured_states()
    except InputError as exc:
        return {"error": str(exc)}
    if states is None or judged.inventory is None:
        return None
    inventory, findings = judged.inventory, judged.evaluated
    return target_drift(
        judged.change, states, inventory, findings, registry, judged.collected_types
    )


def handle(event: Any, context: Any = None) -> dict[str, Any]:
    """The Lambda entry point: one CloudTrail event in, the changed resource's findings out."""
    change = read_event(event)
    if isinstance(change, NotAudited):
        return _not_audited(change)
    registry = checks_for(change, library())
    types = needed_types(change, library())
    try:
        collected = _collect(change, types, narrowing(change))
    except InputError as exc:
        return _not_audited(NotAudited(change.event_source, change.event_name, str(exc)))
    read = collected.provenance.get("accounts") or []
    if change.account and read and change.account not in read:
        why = f"the event is from account {change.account}; these credentials read {read[0]}"
        return _not_audited(NotAudited(change.event_source, change.event_name, why))
    judged = judge(change, collected, registry)
    if needs_full_read(judged):  # the narrow read could not settle it: read the types whole
        try:
            collected = _collect(change, types)
        except InputError as exc:
            return _not_audited(NotAudited(change.event_source, change.event_name, str(exc)))
        whole = judge(change, collected, registry)
        judged = replace(whole, api_calls=whole.api_calls + judged.api_calls)
    judged = replace(judged, drift=_stack_drift(judged, registry))
    topic = os.environ.get(TOPIC_VARIABLE, "").strip()
    published = publish(_sns(topic), topic, judged) if topic else None
    answer = _answer(judged, published)
    answer["security_hub"] = _security_hub(judged, change.account or (read or [None])[0])
    LOG.info(json.dumps({k: answer[k] for k in ("status", "event", "findings", "published")}))
    return answer


def _security_hub(judged: Judged, account: str | None) -> dict[str, Any] | None:
    """The findings imported into Security Hub when `SAFEGUARD_SECURITY_HUB` is on, else None."""
    from scripts.handler import security_hub

    if not security_hub.enabled():
        return None
    if not account:
        return {"imported": 0, "refused": [], "error": "the account is not known"}
    import boto3
    import botocore.exceptions

    try:  # the event names the region: one botocore refuses is said, never raised
        client = boto3.client("securityhub", region_name=judged.change.region)
    except botocore.exceptions.BotoCoreError as exc:
        return {"imported": 0, "refused": [], "error": security_hub.one_line(str(exc))}
    return security_hub.import_findings(client, judged, account)
