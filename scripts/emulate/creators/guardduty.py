"""GuardDuty detectors and their features.

A detector's features are one list in AWS, so each `DetectorFeature` merges itself into it
(under a lock: two features may register at once).
"""

from __future__ import annotations

import threading
from typing import Any

from scripts.emulate.creators.base import Made, Target, tags, without_none
from scripts.emulate.inputs import Inputs

_FEATURES = threading.Lock()


def detector(inputs: Inputs, target: Target, clients) -> Made:
    made = clients("guardduty").create_detector(
        Enable=inputs.get("enable", True),
        **without_none(FindingPublishingFrequency=inputs.get("finding_publishing_frequency")),
        Tags=tags(inputs, target),
    )
    detector_id = made["DetectorId"]
    return detector_id, {
        "account_id": target.account,
        "arn": target.arn("guardduty", f"detector/{detector_id}"),
    }


def detector_feature(inputs: Inputs, target: Target, clients) -> Made:
    guardduty = clients("guardduty")
    detector_id = inputs.require("detector_id")
    feature: dict[str, Any] = {"Name": inputs.require("name"), "Status": inputs.require("status")}
    extra = [
        {"Name": c.require("name"), "Status": c.require("status")}
        for c in inputs.get("additional_configurations") or []
    ]
    if extra:
        feature["AdditionalConfiguration"] = extra
    with _FEATURES:
        current = guardduty.get_detector(DetectorId=detector_id).get("Features", [])
        kept = [
            {"Name": f["Name"], "Status": f["Status"]}
            for f in current
            if f.get("Name") != feature["Name"]
        ]
        guardduty.update_detector(DetectorId=detector_id, Features=[*kept, feature])
    return f"{detector_id}/{feature['Name']}", {}


CREATORS = {
    "aws:guardduty/detector:Detector": detector,
    "aws:guardduty/detectorFeature:DetectorFeature": detector_feature,
}
