"""What every command shares for its output: progress lines, the run's timestamp, formats, and
writing a run folder (every artifact, then the manifest over them).

Everything printed goes through `checks.text.safe_text`: a message can quote a program's
exception or a file's content, and no escape sequence of theirs reaches the terminal.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.text import safe_text

FORMAT_HELP = (
    "comma-separated formats: json, md, html, pdf, sarif, junit, ocsf, csv; all (anywhere in "
    "the list) means every one"
)
FORCE_HELP = (
    "write into an --out folder that holds an earlier run's artifacts, removing them all first "
    "(other files in it are left alone)"
)


class Progress:
    """Progress lines on stderr, unless quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"safeguard: {safe_text(message, one_line=True)}", file=sys.stderr, flush=True)

    def detail(self, message: str) -> None:
        """A step of long work (a service of a region of an account): shown on a terminal
        only, so logs and pipes get the summary lines alone."""
        if not self.quiet and sys.stderr.isatty():
            self(message)


def say(line: str) -> None:
    """One line on stdout (what a run wrote), made safe for the terminal."""
    print(safe_text(line, one_line=True))


def generated_at() -> str:
    """Now, in UTC to the second. SOURCE_DATE_EPOCH pins it, for byte-for-byte reproducible
    reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def formats(spec: str, renderers: Mapping[str, Any]) -> list[str]:
    """The formats `--format` names, in order and each once; `all` anywhere means every one."""
    named = [f.strip() for f in spec.split(",") if f.strip()]
    unknown = sorted({f for f in named if f not in renderers and f != "all"})
    if unknown or not named:
        raise InputError(
            f"--format {spec!r}: unknown format(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(renderers)} or all"
        )
    if "all" in named:
        return list(renderers)
    return list(dict.fromkeys(named))


def _artifact_names(renderers: Mapping[str, Any]) -> set[str]:
    """Every file a run writes into its folder, whichever formats it chose."""
    from reports.manifest import MANIFEST_NAME, SIGNATURE_NAME

    names = {r.filename for r in renderers.values()} | {MANIFEST_NAME, SIGNATURE_NAME}
    return names | {name + ".tmp" for name in names}


def _entries(out: Path) -> list[Path]:
    """What the `--out` folder holds now (nothing when it does not exist yet)."""
    try:
        if out.exists() and not out.is_dir():
            raise InputError(f"--out {out}: not a folder")
        return sorted(out.iterdir()) if out.is_dir() else []
    except OSError as exc:
        raise InputError(f"--out {out}: cannot be read: {exc.strerror or exc}") from None


def previous_artifacts(out: Path, renderers: Mapping[str, Any]) -> list[Path]:
    """The files of an earlier run in `out`: what a renderer writes, a manifest or its
    signature."""
    names = _artifact_names(renderers)
    return [p for p in _entries(out) if p.name in names and not p.is_dir()]


def check_out(out: Path, renderers: Mapping[str, Any], force: bool) -> list[str]:
    """Refuse an `--out` folder holding an earlier run's artifacts unless `force`, so a new run
    never leaves the old run's reports beside its own. Return the names of the other files
    there (left alone, and listed by `safeguard verify` as not part of the run)."""
    previous = previous_artifacts(out, renderers)
    if previous and not force:
        names = ", ".join(p.name for p in previous)
        raise InputError(
            f"--out {out}: holds an earlier run's artifacts ({names}); choose an empty or new "
            "folder, or pass --force to remove them and write this run there"
        )
    names = _artifact_names(renderers)
    return [p.name for p in _entries(out) if p.name not in names]


def _write(path: Path, text: str) -> None:
    """Write through a temporary file so a failed run never leaves half a report."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_outputs(
    record: Mapping[str, Any],
    chosen: list[str],
    renderers: Mapping[str, Any],
    out: Path,
    force: bool = False,
) -> list[Path]:
    """Render every chosen format, then the manifest of SHA-256 digests over what was written.

    An earlier run's artifacts in `out` are refused, or with `force` all removed first: the
    folder then holds this run only, and its manifest lists every artifact in it.
    """
    from reports.manifest import write_manifest

    check_out(out, renderers, force)
    written = []
    try:
        for stale in previous_artifacts(out, renderers):
            stale.unlink()
        out.mkdir(parents=True, exist_ok=True)
        for name in chosen:
            renderer = renderers[name]
            path = out / renderer.filename
            if renderer.write is not None:
                renderer.write(record, path)
            else:
                _write(path, renderer.render(record))
            written.append(path)
        # Paths inside `out`, relative to it: the manifest must not depend on where we ran.
        written.append(write_manifest(out, [path.relative_to(out) for path in written]))
    except OSError as exc:
        raise InputError(f"{out}: cannot write the report: {exc.strerror or exc}") from None
    return written


def key_values(pairs: list[str], flag: str) -> dict[str, str]:
    """`KEY=VALUE` arguments as a mapping."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"{flag} {pair!r}: expected KEY=VALUE")
        values[key] = value
    return values
