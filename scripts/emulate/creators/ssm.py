"""SSM parameters (a SecureString's value, often a Pulumi secret, goes to the emulator only)."""

from __future__ import annotations

from scripts.emulate.creators.base import (
    Made,
    Target,
    physical_name,
    tag_list,
    tags,
    without_none,
)
from scripts.emulate.inputs import Inputs


def parameter(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target, max_length=2048)
    value = inputs.get("value") or inputs.get("insecure_value") or inputs.get("value_wo")
    values = tags(inputs, target)
    made = clients("ssm").put_parameter(
        Name=name,
        Value=value,
        Type=inputs.require("type"),
        **without_none(
            Description=inputs.get("description"),
            KeyId=inputs.get("key_id"),
            Tier=inputs.get("tier"),
            AllowedPattern=inputs.get("allowed_pattern"),
            DataType=inputs.get("data_type"),
            Overwrite=inputs.get("overwrite"),
            Tags=tag_list(values) or None,
        ),
    )
    inputs.provider_only("value_wo_version")
    return name, {
        "arn": target.arn("ssm", f"parameter/{name.lstrip('/')}"),
        "name": name,
        "version": made.get("Version"),
        "tier": made.get("Tier"),
    }


CREATORS = {"aws:ssm/parameter:Parameter": parameter}
