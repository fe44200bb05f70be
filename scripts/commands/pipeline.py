"""What `scan` and `audit` share once a source is chosen: the gate and output options, and the
run itself (collect, evaluate, assess, write the record and every format, sign)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.sources.registry import Source, SourceRequest
from policies.proposal import RULE_2013, RULES
from scripts.commands.history import (
    LAST,
    add_history_options,
    check_history,
    previous_from_history,
    record_assessed_run,
)
from scripts.output import (
    FORCE_HELP,
    FORMAT_HELP,
    Progress,
    check_out,
    formats,
    generated_at,
    say,
    write_outputs,
)


def add_gate_and_output_options(parser: argparse.ArgumentParser, default_formats: str) -> None:
    """`--format`, `--out`, `--force`, the gate (`--fail-on`, `--profile`), the policy inputs
    and `--quiet`: the same for every command that assesses a source."""
    parser.add_argument(
        "--format", default=default_formats, help=FORMAT_HELP + f" (default: {default_formats})"
    )
    parser.add_argument(
        "--out",
        default="safeguard-report",
        help="output folder (default: ./safeguard-report); one holding an earlier run's "
        "artifacts is refused without --force",
    )
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)
    parser.add_argument(
        "--fail-on",
        metavar="SEVERITY",
        help="lowest severity whose failures fail the run: critical, high, medium, low, info "
        "(default: the profile's, low for the default profile)",
    )
    parser.add_argument(
        "--profile",
        default="default",
        help="gate profile: default, strict, advisory, or a YAML file (see policies/profiles/)",
    )
    parser.add_argument(
        "--waivers",
        metavar="FILE",
        help="waivers YAML (default: policies/waivers/<stack>.yaml in the program folder, if any)",
    )
    parser.add_argument(
        "--attestations",
        metavar="FILE",
        help="attestations and addressable decisions YAML, for the safeguard status",
    )
    parser.add_argument(
        "--previous",
        metavar="FILE",
        help="an earlier run's safeguard-scan.json of the same scope, or `last` for the last "
        "recorded run of this scope in the run history: adds the trend section",
    )
    parser.add_argument(
        "--baseline",
        metavar="RUN_JSON",
        help="an earlier run's safeguard-scan.json of the same project and stack (say, the "
        "main branch's): findings it already had open are reported as existing and do not "
        "fail the gate; only new ones do (waivers and the profile apply first)",
    )
    parser.add_argument(
        "--risk-overrides",
        metavar="FILE",
        help="YAML of likelihood/impact overrides, each by a named person with a reason",
    )
    parser.add_argument(
        "--paper", choices=("A4", "Letter"), default="A4", help="PDF/print paper size"
    )
    parser.add_argument(
        "--pdf-scope",
        choices=("failing", "full"),
        default="failing",
        help="what the PDF prints: failing (default) leaves the passing results and the full "
        "inventory out, as the HTML report's collapsed appendices; full prints them too",
    )
    parser.add_argument(
        "--sla",
        metavar="FILE",
        help="YAML of remediation days per risk level (default: very high 7, high 30, "
        "moderate 90, low 180, very low 365)",
    )
    parser.add_argument(
        "--sign-key",
        metavar="PRIVATE.pem",
        help="Ed25519 private key (safeguard keygen): sign the run's manifest (manifest.sig)",
    )
    parser.add_argument(
        "--checks",
        action="append",
        metavar="IDS",
        help="run only these checks: ids, control ids (IAM-01) or id patterns (s3_*), "
        "comma-separated, repeatable; an audit then reads only what they need",
    )
    parser.add_argument(
        "--skip-checks", action="append", metavar="IDS", help="leave these checks out (as --checks)"
    )
    parser.add_argument(
        "--framework",
        choices=RULES,
        default=RULE_2013,
        help="the Security Rule the specification statuses are judged against: the rule in "
        "force (default) or the January 2025 proposal (90 FR 898, not final), under which "
        "Addressable specifications are Required",
    )
    parser.add_argument(
        "--with-checkov",
        action="store_true",
        help="also run checkov (from .venv-checkov: bash scripts/setup_checkov.sh) on the "
        "inventory as a Terraform plan; its HIPAA-mapped failures join the findings",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    add_history_options(parser)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def prepare(args: argparse.Namespace) -> tuple[Progress, dict, list[str], object]:
    """Check what can be checked before a long collection: formats, the signing key, `--out`."""
    from reports.renderers import build_renderers
    from reports.signing import load_private_key

    renderers = build_renderers(args.paper, args.pdf_scope)
    if not args.out.strip():
        raise InputError("--out: name a folder (an empty name would write into this one)")
    chosen = formats(args.format, renderers)
    sign_key = load_private_key(Path(args.sign_key)) if args.sign_key else None
    progress = Progress(args.quiet)
    out = Path(args.out)
    others = check_out(out, renderers, args.force)  # before the run, not after minutes of it
    check_history(args)
    if others:
        named = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        progress(
            f"--out {out} also holds {named}: left alone (safeguard verify lists them as not "
            "part of the run)"
        )
    return progress, renderers, chosen, sign_key


@contextlib.contextmanager
def _rare_full_collections() -> Iterator[None]:
    """A run builds its inventory, findings and record and keeps them to its end: the garbage
    collector's full passes over that growing heap find next to nothing to free (a tenth of a
    4,000-resource file scan). Young objects are still collected; full passes come after some
    seven million allocations instead of seventy thousand."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], max(before[2], 1000))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def assess_and_write(
    args: argparse.Namespace,
    source: Source,
    request: SourceRequest,
    prepared: tuple[Progress, dict, list[str], object],
    amend: Callable[[Any, dict], int] | None = None,
) -> int:
    """Collect from `source`, evaluate every check, assess, write every chosen format.
    `amend(assessment, record)`, when given, adds a section to the record before it is written
    and returns the run's exit code (`safeguard drift` adds the drift and gates on it)."""
    with _rare_full_collections():
        return _assess_and_write(args, source, request, prepared, amend)


