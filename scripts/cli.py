"""The `safeguard` command: the one place that wires sources, checks and renderers together."""

from __future__ import annotations

import argparse
import dataclasses
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


def _load_policy_inputs(args: argparse.Namespace, registry, program_dir: Path, stack: str):
    """The profile, framework, waivers and attestations a run is judged by."""
    from checks.registry import Severity
    from policies.attestations import Attestations, load_attestations
    from policies.framework import load_framework
    from policies.profiles import load_profile
    from policies.waivers import load_waivers

    profile = load_profile(args.profile)
    if args.fail_on:
        try:
            profile = dataclasses.replace(profile, fail_on=Severity.parse(args.fail_on))
        except ValueError as exc:
            raise InputError(f"--fail-on: {exc}") from None
    framework = load_framework()
    waivers_file = (
        Path(args.waivers)
        if args.waivers
        else program_dir / "policies" / "waivers" / f"{stack}.yaml"
    )
    waivers = []
    if args.waivers or waivers_file.is_file():
        waivers = load_waivers(waivers_file, {c.id for c in registry})
    attestations = Attestations()
    if args.attestations:
        attestations = load_attestations(
            Path(args.attestations), framework.citations, framework.addressable
        )
    return profile, framework, tuple(waivers), (waivers_file if waivers else None), attestations


def _collect_program(args: argparse.Namespace, progress: Progress):
    """Run the program under mocks: (resources, source record, graph counts, folder, stack)."""
    from checks.sources.program import (
        MOCK_ACCOUNT,
        default_stack,
        load_project,
        program_commit,
        scan_program,
    )

    program_dir = Path(args.program_dir) if args.program_dir else _default_program_dir()
    stack = args.stack or default_stack(load_project(program_dir))
    overrides = _key_values(args.config, "--config")
    secrets = _key_values(args.secret, "--secret")
    progress(f"running the Pulumi program in {program_dir} under mocks (no cloud, no CLI)…")
    scan = scan_program(program_dir, stack, overrides, secrets)
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
        "commit": program_commit(program_dir),
    }
    graph = {
        "components": len(scan.components),
        "providers": len(scan.providers),
        "read_not_managed": len(scan.reads),
    }
    return scan.resources, source, graph, program_dir, scan.stack


def _collect_file(args: argparse.Namespace, progress: Progress):
    """Read a file the Pulumi CLI wrote: `pulumi preview --json` or `pulumi stack export`."""
    from checks.sources.preview import load_preview
    from checks.sources.state import load_state

    kind, path = ("preview", Path(args.preview)) if args.preview else ("state", Path(args.state))
    if args.program_dir or args.config or args.secret:
        raise InputError(f"--{kind} reads a file: PROGRAM_DIR, --config and --secret do not apply")
    progress(f"reading the {kind} file {path}…")
    collected = (load_preview if kind == "preview" else load_state)(path)
    source = {
        "kind": kind,
        "file": str(path),
        "project": collected.project,
        "stack": args.stack or collected.stack,
        "excluded": [
            {"urn": e.urn, "type": e.type, "reason": e.reason} for e in collected.excluded
        ],
        "notes": list(collected.notes),
    }
    graph = {"components": len(collected.components), "providers": len(collected.providers)}
    return collected.resources, source, graph, Path.cwd(), source["stack"] or "dev"


