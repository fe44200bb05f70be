"""The controls the check library implements, loaded once from `controls.yaml` beside this module
(which says what each field means) and checked as they load. A check names its control and,
unless it says otherwise, cites exactly the control's citations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from checks.inputfiles import load_shipped_yaml
from checks.nist_scale import Level

CONTROLS_FILE = Path(__file__).with_name("controls.yaml")

# NIST SP 800-30 Rev. 1 qualitative levels, lowest first, as the risk register prints them.
LEVELS = tuple(level.label for level in Level)

_ID = re.compile(r"^[A-Z0-9]+-\d{2}$")
# Each list whose subset is marked in a field of its own.
_SUBSETS = {"citations": "citations_beyond_aws", "config_rules": "config_rules_outside_hipaa_pack"}
_LISTS = (*_SUBSETS, *_SUBSETS.values(), "checkov", "prowler")
_TEXTS = ("id", "service", "title", "checkov_note")
_FIELDS = {*_LISTS, *_TEXTS, "likelihood", "check_likelihood"}
_REQUIRED = ("id", "service", "title", "citations", "config_rules", "likelihood")


class ControlDataError(Exception):
    """The controls data file is malformed; raised when the module loads."""


@dataclass(frozen=True)
class Likelihood:
    level: str  # one of LEVELS
    rationale: str


@dataclass(frozen=True)
class Control:
    id: str
    service: str
    title: str
    citations: tuple[str, ...]
    config_rules: tuple[str, ...]  # all of them, those outside the HIPAA pack too
    likelihood: Likelihood
    citations_beyond_aws: tuple[str, ...] = ()
    config_rules_outside_hipaa_pack: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    checkov_note: str = ""
    prowler: tuple[str, ...] = ()
    check_likelihood: Mapping[str, Likelihood] = field(default_factory=dict, hash=False)


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{what} must be a list of non-empty strings")
    if what == "citations" and not value:
        raise ValueError("citations must not be empty")
    return tuple(value)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return value


def _likelihood(value: Any, what: str) -> Likelihood:
    if not isinstance(value, dict) or set(value) != {"level", "rationale"}:
        raise ValueError(f"{what} must be a mapping of exactly level and rationale")
    if value["level"] not in LEVELS:
        raise ValueError(f"{what} level {value['level']!r} is not one of {', '.join(LEVELS)}")
    return Likelihood(value["level"], _text(value["rationale"], f"{what} rationale"))


def _control(entry: Any) -> Control:
    if not isinstance(entry, dict):
        raise ValueError("expected a mapping")
    missing, unknown = [k for k in _REQUIRED if k not in entry], sorted(set(entry) - _FIELDS)
    if missing or unknown:
        raise ValueError(f"missing fields {missing}, unknown fields {unknown}")
    if not _ID.match(str(entry["id"])):
        raise ValueError("id must look like RDS-01")
    lists = {key: _strings(entry.get(key, []), key) for key in _LISTS}
    for full, subset in _SUBSETS.items():
        if extra := set(lists[subset]) - set(lists[full]):
            raise ValueError(f"{subset} {sorted(extra)} are not in {full}")
    checks = entry.get("check_likelihood", {})
    if not isinstance(checks, dict):
        raise ValueError("check_likelihood must map check ids to likelihoods")
    return Control(
        likelihood=_likelihood(entry["likelihood"], "likelihood"),
        check_likelihood=MappingProxyType(
            {str(k): _likelihood(v, f"check_likelihood of {k}") for k, v in checks.items()}
        ),
        **{key: _text(entry[key], key) for key in _TEXTS if key in entry},
        **lists,
    )


def load_controls(path: Path = CONTROLS_FILE) -> tuple[dict[str, Control], Likelihood]:
    """The controls of a data file, by id, and the likelihood proposed for an unknown control."""
    try:
        doc = load_shipped_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise ControlDataError(f"{path}: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("controls"), list):
        raise ControlDataError(f"{path}: expected a mapping with a list of 'controls'")
    if unknown := sorted(set(doc) - {"version", "unrated_likelihood", "controls"}):
        raise ControlDataError(f"{path}: unknown top-level fields {unknown}")
    controls: dict[str, Control] = {}
    for n, entry in enumerate(doc["controls"], start=1):
        name = entry.get("id", f"#{n}") if isinstance(entry, dict) else f"#{n}"
        try:
            control = _control(entry)
            if control.id in controls:
                raise ValueError("defined twice")
        except ValueError as exc:
            raise ControlDataError(f"{path}: control {name}: {exc}") from None
        controls[control.id] = control
    try:
        return controls, _likelihood(doc.get("unrated_likelihood"), "unrated_likelihood")
    except ValueError as exc:
        raise ControlDataError(f"{path}: {exc}") from None


CONTROLS, UNRATED_LIKELIHOOD = load_controls()
_BY_CHECK = {check: lk for c in CONTROLS.values() for check, lk in c.check_likelihood.items()}


def default_likelihood(check_id: str, control_id: str) -> tuple[str, str]:
    """The proposed likelihood of a finding, (level, rationale): the check's own rating if it
    has one, else its control's, else the one for a control this table does not know."""
    rated = _BY_CHECK.get(check_id)
    if rated is None:
        control = CONTROLS.get(control_id)
        rated = control.likelihood if control else UNRATED_LIKELIHOOD
    return rated.level, rated.rationale
