"""`safeguard fix`'s one edit per file: the ready and partial fixes of the chosen findings merged
per declaration (so two fixes on one call never overlap), then per file.

A finding whose changes cannot all be made is left out whole, with why; files outside the
program folder are never read (`policies.fixes.ProgramFiles`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.fixes import (
    BOM,
    PARTIAL,
    READY,
    ProgramFiles,
    SuggestedFix,
    Target,
    class_name,
    path_label,
)
from policies.source_edit import NotEditable, Replacement, apply, edit_call


@dataclass(frozen=True)
class FilePatch:
    file: str  # as the findings name it
    path: Path
    before: str
    after: str
    finding_ids: tuple[str, ...]


@dataclass(frozen=True)
class Combined:
    patches: tuple[FilePatch, ...]
    # (finding id, why) for ready fixes that could not join the combined edit.
    left_out: tuple[tuple[str, str], ...]


def combined(
    fixes: Iterable[SuggestedFix],
    home: Path,
    cwd: Path | None = None,
    redact: Callable[[str], str] = str,
) -> Combined:
    """The ready fixes merged per declaration (one edit per resource call, so two fixes on one
    call never overlap), then per file. A finding whose changes cannot all be made is left out
    whole, with why."""
    files = ProgramFiles(home, cwd)
    calls: dict[tuple[str, int, str], list[tuple[str, Target]]] = {}
    for fix in fixes:
        if fix.status in (READY, PARTIAL):
            for target in fix.targets:
                key = (target.file or "", target.line or 0, target.type)
                calls.setdefault(key, []).append((fix.finding_id, target))
    failed: dict[str, str] = {}
    edits: dict[tuple[str, int, str], list[Replacement]] = {}
    for key, group in sorted(calls.items()):
        named, line, type_ = key
        path = files.locate(named)
        text = files.text(path) if path else None
        merged, conflict = _merge([t for _, t in group])
        try:
            if text is None:
                raise NotEditable(f"{named} cannot be read")
            if conflict:
                raise NotEditable(conflict)
            edits[key] = edit_call(text, line, class_name(type_), merged, file=named, redact=redact)
        except NotEditable as exc:
            failed.update((finding_id, str(exc)) for finding_id, _ in group)
    while True:  # until no kept declaration holds a finding that was left out
        for key in [k for k in edits if any(i in failed for i, _ in calls[k])]:
            del edits[key]
            for finding_id, _ in calls[key]:
                failed.setdefault(finding_id, f"{key[0]}:{key[1]}: a fix it shares was left out")
        patches, clash = _patches(files, edits, calls)
        if not clash:
            return Combined(tuple(patches), tuple(sorted(failed.items())))
        failed.update(clash)


def _patches(
    files: ProgramFiles,
    edits: dict[tuple[str, int, str], list[Replacement]],
    calls: dict[tuple[str, int, str], list[tuple[str, Target]]],
) -> tuple[list[FilePatch], dict[str, str]]:
    """One patch per file from the kept declarations' edits; or, when two declarations' edits
    overlap (one call inside another), the findings to leave out."""
    by_file: dict[str, list[tuple[str, int, str]]] = {}
    for key in edits:
        by_file.setdefault(key[0], []).append(key)
    patches, clash = [], {}
    for named, keys in sorted(by_file.items()):
        path = files.locate(named)  # an edit exists only for a file that was read
        before = files.text(path) or ""
        ids = tuple(sorted({i for k in keys for i, _ in calls[k]}))
        try:
            after = apply(before, [r for k in keys for r in edits[k]])
        except ValueError as exc:
            clash.update((i, f"{named}: {exc}") for i in ids)
            continue
        mark = BOM if path in files.bom else ""
        patches.append(FilePatch(named, path, mark + before, mark + after, ids))
    return patches, clash


def _merge(targets: Sequence[Target]) -> tuple[list[tuple[tuple, Any]], str | None]:
    wanted: dict[tuple, Any] = {}
    for target in targets:
        for change in target.changes:
            if change.path in wanted and wanted[change.path] != change.value:
                return [], (
                    f"two fixes want {path_label(change.path)} set to "
                    f"{wanted[change.path]!r} and {change.value!r}"
                )
            wanted[change.path] = change.value
    return list(wanted.items()), None
