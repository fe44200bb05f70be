"""`safeguard history`, and the run history's part in `scan`, `audit` and `report`: where the
database is (`--history`, then SAFEGUARD_HISTORY, then .safeguard/history.sqlite here), recording
a run once its artifacts are written, `--previous last`, and a run id given to `report`."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from checks.errors import InputError
from scripts.output import say

HISTORY_ENV = "SAFEGUARD_HISTORY"
DEFAULT_HISTORY = Path(".safeguard") / "history.sqlite"
LAST = "last"  # `--previous last`
HISTORY_HELP = (
    f"the run history database (default: ${HISTORY_ENV} if set, else {DEFAULT_HISTORY} in the "
    "working folder)"
)
COLUMNS = ("RUN ID", "WHEN", "SCOPE", "COMMAND", "EXIT", "FAIL", "NOT_EVALUATED")


def add_history_options(parser: argparse.ArgumentParser) -> None:
    """`--history` and `--no-history`, for the commands that record a run."""
    parser.add_argument("--history", metavar="PATH", help=HISTORY_HELP)
    parser.add_argument(
        "--no-history", action="store_true", help="do not record this run in the run history"
    )


def history_path(args: argparse.Namespace) -> Path | None:
    """Where the history is; None when `--no-history` says to leave it alone."""
    if getattr(args, "no_history", False):
        return None
    chosen = getattr(args, "history", None) or os.environ.get(HISTORY_ENV) or DEFAULT_HISTORY
    return Path(chosen)


def check_history(args: argparse.Namespace) -> None:
    """Before a long collection: a history that cannot be used is one line at once, and
    `--previous last` without a history is refused."""
    from policies.history import HistoryStore

    path = history_path(args)
    if getattr(args, "previous", None) == LAST:
        if path is None:
            raise InputError("--previous last reads the run history: drop --no-history")
        if not path.is_file():
            raise InputError(f"--previous last: no run history at {path}, so no earlier run")
    if path is not None and path.exists() and (not path.is_file() or path.stat().st_size):
        HistoryStore.open(path, create=False).close()  # an empty file becomes one on record


def previous_from_history(args: argparse.Namespace, source: Mapping[str, Any]):
    """`--previous last`: the last recorded run of this run's scope, as a `PreviousRun`."""
    from policies.history import HistoryStore
    from policies.history_run import scope_of

    path = history_path(args)
    scope = scope_of(source)
    if path is None or not path.is_file():
        raise InputError(f"--previous last: no run history at {path}, so no earlier run of {scope}")
    with HistoryStore.open(path, create=False) as store:
        found = store.last_run(scope)
        if found is None:
            raise InputError(f"--previous last: {path} holds no earlier run of {scope}")
        return found.as_previous()


def last_recorded_run(args: argparse.Namespace, source: Mapping[str, Any]):
    """The last recorded run of this run's scope, as a `PreviousRun`; None when the history
    holds none yet (the nightly's first night), where `--previous last` would refuse."""
    from policies.history import HistoryStore
    from policies.history_run import scope_of

    path = history_path(args)
    if path is None or not path.is_file():
        return None
    with HistoryStore.open(path, create=False) as store:
        found = store.last_run(scope_of(source))
        return None if found is None else found.as_previous()


def record_assessed_run(
    args: argparse.Namespace,
    record: Mapping[str, Any],
    json_renderer: Callable[[Mapping[str, Any]], str],
    out: Path,
    progress: Callable[[str], None],
    exit_code: int | None = None,
) -> None:
    """Store a written run: the exact text of its safeguard-scan.json (rendered now when the
    run did not write one), its findings, every artifact with its digest, and the exit code
    the run ends with (by default its record's gate)."""
    from policies.history import HistoryStore
    from policies.run_identity import RECORD_FILE
    from reports.manifest import MANIFEST_NAME, SIGNATURE_NAME, sha256_file

    path = history_path(args)
    if path is None:
        return
    written = out / RECORD_FILE
    # The written file is copied in as it is (never read whole); without one, rendered now.
    text = written if written.is_file() else json_renderer(record)
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    artifacts = list(manifest["files"])
    for own in (MANIFEST_NAME, SIGNATURE_NAME):
        if (out / own).is_file():
            artifacts.append(
                {"path": own, "sha256": sha256_file(out / own), "size": (out / own).stat().st_size}
            )
    # The demo runs `audit` through a parser of its own, with no command name in `args`.
    kind = (record.get("source") or {}).get("kind")
    command = getattr(args, "command", None) or ("audit" if kind == "aws" else "scan")
    with HistoryStore.open(path) as store:
        summary = store.record_run(
            text, command=command, artifacts=artifacts, exit_code=exit_code, document=record
        )
    progress(f"run {summary.run_id} recorded in {path}")


def looks_like_run_id(text: str) -> bool:
    return 0 < len(text) <= 64 and all(c in "0123456789abcdefABCDEF" for c in text)


def stored_document(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """`safeguard report RUN_ID`: the run's label (database#id) and its stored document."""
    from policies.history import HistoryStore

    path = history_path(args) or DEFAULT_HISTORY
    if not path.is_file():
        raise InputError(f"{args.run}: no such file, and no run history at {path} to look it up")
    with HistoryStore.open(path, create=False) as store:
        try:
            found = store.load_run(args.run)
        except InputError as exc:
            raise InputError(f"{args.run}: no such file; {exc}") from None
    return Path(found.where), found.document()


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    history = sub.add_parser("history", help="list the recorded runs, newest first")
    history.add_argument("--history", metavar="PATH", help=HISTORY_HELP)
    history.add_argument(
        "--scope",
        help="only runs of this scope: KIND:PROJECT/STACK (program:billing/dev), or "
        "KIND:PROJECT for every stack of a project",
    )
    history.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    history.add_argument("--format", choices=("table", "json"), default="table")
    history.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from policies.exit_codes import ExitCode
    from policies.history import HistoryStore

    if args.limit < 1:
        raise InputError(f"--limit {args.limit}: give a number of runs, 1 or more")
    path = history_path(args) or DEFAULT_HISTORY
    runs = []
    if path.is_file():
        with HistoryStore.open(path, create=False) as store:
            runs = store.list_runs(args.scope, args.limit)
    if args.format == "json":
        print(json.dumps([r.as_record() for r in runs], indent=2, sort_keys=True))
        return ExitCode.OK
    if not runs:
        say(f"no runs recorded in {path}" + (f" of scope {args.scope}" if args.scope else ""))
        return ExitCode.OK
    rows = [COLUMNS] + [
        (
            r.run_id,
            r.generated_at,
            r.scope,
            r.command,
            str(r.exit_code),
            str(r.counts.get("FAIL", 0)),
            str(r.counts.get("NOT_EVALUATED", 0)),
        )
        for r in runs
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return ExitCode.OK
