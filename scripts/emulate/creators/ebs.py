"""EBS account settings of a region: encryption by default, and its default key."""

from __future__ import annotations

from scripts.emulate.creators.base import Made, Target
from scripts.emulate.inputs import Inputs


def encryption_by_default(inputs: Inputs, target: Target, clients) -> Made:
    ec2 = clients("ec2")
    if inputs.get("enabled", True):
        ec2.enable_ebs_encryption_by_default()
    else:
        ec2.disable_ebs_encryption_by_default()
    return target.region, {}


def default_kms_key(inputs: Inputs, target: Target, clients) -> Made:
    key = inputs.require("key_arn")
    clients("ec2").modify_ebs_default_kms_key_id(KmsKeyId=key)
    return key, {}


CREATORS = {
    "aws:ebs/encryptionByDefault:EncryptionByDefault": encryption_by_default,
    "aws:ebs/defaultKmsKey:DefaultKmsKey": default_kms_key,
}
