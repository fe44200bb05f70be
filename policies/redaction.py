"""The one redaction step every run record goes through before any renderer sees it.

It also strips escape sequences and control characters from every observed string
(`checks.text.safe_text`), so no value can act on the terminal or viewer that shows a report.

Secretness propagates: a secret's plaintext may have been built into a resource's name, id or
ARN, a URN, a message or a piece of evidence. Every string the record observed is scrubbed of
every secret text the run knows (what the user supplied, what the sources marked secret), so
no format, present or future, can print one. The check library's own words (titles,
remediation, citations) are not observed and are left as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from checks.model import Resource
from checks.text import safe_text
from checks.values import Scrubber, Secret, secret_texts

# Record sections and finding keys that hold the library's or the framework's own text.
_STATIC_SECTIONS = frozenset({"schema_version", "tool", "checks", "framework", "safeguards"})
_STATIC_FINDING_KEYS = frozenset(
    {"check_id", "control", "title", "severity", "status", "citations", "config_rule",
     "remediation", "pulumi_fix", "id"}
)  # fmt: skip


def scrubber(resources: Iterable[Resource], given: Iterable[str]) -> Scrubber:
    """What to scrub: the secrets the run was given and every secret value the inventory holds."""
    values = [v for res in resources for v in _secret_values(res.props)]
    return Scrubber(sorted({*secret_texts(values), *(g for g in given if g.strip())}))


def _secret_values(value: Any) -> Iterable[Any]:
    if isinstance(value, Secret):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _secret_values(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _secret_values(v)


def redact(record: dict[str, Any], scrub: Scrubber) -> dict[str, Any]:
    """The record with every observed string scrubbed of the run's secrets and of anything
    that would act on a terminal or a viewer (escape sequences, control characters)."""

    done: dict[str, str] = {}  # a run repeats its strings (types, names, ids) many times

    def text(value: str) -> str:
        found = done.get(value)
        if found is None:
            found = done[value] = safe_text(scrub.text(value) if scrub else value)
        return found

    out = {}
    for section, value in record.items():
        if section in _STATIC_SECTIONS:
            out[section] = value
        elif section == "findings":
            out[section] = [
                {k: v if k in _STATIC_FINDING_KEYS else _clean(v, text) for k, v in f.items()}
                for f in value
            ]
        else:
            out[section] = _clean(value, text)
    return out


def _clean(value: Any, text: Callable[[str], str]) -> Any:
    kind = type(value)  # exact types first: the record is plain JSON data, and this is hot
    if kind is str:
        return text(value)
    if kind is dict:  # a string member is cleaned here, without a call of its own
        return {k: text(v) if type(v) is str else _clean(v, text) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [text(v) if type(v) is str else _clean(v, text) for v in value]
    if kind in (int, float, bool) or value is None:
        return value
    if isinstance(value, str):
        return text(value)
    if isinstance(value, Mapping):
        return {k: _clean(v, text) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v, text) for v in value]
    return value
