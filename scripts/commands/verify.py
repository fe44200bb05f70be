"""`safeguard verify`: check a run folder's artifacts against its manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checks.errors import InputError


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    verify = sub.add_parser(
        "verify", help="check a run folder's artifacts against its manifest (SHA-256)"
    )
    verify.add_argument("directory", metavar="DIR")
    verify.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from policies.exit_codes import ExitCode
    from reports.manifest import ManifestMissing, verify

    directory = Path(args.directory)
    try:
        problems = verify(directory)
    except ManifestMissing:
        raise InputError(
            f"{directory}: no manifest.json here (not a safeguard run folder)"
        ) from None
    for problem in problems:
        print(f"safeguard: {problem}", file=sys.stderr)
    if problems:
        print(f"{directory}: {len(problems)} problem(s): the run's artifacts are not as written")
        return ExitCode.FAILED
    print(f"{directory}: every artifact matches its SHA-256 in manifest.json")
    return ExitCode.OK
