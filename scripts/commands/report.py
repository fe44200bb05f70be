"""`safeguard report`: re-render a stored run record in other formats, without re-auditing."""

from __future__ import annotations

import argparse
from pathlib import Path

from checks.errors import InputError
from scripts.commands.history import HISTORY_HELP, looks_like_run_id, stored_document
from scripts.output import FORCE_HELP, FORMAT_HELP, formats, write_outputs


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    report = sub.add_parser(
        "report", help="re-render a stored run (its JSON document) in other formats"
    )
    report.add_argument(
        "run",
        metavar="RUN",
        help="a run's safeguard-scan.json, the folder holding it, or the id (or a unique "
        "beginning of it) of a run in the run history (safeguard history lists them)",
    )
    report.add_argument("--format", default="all", help=FORMAT_HELP + " (default: all)")
    report.add_argument(
        "--out",
        required=True,
        help="output folder; one holding an earlier run's artifacts is refused without --force",
    )
    report.add_argument("--force", action="store_true", help=FORCE_HELP)
    report.add_argument("--paper", choices=("A4", "Letter"), default="A4", help="PDF paper size")
    report.add_argument(
        "--pdf-scope",
        choices=("failing", "full"),
        default="failing",
        help="what the PDF prints: failing (default) leaves the passing results and the full "
        "inventory out, as the HTML report's collapsed appendices; full prints them too",
    )
    report.add_argument(
        "--sign-key",
        metavar="PRIVATE.pem",
        help="Ed25519 private key (safeguard keygen): sign the new folder's manifest",
    )
    report.add_argument("--history", metavar="PATH", help=HISTORY_HELP + ", for a RUN_ID")
    report.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from jinja2.exceptions import UndefinedError

    from policies.exit_codes import ExitCode
    from policies.run_identity import RECORD_FILE, load_run_document
    from reports.renderers import build_renderers
    from reports.signing import load_private_key, sign_run

    renderers = build_renderers(args.paper, args.pdf_scope)
    chosen = formats(args.format, renderers)
    sign_key = load_private_key(Path(args.sign_key)) if args.sign_key else None
    source = Path(args.run)
    if not source.exists() and looks_like_run_id(args.run):  # a run id: from the history
        source, record = stored_document(args)
    else:
        source = source / RECORD_FILE if source.is_dir() else source
        record = load_run_document(source)
    _check_gate(source, record)
    out = Path(args.out)
    if out.resolve() == source.parent.resolve():
        raise InputError(
            f"--out {out}: choose another folder than the run's own (never rewrite a record)"
        )
    try:
        written = write_outputs(record, chosen, renderers, out, args.force)
    except (UndefinedError, KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        # The record passed the shape check, yet lacks (or mistypes) a part a report reads: a
        # document edited by hand or written by another version. Refuse it, naming the file.
        raise InputError(
            f"{source}: the run document lacks or mistypes a part the reports read ({exc}): "
            "re-render only a record this version wrote"
        ) from None
    for path in written + sign_run(out, sign_key):
        print(f"Report written: {path}")
    return ExitCode.OK


def _check_gate(source: Path, record: dict) -> None:
    """Refuse a record whose stored verdict its own findings contradict: every format would
    render the stored one (an edited `exit_code: 0` over failures reads "nothing blocks")."""
    from policies.gate import record_gate_problems

    try:
        problems = record_gate_problems(record)
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(
            f"{source}: the gate cannot be recomputed from its findings: {exc}"
        ) from None
    if problems:
        raise InputError(
            f"{source}: the stored gate disagrees with its own findings ({'; '.join(problems)}): "
            "the record was edited; re-render only an unaltered run"
        )
