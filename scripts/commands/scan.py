"""`safeguard scan`: collect from one source, evaluate every check, assess, write the run."""

from __future__ import annotations

import argparse
from pathlib import Path

from checks.errors import InputError
from checks.sources.base import DEFAULT_TIMEOUT
from checks.sources.catalog import build_sources
from checks.sources.registry import SourceRegistry, SourceRequest
from scripts.commands.pipeline import add_gate_and_output_options, assess_and_write, prepare
from scripts.output import Progress, key_values


def _seconds(value: str) -> float:
    """A positive, finite number of seconds."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r}: give a positive number of seconds")
    return seconds


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    sources = build_sources()
    scan = sub.add_parser(
        "scan",
        help="run a Pulumi Python program under mocks and check what it would deploy",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    scan.add_argument("program_dir", nargs="?", metavar="PROGRAM_DIR", help=sources.default.help)
    for source in sources.file_sources:
        scan.add_argument(source.option, dest=source.kind, metavar="FILE", help=source.help)
    scan.add_argument(
        "--stack",
        help="stack whose Pulumi.<stack>.yaml config to use (default: dev, or the only stack "
        "file there is); a stack with no file, while others have one, is an error",
    )
    scan.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a config value (repeatable; KEY without a namespace means the project's)",
    )
    scan.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a secret config value; it never appears in any output (repeatable)",
    )
    scan.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="stop a program that runs longer than this, and everything it started "
        f"(default: {DEFAULT_TIMEOUT:.0f}; exit 2)",
    )
    scan.add_argument(
        "--scope",
        choices=("auto", "program", "account"),
        default=None,
        help="judge the account baseline (trail, GuardDuty, Security Hub, Config, password "
        "policy, root, break-glass role): account always, program never, auto (default) when "
        "the program declares any of it; the stack setting safeguard:scope does the same",
    )
    add_gate_and_output_options(scan, "json,md")
    scan.set_defaults(handler=run)


def _request(args: argparse.Namespace, sources: SourceRegistry, progress: Progress):
    """The source the options select, and what to ask it."""
    given = [s for s in sources.file_sources if getattr(args, s.kind)]
    if len(given) > 1:
        raise InputError(f"{' and '.join(s.option for s in given)}: give one source at a time")
    source = given[0] if given else sources.default
    request = SourceRequest(
        location=Path(getattr(args, source.kind)) if given else None,
        program_dir=Path(args.program_dir) if args.program_dir else None,
        stack=args.stack,
        config=key_values(args.config, "--config"),
        secrets=key_values(args.secret, "--secret"),
        progress=progress,
        timeout=args.timeout,
    )
    return source, request


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def run(args: argparse.Namespace) -> int:
    sources = build_sources()
    if any(getattr(args, s.kind) for s in sources.file_sources):
        return _run(args, sources)
    from checks.sources.program import prestart
    from checks.sources.program_process import stop_unused

    # The program's worker imports Pulumi while the run gets ready.
    prestart(Path(args.program_dir) if args.program_dir else None)
    try:
        return _run(args, sources)
    finally:
        stop_unused()  # a run that ended before its program (a wrong option) leaves no worker


def _run(args: argparse.Namespace, sources: SourceRegistry) -> int:
    prepared = prepare(args)
    source, request = _request(args, sources, prepared[0])
    return assess_and_write(args, source, request, prepared)
