"""What a run cannot see, and why: the report's limitations, built from data.

Four sources, each a file the project keeps true: the controls the library does not check or
checks only in part (policies/limitations.yaml), what only a live audit shows (same file; listed
for every other source kind), the AWS Config HIPAA pack rules no check judges
(checks/config_pack.yaml), and the specifications only a person can evidence (the framework).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.config_pack import load_config_pack
from checks.errors import InputError
from policies import yamlfile
from policies.framework import Framework

LIMITATIONS_FILE = Path(__file__).with_name("limitations.yaml")
KINDS = ("not_checked", "partly_checked", "live_only", "config_rule", "attestation_only")
LIVE_KIND = "aws"


def _text(path: Path, entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{yamlfile.where(path, entry)}: '{key}' is required")
    return " ".join(value.split())


@functools.cache
def _listed(path: Path = LIMITATIONS_FILE) -> tuple[dict[str, Any], ...]:
    doc = yamlfile.load(path, shipped=LIMITATIONS_FILE)
    rows = []
    for kind in ("not_checked", "partly_checked", "live_only"):
        for entry in yamlfile.entries(path, kind, doc):
            row = {
                "kind": kind,
                "what": _text(path, entry, "what"),
                "why": _text(path, entry, "why"),
            }
            if kind != "live_only":
                row["control"] = _text(path, entry, "control")
            else:
                row["checks"] = [str(c) for c in entry.get("checks") or []]
            rows.append(row)
    return tuple(rows)


def limitations(framework: Framework, source_kind: str | None) -> list[dict[str, Any]]:
    """Every control or specification this run cannot see, each with why, in KINDS order."""
    rows = [dict(r) for r in _listed() if r["kind"] != "live_only" or source_kind != LIVE_KIND]
    rows += [
        {"kind": "config_rule", "what": f"AWS Config rule {rule.rule}", "why": rule.not_checked}
        for rule in load_config_pack()
        if not rule.checked
    ]
    for spec in framework.specifications:
        if spec.links or "automated" in spec.evidence:
            continue
        why = "No API shows it: a named person's current attestation is its evidence"
        if "inherited" in spec.evidence:
            why += "; AWS meets its side under the BAA"
        rows.append(
            {
                "kind": "attestation_only",
                "what": f"{spec.citation} {spec.title}",
                "citation": spec.citation,
                "why": why + ".",
            }
        )
    return sorted(rows, key=lambda r: KINDS.index(r["kind"]))
