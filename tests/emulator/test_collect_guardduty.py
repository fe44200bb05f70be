"""GuardDuty, live: one detector per region, `enable` as whether it runs, its features; and the
console change that turns it off."""

from __future__ import annotations

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status
from checks.sources.aws.services.guardduty import COLLECTORS, DETECTOR, DETECTOR_FEATURE
from checks.sources.aws.session import AwsOptions
from checks.sources.aws.source import AwsSource
from checks.sources.registry import SourceRequest
from tests.emulator.gap_effects import BYSTANDER, hidden_checks
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"


def _detector(aws, region: str = "us-east-1", enable: bool = True) -> str:
    return aws.client("guardduty", region).create_detector(
        Enable=enable,
        FindingPublishingFrequency="FIFTEEN_MINUTES",
        Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}],
        Tags={"data-classification": "internal"},
    )["DetectorId"]


def _coverage(evaluation):
    (finding,) = [f for f in evaluation.findings if f.check.id == "guardduty_enabled_all_regions"]
    return finding


def test_a_detector_and_its_features_are_read_as_the_program_declares_them(aws):
    detector_id = _detector(aws)
    collected = collect(aws, COLLECTORS)
    assert collected.gaps == {}
    (detector,) = [r for r in collected.resources if r.type == DETECTOR]
    assert (detector.id, detector.arn) == (
        detector_id,
        f"arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/{detector_id}",
    )
    assert dict(detector.props) == {
        "enable": True,
        "finding_publishing_frequency": "FIFTEEN_MINUTES",
        "tags": {"data-classification": "internal"},
    }
    (feature,) = [r for r in collected.resources if r.type == DETECTOR_FEATURE]
    assert dict(feature.props) == {
        "detector_id": detector_id,
        "name": "S3_DATA_EVENTS",
        "status": "ENABLED",
    }
    declared = program_resources("prod")
    for live in (detector, feature):
        program = next(r for r in declared if r.type == live.type)
        assert shape_differences(program.props, live.props) == [], live.type


def test_a_running_detector_passes_and_a_suspended_one_fails(aws):
    detector_id = _detector(aws)
    assert _coverage(audit(aws, COLLECTORS)).status is Status.PASS
    aws.client("guardduty").update_detector(DetectorId=detector_id, Enable=False)
    finding = _coverage(audit(aws, COLLECTORS, also=[BYSTANDER]))
    assert finding.status is Status.FAIL
    assert finding.message == "GuardDuty is not enabled in any region of the inventory"


def test_a_region_without_a_running_detector_fails_naming_it(aws):
    _detector(aws, "us-east-1")
    _detector(aws, "us-west-2", enable=False)
    options = AwsOptions(endpoint_url=aws.endpoint, regions=("us-east-1", "us-west-2"))
    collected = AwsSource(COLLECTORS).collect(SourceRequest(extra={"aws": options}))
    finding = _coverage(evaluate(Inventory(collected.resources), build_registry()))
    assert finding.status is Status.FAIL
    assert finding.evidence["missing"] == ["us-west-2"]


def test_a_denied_detector_read_hides_the_guardduty_check_and_nothing_else(aws, monkeypatch):
    _detector(aws)
    before = audit(aws, COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "guardduty", "GetDetector")
    after = audit(aws, COLLECTORS, also=[BYSTANDER])
    reason = "access denied to GetDetector (AccessDenied)"
    assert hidden_checks(before, after, reason) == {"guardduty_enabled_all_regions"}
