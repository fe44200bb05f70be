"""`safeguard merge`: per-account run documents combined into one organisation-level run and
rendered in every format (policies/merge.py says how they are combined and what is refused)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from checks.errors import InputError
from scripts.commands.history import HISTORY_HELP, looks_like_run_id, stored_document
from scripts.output import FORCE_HELP, FORMAT_HELP, formats, generated_at, say, write_outputs


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    merge = sub.add_parser(
        "merge",
        help="combine per-account runs (audits of an organisation) into one assessment",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    merge.add_argument(
        "runs",
        nargs="+",
        metavar="RUN",
        help="a run's safeguard-scan.json, the folder holding it, or a run id of the run "
        "history; one per account (or group of accounts), no account twice",
    )
    merge.add_argument("--out", required=True, help="output folder for the merged run")
    merge.add_argument(
        "--format", default="json,md,html", help=FORMAT_HELP + " (default: json,md,html)"
    )
    merge.add_argument(
        "--force-profiles",
        action="store_true",
        help="merge runs judged under different profiles, frameworks or check libraries, "
        "under the strictest of their gates (refused otherwise)",
    )
    merge.add_argument("--force", action="store_true", help=FORCE_HELP)
    merge.add_argument("--paper", choices=("A4", "Letter"), default="A4", help="PDF paper size")
    merge.add_argument("--history", metavar="PATH", help=HISTORY_HELP + ", for a RUN id")
    merge.set_defaults(handler=run)


def _load(name: str, args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    from policies.run_identity import RECORD_FILE, load_run_document

    source = Path(name)
    if not source.exists() and looks_like_run_id(name):
        where, document = stored_document(argparse.Namespace(run=name, history=args.history))
        return str(where), document
    if not source.exists():
        raise InputError(f"{name}: no such file or folder")
    return str(source), load_run_document(source / RECORD_FILE if source.is_dir() else source)


def run(args: argparse.Namespace) -> int:
    from policies.exit_codes import ExitCode
    from policies.merge import RunInput, merge_runs
    from reports.renderers import build_renderers

    renderers = build_renderers(args.paper, "failing")
    chosen = formats(args.format, renderers)
    runs = [RunInput(*_load(name, args)) for name in args.runs]
    record = merge_runs(runs, generated_at(), force=args.force_profiles)
    out = Path(args.out)
    for path in write_outputs(record, chosen, renderers, out, args.force):
        say(f"Report written: {path}")
    gate = record["gate"]
    say(
        f"{len(record['source']['accounts'])} accounts merged from {len(runs)} runs: "
        f"{gate['blocking_failures']} blocking failure(s), "
        f"{gate['blocking_not_evaluated']} blocking unknown(s)"
    )
    return ExitCode(gate["exit_code"])