def cmd_scan(args: argparse.Namespace) -> int:
    from checks.evaluate import evaluate
    from checks.model import Inventory
    from checks.registry import build_registry
    from policies.assessment import assess
    from reports.document import build_document
    from reports.renderers import build_renderers

    renderers = build_renderers(args.paper)
    formats = _formats(args.format, renderers)
    if args.preview and args.state:
        raise InputError("--preview and --state: give one source at a time")
    registry = build_registry()
    progress = Progress(args.quiet)
    generated_at = _generated_at()
    day = dt.date.fromisoformat(generated_at[:10])

    collect = _collect_file if (args.preview or args.state) else _collect_program
    resources, source, graph, base_dir, stack = collect(args, progress)
    profile, framework, waivers, waivers_file, attestations = _load_policy_inputs(
        args, registry, base_dir, stack
    )
    source["waivers_file"] = str(waivers_file) if waivers_file else None
    progress(f"{len(resources)} resources; evaluating {len(registry)} checks…")
    evaluation = evaluate(Inventory(resources), registry)
    assessment = assess(
        evaluation,
        profile=profile,
        framework=framework,
        day=day,
        waivers=waivers,
        attestations=attestations,
    )
    document = build_document(assessment, source=source, generated_at=generated_at, graph=graph)
    _add_risks_and_trend(document, args)
    written = _write_outputs(document, formats, renderers, Path(args.out))
    counts = document["summary"]["findings"]
    gate = document["gate"]
    progress(
        f"{counts['FAIL']} failed ({gate['blocking_failures']} blocking under profile "
        f"{gate['profile']}, fail-on {gate['fail_on']}), {counts['PASS']} passed, "
        f"{counts['WAIVED']} waived, {counts['NOT_EVALUATED']} not evaluated, "
        f"{counts['NOT_APPLICABLE']} not applicable"
    )
    for path in written:
        print(f"Report written: {path}")
    return int(gate["exit_code"])


def _read_document(path: Path) -> dict:
    import json

    from reports.document import SCHEMA_VERSION

    if path.is_dir():
        path = path / "safeguard-scan.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such run document") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: line {exc.lineno}: {exc.msg}") from None
    if not isinstance(document, dict) or "schema_version" not in document:
        raise InputError(f"{path}: not a safeguard run document (no schema_version)")
    if str(document["schema_version"]).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise InputError(
            f"{path}: schema_version {document['schema_version']} is not supported "
            f"(this version reads {SCHEMA_VERSION.split('.')[0]}.x)"
        )
    return document


def _add_risks_and_trend(document: dict, args: argparse.Namespace) -> None:
    """The risk register (NIST SP 800-30) and, with --previous, the trend: part of the record,
    so every format, and the JSON's hash printed in the HTML, agree."""
    from reports.risk import load_overrides, risk_register
    from reports.trend import trend

    overrides = None
    if args.risk_overrides:
        try:
            overrides = load_overrides(Path(args.risk_overrides))
        except OSError as exc:
            raise InputError(f"{args.risk_overrides}: cannot be read: {exc.strerror}") from None
        except ValueError as exc:
            raise InputError(str(exc)) from None
    sla = None
    if args.sla:
        from policies import yamlfile

        sla = yamlfile.load(Path(args.sla))
        if not isinstance(sla, dict):
            raise InputError(f"{args.sla}: expected a mapping of risk level to days, e.g. high: 30")
    try:
        document["risks"] = risk_register(document, overrides=overrides, sla=sla)
    except ValueError as exc:
        raise InputError(f"{args.sla or args.risk_overrides}: {exc}") from None
    if args.previous:
        previous = _read_document(Path(args.previous))
        try:
            document["trend"] = trend(document, previous)
        except ValueError as exc:
            raise InputError(f"{args.previous}: {exc}") from None


def _formats(spec: str, renderers: dict) -> list[str]:
    formats = [f.strip() for f in spec.split(",") if f.strip()]
    if formats == ["all"]:
        return list(renderers)
    unknown = [f for f in formats if f not in renderers]
    if unknown or not formats:
        raise InputError(
            f"--format {spec!r}: unknown format(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(renderers)} or all"
        )
    return formats


def _write_outputs(document: dict, formats: list[str], renderers: dict, out: Path) -> list[Path]:
    """Render every format, then the manifest of SHA-256 digests over what was written."""
    from reports.manifest import write_manifest

    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in formats:
            renderer = renderers[name]
            path = out / renderer.filename
            if renderer.write is not None:
                renderer.write(document, path)
            else:
                _write(path, renderer.render(document))
            written.append(path)
        # Paths inside `out`, relative to it: the manifest must not depend on where we ran.
        written.append(write_manifest(out, [path.relative_to(out) for path in written]))
    except OSError as exc:
        raise InputError(f"{out}: cannot write the report: {exc.strerror or exc}") from None
    return written


