"""`safeguard scan`: collect from one source, evaluate every check, assess, write the run."""

from __future__ import annotations

import argparse
from pathlib import Path

from checks.errors import InputError
from checks.sources.catalog import build_sources
from checks.sources.program import DEFAULT_TIMEOUT
from checks.sources.registry import SourceRegistry, SourceRequest
from scripts.output import (
    FORCE_HELP,
    FORMAT_HELP,
    Progress,
    check_out,
    formats,
    generated_at,
    key_values,
    say,
    write_outputs,
)


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
    scan.add_argument("--format", default="json,md", help=FORMAT_HELP + " (default: json,md)")
    scan.add_argument(
        "--out",
        default="safeguard-report",
        help="output folder (default: ./safeguard-report); one holding an earlier run's "
        "artifacts is refused without --force",
    )
    scan.add_argument("--force", action="store_true", help=FORCE_HELP)
    scan.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="stop a program that runs longer than this, and everything it started "
        f"(default: {DEFAULT_TIMEOUT:.0f}; exit 2)",
    )
    scan.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        help="lowest severity whose failures fail the run: critical, high, medium, low, info "
        "(default: the profile's, low for the default profile)",
    )
    scan.add_argument(
        "--profile",
        default="default",
        help="gate profile: default, strict, advisory, or a YAML file (see policies/profiles/)",
    )
    scan.add_argument(
        "--waivers",
        metavar="FILE",
        help="waivers YAML (default: policies/waivers/<stack>.yaml in the program folder, if any)",
    )
    scan.add_argument(
        "--attestations",
        metavar="FILE",
        help="attestations and addressable decisions YAML, for the safeguard status",
    )
    scan.add_argument(
        "--previous",
        metavar="FILE",
        help="an earlier run's safeguard-scan.json of the same scope: adds the trend section",
    )
    scan.add_argument(
        "--risk-overrides",
        metavar="FILE",
        help="YAML of likelihood/impact overrides, each by a named person with a reason",
    )
    scan.add_argument(
        "--paper", choices=("A4", "Letter"), default="A4", help="PDF/print paper size"
    )
    scan.add_argument(
        "--sla",
        metavar="FILE",
        help="YAML of remediation days per risk level (default: very high 7, high 30, "
        "moderate 90, low 180, very low 365)",
    )
    scan.add_argument(
        "--sign-key",
        metavar="PRIVATE.pem",
        help="Ed25519 private key (safeguard keygen): sign the run's manifest (manifest.sig)",
    )
    scan.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
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
    from checks.evaluate import evaluate
    from checks.library import build_registry
    from checks.model import Inventory
    from policies.assess import assess
    from policies.inputs import load_policy_inputs
    from policies.record import build_record
    from reports.renderers import build_renderers
    from reports.signing import load_private_key, sign_run

    renderers = build_renderers(args.paper)
    chosen = formats(args.format, renderers)
    sign_key = load_private_key(Path(args.sign_key)) if args.sign_key else None
    progress = Progress(args.quiet)
    out = Path(args.out)
    others = check_out(out, renderers, args.force)  # before the run, not after minutes of it
    if others:
        named = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        progress(
            f"--out {out} also holds {named}: left alone (safeguard verify lists them as not "
            "part of the run)"
        )
    source, request = _request(args, build_sources(), progress)
    registry = build_registry()
    timestamp = generated_at()

    collected = source.collect(request)
    inputs = load_policy_inputs(
        known_checks={c.id for c in registry},
        home=collected.home or Path.cwd(),
        stack=collected.stack_or_default,
        profile=args.profile,
        fail_on=args.fail_on,
        waivers=_path(args.waivers),
        attestations=_path(args.attestations),
        risk_overrides=_path(args.risk_overrides),
        sla=_path(args.sla),
        previous=_path(args.previous),
    )
    progress(f"{len(collected.resources)} resources; evaluating {len(registry)} checks…")
    evaluation = evaluate(Inventory(collected.resources), registry)
    assessment = assess(
        evaluation,
        inputs,
        source=collected.provenance,
        generated_at=timestamp,
        graph=collected.graph,
        secrets=collected.secrets,
    )
    written = write_outputs(build_record(assessment), chosen, renderers, out, args.force)
    written += sign_run(out, sign_key)
    counts, gate = assessment.status_counts, assessment.gate
    progress(
        f"{counts['FAIL']} failed ({len(gate.blocking_failures)} blocking under profile "
        f"{gate.profile.name}, fail-on {gate.profile.fail_on.label}), {counts['PASS']} passed, "
        f"{counts['WAIVED']} waived, {counts['NOT_EVALUATED']} not evaluated, "
        f"{counts['NOT_APPLICABLE']} not applicable"
    )
    for path in written:
        say(f"Report written: {path}")
    return int(gate.exit_code)
