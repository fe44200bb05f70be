"""The threat catalogue (`threats.yaml` beside this module): for each control, what is wrong when
one of its checks fails, the threat event that would exercise the weakness, its source (NIST SP
800-30 Rev. 1, Table D-2 kinds) and the consequence that sets the default impact.

The file is validated when it is read: an unknown threat, source, consequence or level, a level
missing for a data class, or a field the file does not define raises `ThreatDataError`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from checks.inputfiles import load_shipped_yaml
from policies.risk_scale import Level

THREATS_FILE = Path(__file__).with_name("threats.yaml")
# Table D-2's kinds of threat source, as the catalogue names them.
SOURCE_KINDS = (
    "adversarial-outsider",
    "adversarial-insider",
    "accidental",
    "structural",
    "environmental",
)
# What an asset holds, as the impact columns name it: ePHI, other non-public data, nothing
# sensitive. An unclassified data store is rated in the ePHI column (policies/risk.py).
DATA_CLASSES = ("none", "internal", "ephi")
CIA = ("confidentiality", "integrity", "availability")
ASSET = "{asset}"
_ENTRY_FIELDS = frozenset({"threat", "consequence", "problem"})
_TOP = frozenset({"version", "threat_sources", "threats", "consequences", "controls", "checks"})


class ThreatDataError(Exception):
    """The threat catalogue is malformed."""


@dataclass(frozen=True)
class Threat:
    id: str
    source: str  # one of SOURCE_KINDS
    source_label: str
    event: str


@dataclass(frozen=True)
class Consequence:
    name: str
    cia: str
    about: str
    impact: Mapping[str, Level]  # by data class


@dataclass(frozen=True)
class Problem:
    """What a failing check means: the problem phrase, its threat and its consequence."""

    phrase: str  # with ASSET where the asset's name goes
    threat: Threat | None  # None for a check whose control the catalogue does not know
    consequence: Consequence

    def title(self, asset: str | None) -> str:
        """The phrase with the asset named ("the account" for an account-wide finding). A
        sentence opens with a capital unless it opens with the asset's own name."""
        if asset and self.phrase.startswith(ASSET):
            return self.phrase.replace(ASSET, asset)
        text = self.phrase.replace(ASSET, asset or "the account")
        return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Catalogue:
    threats: Mapping[str, Threat]
    consequences: Mapping[str, Consequence]
    controls: Mapping[str, Mapping[str, str]]
    checks: Mapping[str, Mapping[str, str]]

    def problem(self, check_id: str, control_id: str, check_title: str) -> Problem:
        """The problem of a failing check: its own entry over its control's. A control the
        catalogue does not know gets its check's title as the problem and no threat (a person
        names it), rated on the `access` consequence until then."""
        entry = {**self.controls.get(control_id, {}), **self.checks.get(check_id, {})}
        if "threat" not in entry:
            return Problem(
                f"{ASSET} fails: {check_title}", None, self.consequences[UNRATED_CONSEQUENCE]
            )
        return Problem(
            entry["problem"],
            self.threats[entry["threat"]],
            self.consequences[entry["consequence"]],
        )


UNRATED_CONSEQUENCE = "access"


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return value.strip()


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict) or not value:
        raise ValueError(f"{what} must be a non-empty mapping")
    return value


def _threats(doc: Mapping[str, Any]) -> dict[str, Threat]:
    sources = _mapping(doc.get("threat_sources"), "threat_sources")
    if sorted(sources) != sorted(SOURCE_KINDS):
        raise ValueError(f"threat_sources must be exactly {', '.join(SOURCE_KINDS)}")
    threats = {}
    for key, entry in _mapping(doc.get("threats"), "threats").items():
        entry = _mapping(entry, f"threat {key}")
        if set(entry) != {"source", "event"}:
            raise ValueError(f"threat {key} must have exactly source and event")
        if entry["source"] not in sources:
            raise ValueError(f"threat {key}: unknown source {entry['source']!r}")
        threats[key] = Threat(
            key,
            entry["source"],
            _text(sources[entry["source"]], f"source {entry['source']}"),
            _text(entry["event"], f"threat {key} event"),
        )
    return threats


def _consequences(doc: Mapping[str, Any]) -> dict[str, Consequence]:
    out = {}
    for key, entry in _mapping(doc.get("consequences"), "consequences").items():
        entry = _mapping(entry, f"consequence {key}")
        if set(entry) != {"cia", "about", "impact"}:
            raise ValueError(f"consequence {key} must have exactly cia, about and impact")
        if entry["cia"] not in CIA:
            raise ValueError(f"consequence {key}: cia must be one of {', '.join(CIA)}")
        impact = _mapping(entry["impact"], f"consequence {key} impact")
        if sorted(impact) != sorted(DATA_CLASSES):
            raise ValueError(f"consequence {key}: impact must rate {', '.join(DATA_CLASSES)}")
        levels = {c: Level.parse(impact[c]) for c in DATA_CLASSES}
        if not levels["none"] <= levels["internal"] <= levels["ephi"]:
            raise ValueError(f"consequence {key}: impact must not fall as the data grows")
        out[key] = Consequence(
            key, entry["cia"], _text(entry["about"], f"{key} about"), MappingProxyType(levels)
        )
    return out


def _entries(
    doc: Mapping[str, Any], key: str, threats: Mapping[str, Any], consequences: Mapping[str, Any]
) -> dict[str, Mapping[str, str]]:
    out = {}
    for name, entry in _mapping(doc.get(key), key).items():
        entry = _mapping(entry, f"{key} {name}")
        if unknown := sorted(set(entry) - _ENTRY_FIELDS):
            raise ValueError(f"{key} {name}: unknown fields {unknown}")
        if key == "controls" and set(entry) != _ENTRY_FIELDS:
            raise ValueError(f"control {name} needs threat, consequence and problem")
        if "threat" in entry and entry["threat"] not in threats:
            raise ValueError(f"{key} {name}: unknown threat {entry['threat']!r}")
        if "consequence" in entry and entry["consequence"] not in consequences:
            raise ValueError(f"{key} {name}: unknown consequence {entry['consequence']!r}")
        out[str(name)] = MappingProxyType(
            {k: _text(v, f"{key} {name} {k}") for k, v in entry.items()}
        )
    return out


def load_catalogue(path: Path = THREATS_FILE) -> Catalogue:
    """Read and validate a threat catalogue."""
    try:
        doc = load_shipped_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise ThreatDataError(f"{path}: {exc}") from None
    try:
        doc = _mapping(doc, "the catalogue")
        if unknown := sorted(set(doc) - _TOP):
            raise ValueError(f"unknown top-level fields {unknown}")
        threats, consequences = _threats(doc), _consequences(doc)
        if UNRATED_CONSEQUENCE not in consequences:
            raise ValueError(f"consequence {UNRATED_CONSEQUENCE!r} is required")
        controls = _entries(doc, "controls", threats, consequences)
        checks = _entries(doc, "checks", threats, consequences)
    except ValueError as exc:
        raise ThreatDataError(f"{path}: {exc}") from None
    return Catalogue(
        MappingProxyType(threats),
        MappingProxyType(consequences),
        MappingProxyType(controls),
        MappingProxyType(checks),
    )


@functools.cache
def catalogue() -> Catalogue:
    """The catalogue beside this module, read once."""
    return load_catalogue()