def _assess_and_write(
    args: argparse.Namespace,
    source: Source,
    request: SourceRequest,
    prepared: tuple[Progress, dict, list[str], object],
    amend: Callable[[Any, dict], int] | None,
) -> int:
    from policies.record import build_record
    from policies.run_identity import digest_pinned
    from reports.signing import sign_run

    progress, renderers, chosen, sign_key = prepared
    out = Path(args.out)
    assessment = collect_and_assess(args, source, request, progress)
    if source.kind == "program":
        from policies.source_edit import forget_parses

        # The fixes are made: kept to the end, a large program's syntax trees cost the
        # interpreter a third of a second to free on exit. (`safeguard fix` keeps them for
        # its diff.)
        forget_parses()
    record = build_record(assessment)
    code = int(assessment.gate.exit_code) if amend is None else amend(assessment, record)
    counts, gate = assessment.status_counts, assessment.gate
    tally = (
        f"{counts['FAIL']} failed ({len(gate.blocking_failures)} blocking under profile "
        f"{gate.profile.name}, fail-on {gate.profile.fail_on.label}), {counts['PASS']} passed, "
        f"{counts['WAIVED']} waived, {counts['NOT_EVALUATED']} not evaluated, "
        f"{counts['NOT_APPLICABLE']} not applicable"
    )
    # The record now says all the run says: the inventory and the findings as objects go
    # before it is rendered (a large run's peak memory is its rendering).
    del assessment, gate
    with digest_pinned(record):  # rendered and recorded as it is now
        written = write_outputs(record, chosen, renderers, out, args.force)
        written += sign_run(out, sign_key)
        record_assessed_run(args, record, renderers["json"].render, out, progress, code)
    progress(tally)
    for path in written:
        say(f"Report written: {path}")
    return code


def _option(args: argparse.Namespace, name: str) -> Path | None:
    """A file option of the gate; a command without that option (`fix`) has none."""
    return _path(getattr(args, name, None))


