"""`safeguard report`: re-render a stored run record in other formats, without re-auditing."""

from __future__ import annotations

import argparse
from pathlib import Path

from checks.errors import InputError
from scripts.output import FORMAT_HELP, formats, write_outputs


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    report = sub.add_parser(
        "report", help="re-render a stored run (its JSON document) in other formats"
    )
    report.add_argument(
        "run", metavar="RUN", help="a run's safeguard-scan.json, or the folder holding it"
    )
    report.add_argument("--format", default="all", help=FORMAT_HELP + " (default: all)")
    report.add_argument("--out", required=True, help="output folder")
    report.add_argument("--paper", choices=("A4", "Letter"), default="A4", help="PDF paper size")
    report.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from policies.exit_codes import ExitCode
    from policies.run_identity import RECORD_FILE, load_run_document
    from reports.renderers import build_renderers

    renderers = build_renderers(args.paper)
    chosen = formats(args.format, renderers)
    source = Path(args.run)
    if source.is_dir():
        source = source / RECORD_FILE
    record = load_run_document(source)
    out = Path(args.out)
    if out.resolve() == source.parent.resolve():
        raise InputError(
            f"--out {out}: choose another folder than the run's own (never rewrite a record)"
        )
    for path in write_outputs(record, chosen, renderers, out):
        print(f"Report written: {path}")
    return ExitCode.OK