def cmd_report(args: argparse.Namespace) -> int:
    """Re-render a stored run document in other formats, without re-auditing."""
    from reports.renderers import build_renderers

    renderers = build_renderers(args.paper)
    formats = _formats(args.format, renderers)
    source = Path(args.run)
    if source.is_dir():
        source = source / "safeguard-scan.json"
    document = _read_document(source)
    out = Path(args.out)
    if out.resolve() == source.parent.resolve():
        raise InputError(
            f"--out {out}: choose another folder than the run's own (never rewrite a record)"
        )
    for path in _write_outputs(document, formats, renderers, out):
        print(f"Report written: {path}")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
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
        return EXIT_FAILED
    print(f"{directory}: every artifact matches its SHA-256 in manifest.json")
    return EXIT_OK


def cmd_checks(args: argparse.Namespace) -> int:
    from checks.registry import build_registry

    rows = [
        (c.id, c.severity.label, c.control, c.scope, c.config_rule or "-", ", ".join(c.citations))
        for c in build_registry()
    ]
    _print_table(
        ("CHECK", "SEVERITY", "CONTROL", "SCOPE", "AWS CONFIG RULE", "HIPAA (45 CFR)"), rows
    )
    print(f"\n{len(rows)} checks")
    return EXIT_OK


def cmd_framework(args: argparse.Namespace) -> int:
    from checks.registry import build_registry
    from policies.framework import checks_by_citation, load_framework

    framework = load_framework()
    mapping = checks_by_citation(framework, build_registry())
    rows = []
    for spec in framework.specifications:
        checks = mapping[spec.citation]
        sources = []
        if "automated" in spec.evidence:
            sources.append(f"{len(checks)} check(s)" if checks else "automated (no check yet)")
        sources += [e for e in spec.evidence if e != "automated"]
        rows.append(
            (spec.citation, spec.requirement[0].upper(), spec.title[:44], " + ".join(sources))
        )
    _print_table(("CITATION", "R/A", "SPECIFICATION", "EVIDENCE"), rows)
    automated = sum(1 for s in framework.specifications if mapping[s.citation])
    attest_only = sum(1 for s in framework.specifications if not mapping[s.citation])
    print(
        f"\n{len(rows)} standards and implementation specifications of 45 CFR 164.308-316: "
        f"{automated} evidenced by automated checks (most also need an attestation), "
        f"{attest_only} by attestation or AWS inheritance only. Nothing here is a claim of "
        "compliance."
    )
    return EXIT_OK


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


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
        "--preview",
        metavar="FILE",
        help="scan a `pulumi preview --json` output instead of running a program",
    )
    scan.add_argument(
        "--state", metavar="FILE", help="scan a `pulumi stack export` file (version 3 or 4)"
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
    format_help = "comma-separated formats: json, md, html, pdf, sarif, junit, ocsf, csv, or all"
    scan.add_argument("--format", default="json,md", help=format_help + " (default: json,md)")
    scan.add_argument(
        "--out", default="safeguard-report", help="output folder (default: ./safeguard-report)"
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
    scan.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    scan.set_defaults(handler=cmd_scan)
    sub.add_parser(
        "checks", help="list the checks: id, severity, control, AWS Config rule, citations"
    ).set_defaults(handler=cmd_checks)
    report = sub.add_parser(
        "report", help="re-render a stored run (its JSON document) in other formats"
    )
    report.add_argument(
        "run", metavar="RUN", help="a run's safeguard-scan.json, or the folder holding it"
    )
    report.add_argument("--format", default="all", help=format_help + " (default: all)")
    report.add_argument("--out", required=True, help="output folder")
    report.add_argument("--paper", choices=("A4", "Letter"), default="A4", help="PDF paper size")
    report.set_defaults(handler=cmd_report)
    verify = sub.add_parser(
        "verify", help="check a run folder's artifacts against its manifest (SHA-256)"
    )
    verify.add_argument("directory", metavar="DIR")
    verify.set_defaults(handler=cmd_verify)
    sub.add_parser(
        "framework",
        help="show how each Security Rule specification is evidenced (checks, attestation, AWS)",
    ).set_defaults(handler=cmd_framework)
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
