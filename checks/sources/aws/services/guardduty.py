"""Live collectors: GuardDuty detectors in each region, as `aws.guardduty.Detector` declares them
(`enable` is whether the detector is running, not suspended), and their protection features as
`aws.guardduty.DetectorFeature`.

Configuration only: findings are not read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake_keys

DETECTOR = "aws:guardduty/detector:Detector"
DETECTOR_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"


def detector_props(detector: Mapping[str, Any]) -> dict[str, Any]:
    props = present(
        {
            "finding_publishing_frequency": detector.get("FindingPublishingFrequency"),
            "tags": dict(detector.get("Tags") or {}),
        }
    )
    # Checks take an absent `enable` for the provider's default (on): it must be real.
    props["enable"] = detector["Status"] == "ENABLED"
    return props


def feature_props(detector_id: str, feature: Mapping[str, Any]) -> dict[str, Any]:
    return present(
        {
            "detector_id": detector_id,
            "name": feature["Name"],
            "status": feature.get("Status"),
            "additional_configurations": snake_keys(feature.get("AdditionalConfiguration")) or None,
        }
    )


def _detectors(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (DETECTOR, DETECTOR_FEATURE), "detector") as missed:
        for detector_id in ctx.pages(client, "ListDetectors", "DetectorIds"):
            with missed.of(detector_id):
                detector = ctx.call(client, "GetDetector", DetectorId=detector_id)
                arn = f"arn:{ctx.partition}:guardduty:{ctx.region}:{ctx.account_id}:detector/"
                yield ctx.resource(
                    DETECTOR,
                    detector_id,
                    detector_props(detector),
                    id=detector_id,
                    arn=arn + detector_id,
                )
                for feature in detector.get("Features") or []:
                    name = f"{detector_id}/{feature['Name']}"
                    props = feature_props(detector_id, feature)
                    yield ctx.resource(DETECTOR_FEATURE, name, props, id=name)


COLLECTORS: list[Collector] = [
    Collector(
        "guardduty",
        (DETECTOR, DETECTOR_FEATURE),
        ("guardduty:GetDetector", "guardduty:ListDetectors"),
        _detectors,
    )
]
