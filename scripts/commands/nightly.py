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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.sources.catalog import build_sources
from checks.text import safe_text
from policies.exit_codes import ExitCode
from scripts.commands.audit import add_aws_options, aws_request
from scripts.commands.drift import drift_amend
from scripts.commands.history import last_recorded_run
from scripts.commands.pipeline import add_gate_and_output_options, assess_and_write, prepare
from scripts.output import say

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
MAX_LINES = 12  # the whole summary, so that it reads as one chat message
DEFAULT_FORMATS = "json,md,html"
# Which trend categories are new tonight, and how the summary says so.
NEW_CATEGORIES = {"new": "new", "regressed": "regressed", "new_check": "new check"}
DRIFT_LABEL = "drift broke it"
_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
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


@dataclass(frozen=True)
class Attention:
    """A new failure or a check drift broke, as the summary names it."""

    severity: str
    check_id: str
    title: str
    resource: str
    why: tuple[str, ...]

    def order(self) -> tuple[int, str, str]:
        return (_RANK.get(self.severity, 9), self.check_id, self.resource)


@dataclass(frozen=True)
class Night:
    """The night's verdict: what needs someone, and the exit code."""

    first: bool
    attention: tuple[Attention, ...]  # most severe first
    new_failures: int
    breaking: int
    unseen: int  # blocking unknowns, and declared resources the audit could not see

    @property
    def exit_code(self) -> ExitCode:
        if self.new_failures or self.breaking:
            return ExitCode.FAILED
        return ExitCode.NOT_EVALUATED if self.unseen else ExitCode.OK


def _ident(ref: Mapping[str, Any] | None) -> str:
    """The live identity a finding and a drift verdict share: ARN, else id, else name."""
    if not ref:
        return ""
    return str(ref.get("arn") or ref.get("id") or ref.get("name") or "")


def _shown(ref: Mapping[str, Any] | None) -> str:
    if not ref:
        return "the account"
    name, ident = ref.get("name"), ref.get("id")
    if name and ident and str(ident) != str(name):
        return f"{name} ({ident})"
    return str(name or ident or ref.get("arn") or "?")


def judge(
    record: Mapping[str, Any], blocking_failures: Iterable[str], blocking_unknowns: int
) -> Night:
    """The night's verdict from its record (with `trend` unless it is the first night, and
    `drift` when stack exports were given) and the ids of the findings the gate blocks on."""
    blocking = set(blocking_failures)
    findings = {f["id"]: f for f in record.get("findings") or []}
    checks = {c["id"]: c for c in record.get("checks") or []}
    trend = record.get("trend")
    new: dict[str, str] = {}  # finding id → why
    if trend is None:
        new = {i: "new" for i, f in findings.items() if f["status"] == "FAIL" and i in blocking}
    else:
        for category, label in NEW_CATEGORIES.items():
            for entry in trend["findings"].get(category) or []:
                if entry["id"] in blocking:
                    new[entry["id"]] = label
    items: dict[str, Attention] = {}  # by finding id, or by check and resource for drift
    for fid, why in new.items():
        f = findings[fid]
        items[fid] = Attention(
            f["severity"], f["check_id"], f["title"], _shown(f.get("resource")), (why,)
        )
    new_by_subject = {(items[i].check_id, _ident(findings[i].get("resource"))): i for i in new}
    drift = record.get("drift") or {}
    verdicts = drift.get("verdicts") or []
    broken = [v for v in verdicts if (v["declared"], v["live"]) == ("PASS", "FAIL")]
    for verdict in broken:
        subject = (verdict["check_id"], _ident(verdict.get("resource")))
        if subject in new_by_subject:  # a new failure drift explains: one line, both reasons
            fid = new_by_subject[subject]
            items[fid] = replace(items[fid], why=(*items[fid].why, DRIFT_LABEL))
            continue
        check = checks.get(verdict["check_id"]) or {}
        items["drift:" + ":".join(subject)] = Attention(
            str(check.get("severity", "")),
            verdict["check_id"],
            str(check.get("title", "")),
            _shown(verdict.get("resource")),
            (DRIFT_LABEL,),
        )
    return Night(
        first=trend is None,
        attention=tuple(sorted(items.values(), key=Attention.order)),
        new_failures=len(new),
        breaking=len(broken),
        unseen=int(blocking_unknowns) + len(drift.get("not_seen") or []),
    )


def _plain(value: Any, limit: int = 90) -> str:
    """One line of text safe inside Markdown code spans and a chat message."""
    text = safe_text(str(value), one_line=True).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _headline(night: Night) -> str:
    if night.first:
        said = (
            f"first night, {_plural(night.new_failures, 'blocking failure')}, every one new"
            if night.new_failures
            else "first night, no blocking failure"
        )
    elif night.new_failures:
        said = _plural(night.new_failures, "new failure")
    else:
        said = "no new failure"
    if night.breaking:
        said += f", {_plural(night.breaking, 'check')} broken by drift"
    if night.exit_code is ExitCode.NOT_EVALUATED:
        said += f", but {_plural(night.unseen, 'blind spot')} (blocking unknowns, unseen resources)"
    return f"### HIPAA nightly audit: {said}"


def _since(trend: Mapping[str, Any] | None) -> str:
    if trend is None:
        return "No earlier run of this scope in the history: every failure counts as new."
    counts, previous = trend["counts"], trend["previous"]
    return (
        f"Since the last run ({_plain(previous.get('generated_at'))}): {counts['new']} new, "
        f"{counts['regressed']} regressed, {counts['new_check']} under new checks, "
        f"{counts['resolved']} resolved, {counts['persisting']} persisting."
    )


def summary_lines(record: Mapping[str, Any], night: Night, report: Path) -> list[str]:
    """The Markdown summary, at most MAX_LINES lines, from the (redacted) run record."""
    source = record.get("source") or {}
    accounts = ", ".join(source.get("accounts") or []) or _plain(source.get("project"))
    regions = ", ".join(source.get("regions") or []) or _plain(source.get("stack"))
    counts = (record.get("summary") or {}).get("findings") or {}
    statuses = " · ".join(
        f"{counts.get(s, 0)} {s}" for s in ("FAIL", "PASS", "WAIVED", "NOT_EVALUATED")
    )
    facts = [
        f"Account {_plain(accounts)} · {_plain(regions)} · {_plain(record.get('generated_at'))}"
        f" · exit {int(night.exit_code)}",
        _since(record.get("trend")),
        f"Findings now: {statuses}.",
    ]
    if drift := record.get("drift"):
        s = drift["summary"]
        facts.append(
            f"Drift from {_plural(len(drift.get('states') or []), 'stack export')}: "
            f"{s['changed_properties']} changed properties ({s['breaking_changes']} breaking a "
            f"check), {s['gone']} gone, {s['unmanaged']} unmanaged, {s['not_seen']} not seen."
        )
    facts.append(f"Full report: `{_plain(report, 200)}`")
    lines = [_headline(night), *(line + "  " for line in facts)]  # hard line breaks
    if not night.attention:
        return lines
    lines.append("Needs attention, most severe first:")
    room = MAX_LINES - len(lines)
    shown = night.attention if len(night.attention) <= room else night.attention[: room - 1]
    for item in shown:
        title = f" ({_plain(item.title, 70)})" if item.title else ""
        lines.append(
            f"- **{_plain(item.severity or '?')}** `{_plain(item.check_id)}`{title} on "
            f"`{_plain(item.resource)}`: {', '.join(item.why)}"
        )
    if len(shown) < len(night.attention):
        lines.append(f"- and {len(night.attention) - len(shown)} more")
    return lines


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
