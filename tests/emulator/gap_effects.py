"""What a denied call changes in an evaluation, for the collector tests: only the findings of the
checks that need what it hid, each now NOT_EVALUATED with the reason; nothing else."""

from __future__ import annotations

from checks.evaluate import Evaluation
from checks.model import Resource
from checks.registry import Status

# A resource of another service, so the account checks still judge an inventory from which a
# denied call removed every resource of the service under test.
BYSTANDER = Resource(
    "aws:sns/topic:Topic",
    "bystander",
    {"name": "bystander", "kms_master_key_id": "alias/aws/sns"},
    id="arn:aws:sns:us-east-1:123456789012:bystander",
    arn="arn:aws:sns:us-east-1:123456789012:bystander",
    region="us-east-1",
    account="123456789012",
    source="aws",
)


def _outcomes(evaluation: Evaluation) -> dict[tuple[str, str], list[tuple[Status, str]]]:
    found: dict[tuple[str, str], list[tuple[Status, str]]] = {}
    for f in evaluation.findings:
        where = f.resource.address if f.resource is not None else "(account)"
        found.setdefault((f.check.id, where), []).append((f.status, f.message))
    return found


def hidden_checks(before: Evaluation, after: Evaluation, reason: str) -> set[str]:
    """The checks whose findings differ between the two evaluations. Every finding `after` holds
    that `before` did not is NOT_EVALUATED and names `reason` (a finding that vanished belonged
    to a resource that could not be read; the NOT_EVALUATED finding that replaces it says so)."""
    was, now = _outcomes(before), _outcomes(after)
    changed: set[str] = set()
    for key in was.keys() | now.keys():
        if was.get(key) == now.get(key):
            continue
        changed.add(key[0])
        for status, message in now.get(key, []):
            if (status, message) in was.get(key, []):
                continue
            assert status is Status.NOT_EVALUATED, (key, status, message)
            assert reason in message, (key, message)
    return changed


def unseen(evaluation: Evaluation, check_id: str) -> list[str]:
    """The messages of the check's findings on no resource: what it could not see."""
    return [f.message for f in evaluation.findings if f.check.id == check_id and f.resource is None]
