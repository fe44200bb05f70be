"""What every command shares for its output: progress lines, the run's timestamp, formats, and
writing a run folder (every artifact, then the manifest over them)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.errors import InputError

FORMAT_HELP = "comma-separated formats: json, md, html, pdf, sarif, junit, ocsf, csv, or all"


class Progress:
    """Progress lines on stderr, unless quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"safeguard: {message}", file=sys.stderr, flush=True)


def generated_at() -> str:
    """Now, in UTC to the second. SOURCE_DATE_EPOCH pins it, for byte-for-byte reproducible
    reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def formats(spec: str, renderers: Mapping[str, Any]) -> list[str]:
    """The formats `--format` names, in order; `all` means every one."""
    chosen = [f.strip() for f in spec.split(",") if f.strip()]
    if chosen == ["all"]:
        return list(renderers)
    unknown = [f for f in chosen if f not in renderers]
    if unknown or not chosen:
        raise InputError(
            f"--format {spec!r}: unknown format(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(renderers)} or all"
        )
    return chosen


def _write(path: Path, text: str) -> None:
    """Write through a temporary file so a failed run never leaves half a report."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_outputs(
    record: Mapping[str, Any], chosen: list[str], renderers: Mapping[str, Any], out: Path
) -> list[Path]:
    """Render every chosen format, then the manifest of SHA-256 digests over what was written."""
    from reports.manifest import write_manifest

    written = []
    try:
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
