"""Secrets Manager secrets, their values and policies. Rotation runs a Lambda function, which
the emulator executes only in Docker: a rotation is reported as not emulated."""

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

NOT_EMULATED = {
    "aws:secretsmanager/secretRotation:SecretRotation": (
        "rotation invokes a Lambda function, which the emulator (moto) runs only in Docker"
    ),
}


def secret(inputs: Inputs, target: Target, clients) -> Made:
    manager = clients("secretsmanager")
    name = physical_name(inputs, target, max_length=512)
    replicas = [
        without_none(Region=r.require("region"), KmsKeyId=r.get("kms_key_id"))
        for r in inputs.get("replicas") or []
    ]
    made = manager.create_secret(
        Name=name,
        **without_none(
            Description=inputs.get("description"),
            KmsKeyId=inputs.get("kms_key_id"),
            AddReplicaRegions=replicas or None,
            ForceOverwriteReplicaSecret=inputs.get("force_overwrite_replica_secret"),
        ),
        Tags=tag_list(tags(inputs, target)),
    )
    if "policy" in inputs:
        manager.put_resource_policy(SecretId=made["ARN"], ResourcePolicy=inputs["policy"])
    # Only a deletion waits out the recovery window.
    inputs.provider_only("recovery_window_in_days")
    return made["ARN"], {"arn": made["ARN"], "name": name}


def secret_version(inputs: Inputs, target: Target, clients) -> Made:
    secret_id = inputs.require("secret_id")
    made = clients("secretsmanager").put_secret_value(
        SecretId=secret_id,
        **without_none(
            SecretString=inputs.get("secret_string") or inputs.get("secret_string_wo"),
            SecretBinary=inputs.get("secret_binary"),
            VersionStages=inputs.plain("version_stages"),
        ),
    )
    inputs.provider_only("secret_string_wo_version")
    return f"{secret_id}|{made['VersionId']}", {
        "arn": made["ARN"],
        "version_id": made["VersionId"],
        "version_stages": made.get("VersionStages"),
    }


def secret_policy(inputs: Inputs, target: Target, clients) -> Made:
    secret_id = inputs.require("secret_arn")
    clients("secretsmanager").put_resource_policy(
        SecretId=secret_id,
        ResourcePolicy=inputs.require("policy"),
        **without_none(BlockPublicPolicy=inputs.get("block_public_policy")),
    )
    return secret_id, {}


CREATORS = {
    "aws:secretsmanager/secret:Secret": secret,
    "aws:secretsmanager/secretVersion:SecretVersion": secret_version,
    "aws:secretsmanager/secretPolicy:SecretPolicy": secret_policy,
}
