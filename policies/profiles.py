"""Profiles: which failures and which unknowns block a run (the CI gate), by name or file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checks.errors import InputError
from checks.inputfiles import expect_mapping
from checks.registry import Severity
from policies import yamlfile

PROFILES_DIR = Path(__file__).with_name("profiles")
NOT_EVALUATED_RULES = ("never", "mandatory", "always")


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    fail_on: Severity
    not_evaluated_blocks: str
    mandatory_from: Severity

    def is_mandatory(self, severity: Severity) -> bool:
        return severity >= self.mandatory_from

    def blocks_unknown(self, severity: Severity) -> bool:
        if self.not_evaluated_blocks == "always":
            return True
        return self.not_evaluated_blocks == "mandatory" and self.is_mandatory(severity)


def available() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def load_profile(name_or_path: str) -> Profile:
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            raise InputError(
                f"--profile {name_or_path!r}: no such profile (built in: {', '.join(available())})"
            )
    doc = expect_mapping(path, yamlfile.load(path), "a mapping of profile settings")
    at = yamlfile.where(path, doc)
    try:
        fail_on = Severity.parse(str(doc.get("fail_on", "low")))
        mandatory_from = Severity.parse(str(doc.get("mandatory_from", "medium")))
    except ValueError as exc:
        raise InputError(f"{at}: {exc}") from None
    rule = doc.get("not_evaluated_blocks", "mandatory")
    if rule not in NOT_EVALUATED_RULES:
        raise InputError(
            f"{at}: not_evaluated_blocks must be one of {', '.join(NOT_EVALUATED_RULES)}"
        )
    return Profile(
        str(doc.get("name", path.stem)),
        str(doc.get("description", "")),
        fail_on,
        rule,
        mandatory_from,
    )
