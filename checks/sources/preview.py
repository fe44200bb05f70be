"""The `preview` source: what an update would leave, from `pulumi preview --json`.

Each step's desired state is its `newState`, else its `oldState`. A preview never carries ids or
outputs in `newState`, so ids and ARNs come from `oldState` for resources that keep their
identity (same, update), and current outputs complete the props only where nothing changes
(same). Values computed during the update are `UNKNOWN`; the preview hides every secret as
"[secret]", which becomes `SECRET`. Resources the update deletes are set aside as `Excluded`.

By default a preview lists only the resources that change. The unchanged ones (`same`) are
counted in `changeSummary` but not listed unless the CLI ran with `--show-sames`; a note says
so, because checks that join resources (an S3 bucket and its settings) then see part of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.model import HIDDEN_REGION, canonical_type
from checks.sources.base import Collected, Excluded
from checks.sources.engine_values import (
    PREVIEW,
    PREVIEW_SECRET,
    ROOT_STACK_TYPE,
    decode_map,
    kind_of,
    parse_urn,
    read_json,
    shown,
    text,
)
from checks.sources.state import Entry, assemble, is_cloud_entry

WHAT = "`pulumi preview --json`"

# Steps after which the resource exists, and those after which it is gone.
KEEPS_IDENTITY = frozenset({"same", "update", "refresh", "read"})
NEW_OBJECT = frozenset(
    {"create", "replace", "create-replacement", "import", "import-replacement", "read-replacement"}
)
UNCHANGED = frozenset({"same", "refresh", "read"})
REMOVED = {
    "delete": "deleted by this update (step 'delete')",
    "delete-replaced": "the old copy of a replaced resource, deleted by this update "
    "(step 'delete-replaced')",
    "discard": "a read-only reference dropped by this update (step 'discard')",
    "discard-replaced": "the old copy of a replaced read-only reference (step 'discard-replaced')",
}
_DIGEST_KEYS = ("steps", "config", "diagnostics", "changeSummary", "duration")


def _check_shape(path: Path, doc: dict[str, Any]) -> Mapping[str, Any]:
    """The digest object, or an InputError that says what the file is instead."""
    # Reading starts at a line beginning with '{', so the document is an object.
    if "deployment" in doc or "checkpoint" in doc:
        raise InputError(
            f"{path}: this is a `pulumi stack export` document, not a preview; scan it with --state"
        )
    if "sequence" in doc or any(str(k).endswith("Event") for k in doc):
        raise InputError(
            f"{path}: this is the streaming event format (PULUMI_ENABLE_STREAMING_JSON_PREVIEW "
            "is set); run `pulumi preview --json` without it"
        )
    if {"result", "summary", "resources"} <= doc.keys():
        raise InputError(
            f"{path}: this is `pulumi preview --output json`, a summary without properties; "
            "run `pulumi preview --json`"
        )
    if not any(k in doc for k in _DIGEST_KEYS):
        raise InputError(
            f"{path}: not a {WHAT} document (it has none of: {', '.join(_DIGEST_KEYS)})"
        )
    return doc


def _list(path: Path, doc: Mapping[str, Any], key: str) -> list[Any]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{path}: {key}: expected a list, found {kind_of(value)}")
    return value


def _error_summary(message: str) -> str:
    """One line from an error diagnostic: for a traceback, the exception line."""
    lines = [ln for ln in message.removeprefix("error: ").splitlines() if ln.strip()]
    if any(ln.startswith("Traceback") for ln in lines):
        unindented = [ln for ln in lines if not ln[:1].isspace() and ":" in ln]
        if unindented:
            return unindented[-1].strip()
    return lines[0].strip() if lines else "(no message)"


def _state(path: Path, step: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    state = step.get(key)
    if state is not None and not isinstance(state, dict):
        raise InputError(f"{path}: {where}.{key}: expected an object, found {kind_of(state)}")
    return state


def _entry(op: str, urn: str, desired: Mapping[str, Any], old: Mapping[str, Any] | None) -> Entry:
    """The entry for a step's desired state; ids and outputs only from `oldState`."""
    old = old or {}
    old_outputs = decode_map(old.get("outputs"), PREVIEW)
    keeps = op in KEEPS_IDENTITY or (op not in NEW_OBJECT and bool(old))
    if op in ("import", "import-replacement"):
        ident = text(desired.get("importID"))
    else:
        ident = text(old.get("id")) if keeps else None
    parsed = parse_urn(urn)
    return Entry(
        urn=urn,
        type=desired["type"] if isinstance(desired.get("type"), str) else parsed.type,
        custom=desired.get("custom") is True,
        inputs=decode_map(desired.get("inputs"), PREVIEW),
        outputs=old_outputs if op in UNCHANGED else None,
        id=ident,
        arn=text(old_outputs.get("arn")) if keeps else None,
        parent=text(desired.get("parent")),
        provider=text(desired.get("provider")),
        external=desired.get("external") is True,
        created=text(old.get("created")) if keeps else None,
    )


