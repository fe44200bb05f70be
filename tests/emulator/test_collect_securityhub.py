"""Security Hub, live: the hub of a region where it is enabled (and nothing where it is not, which
is a fact, not a failure); its enabled standards; and the console change that disables it."""

from __future__ import annotations

from checks.registry import Status
from checks.sources.aws.services import guardduty, securityhub
from checks.sources.aws.services.securityhub import HUB, STANDARDS_SUBSCRIPTION
from tests.emulator.gap_effects import BYSTANDER, hidden_checks
from tests.emulator.live_audit import audit, collect, deny

ACCOUNT = "123456789012"
HUB_ONLY = securityhub.COLLECTORS[:1]


def _hub(evaluation):
    (finding,) = [f for f in evaluation.findings if f.check.id == "securityhub_enabled"]
    return finding


def test_an_enabled_hub_is_read_as_the_program_declares_it(aws):
    aws.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
    collected = collect(aws, HUB_ONLY)
    assert collected.gaps == {}
    (hub,) = collected.resources
    assert (hub.type, hub.id, hub.region) == (HUB, ACCOUNT, "us-east-1")
    assert hub.arn == f"arn:aws:securityhub:us-east-1:{ACCOUNT}:hub/default"
    assert dict(hub.props) == {
        "auto_enable_controls": True,
        "control_finding_generator": "SECURITY_CONTROL",
    }


def test_the_enabled_standards_are_a_gap_in_the_emulator(aws):
    # moto does not implement GetEnabledStandards: the standards are NOT_EVALUATED, never
    # guessed, and the hub itself is still read.
    aws.client("securityhub").enable_security_hub(EnableDefaultStandards=True)
    collected = collect(aws, securityhub.COLLECTORS)
    assert [r.type for r in collected.resources] == [HUB]
    assert list(collected.gaps) == [STANDARDS_SUBSCRIPTION]
    assert "GetEnabledStandards" in collected.gaps[STANDARDS_SUBSCRIPTION]


def test_no_standards_are_read_where_the_hub_is_not_enabled(aws):
    collected = collect(aws, securityhub.COLLECTORS)
    assert (collected.resources, collected.gaps) == ((), {})


def test_an_enabled_hub_passes_and_a_disabled_one_fails(aws):
    hub = aws.client("securityhub")
    hub.enable_security_hub(EnableDefaultStandards=False)
    assert _hub(audit(aws, HUB_ONLY, also=[BYSTANDER])).status is Status.PASS
    hub.disable_security_hub()
    finding = _hub(audit(aws, HUB_ONLY, also=[BYSTANDER]))
    assert finding.status is Status.FAIL
    assert finding.message == "Security Hub is not enabled in any region of the inventory"


def test_a_denied_hub_read_hides_the_security_hub_check_and_nothing_else(aws, monkeypatch):
    aws.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
    aws.client("guardduty").create_detector(Enable=True)
    collectors = [*HUB_ONLY, *guardduty.COLLECTORS]
    before = audit(aws, collectors)
    deny(monkeypatch, "securityhub", "DescribeHub")
    after = audit(aws, collectors)
    reason = "access denied to DescribeHub (AccessDenied)"
    assert hidden_checks(before, after, reason) == {"securityhub_enabled"}
    assert _hub(after).status is Status.NOT_EVALUATED
