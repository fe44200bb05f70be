"""`safeguard verify`: show a run folder is as it was written, and, with the signer's public key,
who wrote it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checks.errors import InputError


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    verify = sub.add_parser(
        "verify",
        help="check a run folder against its manifest (SHA-256), the digest its reports print "
        "and, with --public-key, its signature",
        description="Exit 0: every check made passed (notes say what was not checked); "
        "1: an artifact changed, is missing or added, the manifest lists nothing, a report "
        "prints another digest than the record's, or the signature does not hold; "
        "2: no manifest, or an unreadable key.",
    )
    verify.add_argument("directory", metavar="DIR")
    verify.add_argument(
        "--public-key",
        metavar="PUBLIC.pem",
        help="the signer's Ed25519 public key (safeguard keygen): verify manifest.sig with it",
    )
    verify.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from policies.exit_codes import ExitCode
    from reports.integrity import verify_run
    from reports.manifest import ManifestMissing
    from reports.signing import load_public_key

    directory = Path(args.directory)
    key = load_public_key(Path(args.public_key)) if args.public_key else None
    if not directory.is_dir():
        raise InputError(
            f"{directory}: not a folder" if directory.exists() else f"{directory}: no such folder"
        )
    try:
        result = verify_run(directory, key)
    except ManifestMissing:
        raise InputError(
            f"{directory}: no manifest.json here (not a safeguard run folder)"
        ) from None
    for problem in result.problems:
        print(f"safeguard: {problem}", file=sys.stderr)
    for note in result.notes:
        print(f"safeguard: note: {note}", file=sys.stderr)
    if result.problems:
        print(
            f"{directory}: {len(result.problems)} problem(s): the run's artifacts are not as "
            "written"
        )
        return ExitCode.FAILED
    signed = " and manifest.sig holds for the key given" if key is not None else ""
    print(f"{directory}: every artifact matches its SHA-256 in manifest.json{signed}")
    return ExitCode.OK