def collect_and_assess(
    args: argparse.Namespace, source: Source, request: SourceRequest, progress: Progress
):
    """Collect, evaluate the selected checks, merge checkov's, assess (waivers, profile,
    baseline) and, for a program, suggest each failure's fix: the run's `Assessment`.
    What only some runs use (checkov, fixes, a baseline) is imported when it is used."""
    from checks.evaluate import evaluate
    from checks.library import build_registry
    from checks.model import Inventory
    from checks.scope import chosen_mode, decide, without_baseline
    from checks.selection import select, split_selectors, types_read
    from policies.assess import assess
    from policies.inputs import load_policy_inputs

    library = build_registry()
    include, exclude = (
        split_selectors(getattr(args, "checks", None), getattr(args, "checks_option", "--checks")),
        split_selectors(getattr(args, "skip_checks", None), "--skip-checks"),
    )
    registry = select(library, include, exclude) if include or exclude else library
    if include or exclude:  # the live audit reads only what the selected checks need
        request = replace(request, extra={**request.extra, "types": types_read(registry)})
    timestamp = generated_at()
    # Read before a long collection: a wrong file is one line, at once.
    baseline = None
    if getattr(args, "baseline", None):
        from policies.baseline import load_baseline

        baseline = load_baseline(Path(args.baseline))
    checkov = None
    if getattr(args, "with_checkov", False):
        from scripts.commands.checkov import checkov_executable

        checkov = checkov_executable()

    ahead = None
    if source.kind == "program" and request.program_dir is not None:
        ahead = _ParseAhead(request.program_dir)  # its files, parsed while it runs
        request = replace(request, extra={**request.extra, "while_running": ahead.start})
    collected = source.collect(request)
    mode = chosen_mode(getattr(args, "scope", None), collected.provenance.get("scope_setting"))
    scope = decide(mode, collected.kind, collected.resources, registry)
    registry = without_baseline(registry, scope)
    collected = replace(collected, provenance={**collected.provenance, "scope": scope.as_record()})
    if note := scope.note():
        progress(note)
    inputs = load_policy_inputs(
        known_checks={c.id for c in library},
        home=collected.home or Path.cwd(),
        # A source with no home folder (the live account) has no default waivers file.
        stack=collected.stack_or_default if collected.home is not None else None,
        profile=getattr(args, "profile", "default"),
        fail_on=getattr(args, "fail_on", None),
        waivers=_option(args, "waivers"),
        attestations=_option(args, "attestations"),
        risk_overrides=_option(args, "risk_overrides"),
        sla=_option(args, "sla"),
        previous=None if getattr(args, "previous", None) == LAST else _option(args, "previous"),
        framework_rule=getattr(args, "framework", RULE_2013),
    )
    if getattr(args, "previous", None) == LAST:  # the scope is known only now
        inputs = replace(inputs, previous=previous_from_history(args, collected.provenance))
    progress(f"{len(collected.resources)} resources; evaluating {len(registry)} checks…")
    evaluation = evaluate(Inventory(collected.resources, gaps=collected.gaps), registry)
    if checkov is not None:
        from checks.checkov_findings import merge
        from scripts.commands.checkov import checkov_on

        progress("running checkov on the inventory as a Terraform plan…")
        merged = merge(evaluation, checkov_on(collected.resources, checkov))
        evaluation = merged.evaluation
        collected = replace(
            collected, provenance={**collected.provenance, "checkov": merged.summary}
        )
    assessment = assess(
        evaluation,
        inputs,
        source=collected.provenance,
        generated_at=timestamp,
        graph=collected.graph,
        secrets=collected.secrets,
    )
    if collected.kind == "program" and collected.home is not None:
        from policies.fixes import suggest_all

        found = suggest_all(
            assessment.findings, evaluation, collected.home, secrets=collected.secrets
        )
        assessment = replace(assessment, fixes=found)
    if ahead is not None:
        ahead.wait()
    if baseline is not None:
        from policies.baseline import apply_baseline

        assessment = apply_baseline(assessment, baseline)
        progress(
            f"baseline {baseline.path}: {len(assessment.gate.set_aside)} finding(s) it already "
            "had set aside; only new ones block"
        )
    return assessment


class _ParseAhead:
    """The program's files, parsed for the fixes on a thread of this process while the program
    runs under mocks in another. `wait()`, once the fixes are made, waits for the thread (it
    reads at most eight files of at most 4 MiB)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        from policies.fixes import parse_ahead

        self.thread = threading.Thread(
            target=parse_ahead, args=(self.home,), name="parse-ahead", daemon=True
        )
        self.thread.start()

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
