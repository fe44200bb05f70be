"""`safeguard keygen`: make the Ed25519 key pair that signs run manifests."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    keygen = sub.add_parser(
        "keygen",
        help="write an Ed25519 key pair to sign runs with (scan --sign-key, verify --public-key)",
    )
    keygen.add_argument(
        "--out",
        required=True,
        metavar="KEYDIR",
        help="folder for safeguard-signing.key (private, mode 0600) and safeguard-signing.pub",
    )
    keygen.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from policies.exit_codes import ExitCode
    from reports.signing import generate_keypair

    private, public, fingerprint = generate_keypair(Path(args.out))
    print(f"Private key written: {private} (keep it secret; it signs runs)")
    print(f"Public key written: {public} (give it to whoever verifies runs)")
    print(f"Fingerprint: {fingerprint}")
    return ExitCode.OK
