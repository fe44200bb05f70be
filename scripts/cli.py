"""The `safeguard` command: the one place that wires sources, checks and renderers together."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from checks.errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_NOT_EVALUATED = 0, 1, 2, 3
REPO_ROOT = Path(__file__).resolve().parents[1]

EXIT_CODES_HELP = """\
exit codes:
  0  no check failed at or above --fail-on, and every check could be evaluated
  1  at least one check failed at or above --fail-on
  2  usage or input error (one line on stderr names the file and the problem)
  3  no blocking failure, but some checks could not be evaluated (NOT_EVALUATED)
"""


def _default_program_dir() -> Path:
    return REPO_ROOT if (REPO_ROOT / "Pulumi.yaml").is_file() else Path.cwd()


def _key_values(pairs: Sequence[str], flag: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"{flag} {pair!r}: expected KEY=VALUE")
        values[key] = value
    return values


def _generated_at() -> str:
    # SOURCE_DATE_EPOCH pins the one timestamp, for byte-for-byte reproducible reports.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Progress:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"safeguard: {message}", file=sys.stderr, flush=True)


def _write(path: Path, text: str) -> None:
    """Write through a temporary file so a failed run never leaves half a report."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def cmd_scan(args: argparse.Namespace) -> int:
    from checks.evaluate import evaluate
    from checks.model import Inventory
    from checks.registry import Severity, build_registry
    from checks.sources.program import MOCK_ACCOUNT, scan_program
    from reports.document import build_document
    from reports.renderers import build_renderers

    renderers = build_renderers()
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in renderers]
    if unknown or not formats:
        raise InputError(
            f"--format {args.format!r}: unknown format(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(renderers)}"
        )
    try:
        threshold = Severity.parse(args.fail_on)
    except ValueError as exc:
        raise InputError(f"--fail-on: {exc}") from None
    overrides = _key_values(args.config, "--config")
    secrets = _key_values(args.secret, "--secret")
    registry = build_registry()
    progress = Progress(args.quiet)

    program_dir = Path(args.program_dir) if args.program_dir else _default_program_dir()
    progress(f"running the Pulumi program in {program_dir} under mocks (no cloud, no CLI)…")
    scan = scan_program(program_dir, args.stack, overrides, secrets)
    progress(
        f"{len(scan.resources)} resources registered by {scan.project.name} (stack {scan.stack}); "
        f"evaluating {len(registry)} checks…"
    )
    evaluation = evaluate(Inventory(scan.resources), registry)
    source = {
        "kind": "program",
        "program_dir": str(program_dir),
        "project": scan.project.name,
        "stack": scan.stack,
        "stack_file": scan.config.file.name if scan.config.file else None,
        "region": scan.region,
        "account": f"{MOCK_ACCOUNT} (mocks)",
        "config_keys": sorted(scan.config.values),
        "secret_config_keys": sorted(scan.config.secret_keys),
    }
    graph = {
        "components": len(scan.components),
        "providers": len(scan.providers),
        "read_not_managed": len(scan.reads),
    }
    document = build_document(
        evaluation,
        source=source,
        threshold=threshold,
        generated_at=_generated_at(),
        graph=graph,
    )
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in formats:
            renderer = renderers[name]
            path = out / renderer.filename
            _write(path, renderer.render(document))
            written.append(path)
    except OSError as exc:
        raise InputError(f"{out}: cannot write the report: {exc.strerror}") from None

    counts = document["summary"]["findings"]
    progress(
        f"{counts['FAIL']} failed ({document['gate']['blocking_failures']} at or above "
        f"{threshold.label}), {counts['PASS']} passed, {counts['NOT_EVALUATED']} not evaluated, "
        f"{counts['NOT_APPLICABLE']} not applicable"
    )
    for path in written:
        print(f"Report written: {path}")
    return int(document["gate"]["exit_code"])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safeguard",
        description="HIPAA safeguards for Pulumi programs and AWS accounts: evidence, not a "
        "compliance claim.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_CODES_HELP,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser(
        "scan",
        help="run a Pulumi Python program under mocks and check what it would deploy",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_CODES_HELP,
    )
    scan.add_argument(
        "program_dir",
        nargs="?",
        metavar="PROGRAM_DIR",
        help="folder holding Pulumi.yaml (default: this repository's billing-system program)",
    )
    scan.add_argument(
        "--stack", help="stack whose Pulumi.<stack>.yaml config to use (default: dev)"
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
        "--format",
        default="json,md",
        help="comma-separated output formats: json, md (default: both)",
    )
    scan.add_argument(
        "--out", default="safeguard-report", help="output folder (default: ./safeguard-report)"
    )
    scan.add_argument(
        "--fail-on",
        default="low",
        metavar="SEVERITY",
        help="lowest severity whose failures fail the run: critical, high, medium, low, info "
        "(default: low)",
    )
    scan.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    scan.set_defaults(handler=cmd_scan)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except InputError as exc:
        print(f"safeguard: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("safeguard: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
