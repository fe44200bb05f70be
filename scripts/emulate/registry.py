"""Every creator and every type the emulator cannot make, gathered from the service modules
of `scripts.emulate.creators` (a new service: a module there, named here)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

from scripts.emulate.creators.base import Creator

# One module per service under scripts/emulate/creators (a new service: a module there, named here).
_NAMES = (
    "acm",
    "backup",
    "cloudtrail",
    "cloudwatch",
    "config",
    "dynamodb",
    "ebs",
    "ec2_network",
    "ec2_security",
    "elb",
    "guardduty",
    "iam",
    "kms",
    "rds",
    "s3",
    "secretsmanager",
    "securityhub",
    "sns",
    "sqs",
    "ssm",
    "wafv2",
)
SERVICES: tuple[ModuleType, ...] = tuple(
    importlib.import_module(f"scripts.emulate.creators.{name}") for name in _NAMES
)


@dataclass(frozen=True)
class Registry:
    creators: Mapping[str, Creator]
    not_emulated: Mapping[str, str]  # type token → why the emulator cannot make it


def build_registry(services: tuple[ModuleType, ...] = SERVICES) -> Registry:
    creators: dict[str, Creator] = {}
    not_emulated: dict[str, str] = {}
    for module in services:
        for token, creator in module.CREATORS.items():
            if token in creators:
                raise ValueError(f"{module.__name__}: a creator for {token} exists already")
            creators[token] = creator
        not_emulated.update(getattr(module, "NOT_EMULATED", {}))
    return Registry(creators, not_emulated)