def load_preview(path: Path) -> Collected:
    """The resources an update would leave, from a `pulumi preview --json` file."""
    try:
        return _load_preview(path)
    except RecursionError:
        raise InputError(f"{path}: values nested too deeply to read") from None


def _load_preview(path: Path) -> Collected:
    raw, skipped = read_json(path, what=WHAT, skip_leading_text=True)
    doc = _check_shape(path, raw)
    notes: list[str] = []
    if skipped:
        notes.append(f"skipped {skipped} line(s) of other text before the JSON document")
    if doc.get("maybeCorrupt") is True:
        notes.append("the CLI marked this preview as possibly corrupt (maybeCorrupt)")

    errors: list[str] = []
    for i, diag in enumerate(_list(path, doc, "diagnostics")):
        if not isinstance(diag, dict):
            raise InputError(f"{path}: diagnostics[{i}]: expected an object, found {kind_of(diag)}")
        if diag.get("severity") == "error":
            summary = _error_summary(str(diag.get("message", "")))
            errors.append(summary)
            on = parse_urn(diag.get("urn"))
            notes.append(
                f"the preview reported an error{f' on {on.name}' if on else ''}: {summary}"
            )

    steps = _list(path, doc, "steps")
    if not steps:
        # The CLI always lists the root stack's step, and leaves `steps` out only when it has
        # none: a document without one is not a whole preview, and scanning it would pass.
        if errors:
            raise InputError(f"{path}: the preview failed before listing any resource: {errors[0]}")
        raise InputError(
            f"{path}: no steps: this is not the output of {WHAT}, or the preview listed nothing"
        )
    entries: list[Entry] = []
    excluded: list[Excluded] = []
    seen: set[str] = set()
    shown_sames = 0
    stack_urn = None
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        if not isinstance(step, dict):
            raise InputError(f"{path}: {where}: expected a step object, found {kind_of(step)}")
        op, urn = step.get("op"), step.get("urn")
        if not isinstance(op, str):
            raise InputError(f"{path}: {where}: 'op' is missing or not a string")
        if parse_urn(urn) is None:
            raise InputError(f"{path}: {where}: 'urn' {shown(urn)} is not a Pulumi URN")
        old = _state(path, step, "oldState", where)
        new = _state(path, step, "newState", where)
        desired = new if new is not None else old
        if desired is None:
            raise InputError(f"{path}: {where}: a '{op}' step with neither newState nor oldState")
        shown_sames += op == "same"
        entry = _entry(op, urn, desired, old)
        if entry.type == ROOT_STACK_TYPE:
            stack_urn = urn
            continue
        if op in REMOVED:
            if is_cloud_entry(entry.type, entry.custom):
                excluded.append(Excluded(urn, canonical_type(entry.type), REMOVED[op]))
            continue
        if op not in KEEPS_IDENTITY and op not in NEW_OBJECT:
            notes.append(f"{where}: step '{op}' is not one this reader knows; read as an update")
        if urn not in seen:  # replace and create-replacement describe the same resource
            seen.add(urn)
            entries.append(entry)

    if errors and not entries and not excluded:
        raise InputError(f"{path}: the preview failed before listing any resource: {errors[0]}")
    summary = doc.get("changeSummary")
    counted = summary.get("same") if isinstance(summary, dict) else None
    if type(counted) is int and counted > shown_sames:
        notes.append(
            f"{counted - shown_sames} unchanged resource(s) are counted but not listed (the "
            "preview ran without --show-sames), so checks that join resources, such as an S3 "
            "bucket and its settings, see only part of the stack"
        )
    config = doc.get("config") if isinstance(doc.get("config"), dict) else {}
    region = text(config.get("aws:region"))
    graph = assemble(
        entries,
        source="preview",
        fallback_region=HIDDEN_REGION if config.get("aws:region") == PREVIEW_SECRET else region,
    )
    first = parse_urn(stack_urn) or next(
        (p for p in (parse_urn(e.urn) for e in entries) if p), None
    )
    return Collected(
        kind="preview",
        resources=graph.resources,
        project=first.project if first else None,
        stack=first.stack if first else None,
        components=graph.components,
        providers=graph.providers,
        excluded=(*excluded, *graph.excluded),
        notes=tuple(notes),
    )
