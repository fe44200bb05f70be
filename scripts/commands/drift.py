"""`safeguard drift`: the live account (or the emulator) against the stacks' exports.

The live audit runs as `safeguard audit` runs it (the same options, checks and artifacts), and
the run record gains a `drift` section: what changed on the resources the stacks manage, what
they declare that is gone, and what lives in the account that no stack declares
(`policies.drift`). Drift that breaks a check fails the run; other drift is reported.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checks.model import secret_identity
from checks.sources.catalog import build_sources
from checks.text import safe_text
from scripts.commands.audit import add_aws_options, aws_request
from scripts.commands.pipeline import add_gate_and_output_options, assess_and_write, prepare


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    drift = sub.add_parser(
        "drift",
        help="compare stack exports with the live account (or the emulator): changed, gone "
        "and unmanaged resources, judged by the same checks",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    drift.add_argument(
        "--state",
        action="append",
        required=True,
        metavar="STACK_EXPORT",
        help="a `pulumi stack export` file of a stack deployed in the account (repeatable: an "
        "account shared by stacks)",
    )
    add_aws_options(drift)
    add_gate_and_output_options(drift, "json,md")
    drift.set_defaults(handler=run)


def _declared(files: list[str]) -> list[Any]:
    """Every export, read before the account is: a wrong file is one line, at once."""
    from checks.sources.state import load_state
    from policies.drift import DeclaredState

    states = []
    for name in files:
        collected = load_state(Path(name))
        states.append(
            DeclaredState(name, collected.project, collected.stack, tuple(collected.resources))
        )
    return states


def run(args: argparse.Namespace) -> int:
    prepared = prepare(args)
    amend = drift_amend(args.state)
    request = aws_request(args, prepared[0])
    return assess_and_write(args, build_sources().get("aws"), request, prepared, amend=amend)


def drift_amend(files: list[str]) -> Callable[[Any, dict], int]:
    """Read the exports now (a wrong file is one line, before the account is read) and return
    the `amend` that adds the drift section to a live run's record and gives its exit code
    (`safeguard drift`, and `safeguard nightly --state`)."""
    states = _declared(files)
    from checks.sources.aws.collectors import all_collectors

    # The types the live collection reads: a declared resource of another type is never "gone".
    collected_types = frozenset(t for c in all_collectors() for t in c.types)

    def amend(assessment: Any, record: dict) -> int:
        from policies.drift import LiveView, combined_exit, compare
        from policies.redaction import redact, scrubber

        origin = assessment.source
        live = LiveView(
            inventory=assessment.evaluation.inventory,
            collected_types=collected_types,
            findings=assessment.findings,
            accounts=frozenset(origin.get("accounts") or ()),
            regions=frozenset(origin.get("regions") or ()),
        )
        drift = compare(states, live, assessment.evaluation.registry)
        declared = [r for s in states for r in s.resources]
        given = [*assessment.secrets, *(v for r in declared for v in secret_identity(r))]
        scrub = scrubber([*declared, *assessment.evaluation.inventory], given)
        record["drift"] = redact({"drift": drift.as_record()}, scrub)["drift"]
        print(f"safeguard: {safe_text(drift.line(), one_line=True)}", file=sys.stderr, flush=True)
        return int(combined_exit(assessment.gate.exit_code, drift.exit_code))

    return amend
