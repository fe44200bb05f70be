"""`safeguard nightly`: the scheduled audit (a cron job, a CI schedule, a systemd timer).

One run of `safeguard audit` (of `safeguard drift` when `--state` names the stacks' exports),
recorded in the run history and compared with the last recorded run of the same scope, as
`--previous last` compares (`policies.trend`: new, regressed, resolved, persisting). It fails
only on what needs someone tonight: a blocking failure that was not failing in that run, or
drift that breaks a check. It ends with a short Markdown summary, fit for a chat message or an
issue, rendered from the redacted run record (so no secret can reach it): `--summary FILE`,
appended to `$GITHUB_STEP_SUMMARY` too when that is set, and printed.

On the first night (no earlier run of the scope in the history) every blocking failure counts
as new: nobody has been told of it yet, and a lost history must not turn a failing account
green. Persisting failures are in the report and the counts; they do not fail the night again.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.sources.catalog import build_sources
from policies.nightly import Night, judge
from reports.nightly_summary import summary_lines
from scripts.commands.audit import add_aws_options, aws_request
from scripts.commands.drift import drift_amend
from scripts.commands.history import last_recorded_run
from scripts.commands.pipeline import add_gate_and_output_options, assess_and_write, prepare
from scripts.output import say

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
DEFAULT_FORMATS = "json,md,html"
_REPORT_FILES = ("safeguard-report.html", "safeguard-scan.md", "safeguard-scan.json")

EXIT_CODES = """exit codes:
  0  nothing new fails and no drift breaks a check (failures already open in the last
     recorded run of this scope are reported, not failed again)
  1  a blocking failure (at or above --fail-on, not waived) that was not failing in the last
     recorded run of this scope: new, regressed, or under a check that run did not have;
     on the first night, every blocking failure; or drift that breaks a check
  2  usage or input error (one line on stderr names the file and the problem)
  3  nothing new fails, but blocking checks or declared resources could not be seen
"""


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    nightly = sub.add_parser(
        "nightly",
        help="the scheduled audit: audit (and drift, with --state), record, compare with the "
        "last run, fail on what is new, write a short Markdown summary",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_CODES,
    )
    nightly.add_argument(
        "--state",
        action="append",
        default=[],
        metavar="STACK_EXPORT",
        help="a `pulumi stack export` of a stack deployed in the account: adds the drift "
        "(repeatable, as `safeguard drift`)",
    )
    nightly.add_argument(
        "--summary",
        metavar="FILE",
        help=f"write the Markdown summary here (it is also appended to ${STEP_SUMMARY_ENV} "
        "when that is set, and printed)",
    )
    add_aws_options(nightly)
    add_gate_and_output_options(nightly, DEFAULT_FORMATS)
    nightly.set_defaults(handler=run)


def _check_options(args: argparse.Namespace) -> Path | None:
    """What the nightly cannot run with, refused before anything is read."""
    if args.previous:
        raise InputError(
            "--previous: the nightly compares with the last recorded run of its scope itself"
        )
    if args.no_history:
        raise InputError("--no-history: the nightly records every run to compare the next with")
    if not args.summary:
        return None
    target = Path(args.summary)
    if target.is_dir():
        raise InputError(f"--summary {target}: a folder; name a file")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--summary {target}: cannot make its folder ({exc.strerror})") from None
    return target


def _report_file(out: Path) -> Path:
    return next((out / name for name in _REPORT_FILES if (out / name).is_file()), out)


def _deliver(lines: Sequence[str], target: Path | None) -> None:
    text = "\n".join(lines) + "\n"
    destinations = [(target, "w")] if target else []
    if os.environ.get(STEP_SUMMARY_ENV):
        destinations.append((Path(os.environ[STEP_SUMMARY_ENV]), "a"))
    for path, mode in destinations:
        try:
            with path.open(mode, encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise InputError(f"{path}: cannot write the summary ({exc.strerror})") from None
    for line in lines:
        say(line.rstrip())


def run(args: argparse.Namespace) -> int:
    from policies.trend import trend

    target = _check_options(args)
    prepared = prepare(args)
    with_drift = drift_amend(args.state) if args.state else None
    nights: list[tuple[dict, Night]] = []

    def amend(assessment: Any, record: dict) -> int:
        previous = last_recorded_run(args, record["source"])
        if previous is not None:  # before the drift section, as `drift --previous` orders it
            try:
                record["trend"] = trend(record, previous.record)
            except ValueError as exc:
                raise InputError(f"{previous.path}: {exc}") from None
        if with_drift is not None:
            with_drift(assessment, record)
        gate = assessment.gate
        night = judge(record, (f.id for f in gate.blocking_failures), len(gate.blocking_unknowns))
        nights.append((record, night))
        return int(night.exit_code)

    request = aws_request(args, prepared[0])
    code = assess_and_write(args, build_sources().get("aws"), request, prepared, amend=amend)
    record, night = nights[-1]
    _deliver(summary_lines(record, night, _report_file(Path(args.out))), target)
    return code
