"""The live audit calls exactly what the auditor role is granted, and only reads configuration.

The collectors declare the IAM actions they call; the auditor role in `stacks/` is granted
`AUDITOR_ACTIONS`. The two must be the same set: an action a collector needs but the role lacks
would be an AccessDenied in every real audit; an action granted but never called is privilege
nobody uses. (`tests/emulator/test_audit_guarantees.py` checks the declarations against the
calls the collectors really make, under moto's IAM enforcement.)
"""

from __future__ import annotations

import sys
from pathlib import Path

from checks.sources.aws.collect import FRAMEWORK_ACTIONS
from checks.sources.aws.collectors import all_collectors

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "stacks"))
import auditor_permissions  # noqa: E402

# A configuration read: the verbs of the actions the role may be granted.
_READ_VERBS = ("Describe", "List", "Get")
# Generating the credential report writes nothing but the report the audit then reads.
_ALSO_READS = frozenset({"iam:GenerateCredentialReport"})
# A batch Get: CodeBuild describes projects only by name, up to 100 at a time.
_ALSO_READS |= {"codebuild:BatchGetProjects"}
# API Gateway authorizes its control plane by HTTP verb: GET is its one read.
_ALSO_READS |= {"apigateway:GET"}


def _declared() -> set[str]:
    return {action for c in all_collectors() for action in c.actions} | set(FRAMEWORK_ACTIONS)


def test_the_collectors_call_exactly_what_the_auditor_role_is_granted():
    declared, granted = _declared(), set(auditor_permissions.all_actions())
    assert sorted(declared - granted) == [], "called but not granted"
    assert sorted(granted - declared) == [], "granted but never called"


def test_every_action_reads_configuration_and_none_reads_data():
    for action in sorted(_declared()):
        verb = action.split(":", 1)[1]
        assert verb.startswith(_READ_VERBS) or action in _ALSO_READS, action
        assert action not in auditor_permissions.DATA_ACCESS_DENIED, action


def test_every_collector_declares_its_actions_and_types():
    for collector in all_collectors():
        assert collector.actions and collector.types, collector.collect.__qualname__
        for action in collector.actions:
            service = action.split(":", 1)[0]
            assert service in auditor_permissions.AUDITOR_ACTIONS, action
