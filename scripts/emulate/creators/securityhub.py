"""Security Hub: the account's hub. Its standards subscriptions have no API in the emulator
(moto 5.2), so they are reported, not made."""

from __future__ import annotations

from scripts.emulate.creators.base import Made, Target, without_none
from scripts.emulate.inputs import Inputs

NOT_EMULATED = {
    "aws:securityhub/standardsSubscription:StandardsSubscription": (
        "the emulator (moto) does not implement Security Hub's BatchEnableStandards"
    ),
}

_SETTINGS = {
    "control_finding_generator": "ControlFindingGenerator",
    "auto_enable_controls": "AutoEnableControls",
}


def security_hub(inputs: Inputs, target: Target, clients) -> Made:
    hub = clients("securityhub")
    hub.enable_security_hub(
        EnableDefaultStandards=inputs.get("enable_default_standards", True),
        **without_none(ControlFindingGenerator=inputs.get("control_finding_generator")),
    )
    # moto sets neither (it has no UpdateSecurityHubConfiguration): where its own value
    # differs from the declared one, say so.
    described = hub.describe_hub()
    for key, api in _SETTINGS.items():
        if key in inputs and described.get(api) != inputs[key]:
            inputs.unapplied(
                key, f"the emulator (moto) cannot set it; it keeps {described.get(api)!r}"
            )
    return target.account, {"arn": target.arn("securityhub", "hub/default")}


CREATORS = {"aws:securityhub/account:Account": security_hub}
