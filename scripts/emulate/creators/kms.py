"""KMS keys (with their rotation) and aliases."""

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


def key(inputs: Inputs, target: Target, clients) -> Made:
    kms = clients("kms")
    made = kms.create_key(
        **without_none(
            Description=inputs.get("description"),
            Policy=inputs.get("policy"),
            KeyUsage=inputs.get("key_usage"),
            KeySpec=inputs.get("customer_master_key_spec"),
            MultiRegion=inputs.get("multi_region"),
            BypassPolicyLockoutSafetyCheck=inputs.get("bypass_policy_lockout_safety_check"),
            CustomKeyStoreId=inputs.get("custom_key_store_id"),
            XksKeyId=inputs.get("xks_key_id"),
        ),
        Tags=tag_list(tags(inputs, target), "TagKey", "TagValue"),
    )["KeyMetadata"]
    key_id = made["KeyId"]
    if inputs.get("enable_key_rotation"):
        kms.enable_key_rotation(
            KeyId=key_id, **without_none(RotationPeriodInDays=inputs.get("rotation_period_in_days"))
        )
        if "RotationPeriodInDays" not in kms.get_key_rotation_status(KeyId=key_id):
            inputs.unapplied(
                "rotation_period_in_days", "the emulator (moto) accepts it but does not keep it"
            )
    else:
        inputs.get("rotation_period_in_days")  # only meaningful with rotation on
    if inputs.get("is_enabled") is False:
        kms.disable_key(KeyId=key_id)
    # Only scheduled deletion uses the window; nothing to set at creation.
    inputs.provider_only("deletion_window_in_days")
    return key_id, {
        "arn": made["Arn"],
        "key_id": key_id,
        "key_usage": made.get("KeyUsage"),
        "customer_master_key_spec": made.get("KeySpec", made.get("CustomerMasterKeySpec")),
    }


def alias(inputs: Inputs, target: Target, clients) -> Made:
    name = physical_name(inputs, target)
    name = name if name.startswith("alias/") else f"alias/{name}"
    key_id = inputs.require("target_key_id")
    clients("kms").create_alias(AliasName=name, TargetKeyId=key_id)
    return name, {
        "arn": target.arn("kms", name),
        "target_key_arn": key_id
        if key_id.startswith("arn:")
        else target.arn("kms", f"key/{key_id}"),
    }


CREATORS = {"aws:kms/key:Key": key, "aws:kms/alias:Alias": alias}
