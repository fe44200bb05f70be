"""What `safeguard drift` costs, beside the `safeguard audit` of the same account.

The account: the embedded AWS (moto on 127.0.0.1, run in this process) made a governed account
(scripts/emulate/baseline.py), the billing system (prod stack) deployed into it
(scripts/emulate/deploy.py) and its `pulumi stack export`-shaped file written from that deploy
(scripts/emulate/export.py). Then thirteen console changes are made through boto3
(bench/drift_changes.py): security settings turned off, a tag removed, an instance class
changed, a log group deleted, a bucket, a security group and an IAM user made by hand. On that
account, N rounds of
  - `safeguard audit --endpoint-url URL --format json`, the yardstick, and
  - `safeguard drift --state EXPORT --endpoint-url URL --format json`,
one of each per round, the order flipped every round so that load on the machine weighs on
both alike. Two guards, each stopping the bench with exit 1, for the time of a wrong drift
measures nothing: a drift run of the deploy before any change (not counted; it also warms the
file cache) must find nothing changed, gone or unmanaged, and every drift run after the
changes must show each of them (its property with both values, or the resource gone or
unmanaged).

Then (`--deploys D`, 10 by default) the same program is deployed D-1 more times into the account,
as bench/audit.py builds its 10x account (each copy the prod configuration under its own
environment name, VPC range and domain, without the account baseline), each copy's export is
written under a stack name of its own (prod2, prod3, ...: ten stacks in one account are ten
stacks), and both commands run again, the drift given all D exports; the changes made to the
first stack must still all be found. The time the further deploys took is printed (about a
minute for nine here); `--deploys 1` measures the one stack alone.

The figures:
  time s     wall time of the whole command, start-up included (median of the N runs);
  peak MiB   the peak resident set of the command's largest process (bench/peak_rss.py);
  API calls  the calls the run's JSON record says it made; requests: those the emulator
             answered while the command ran, retries included; the emulator runs in this
             process and counts in neither command's time or memory;
  drift      the drift command's own summary: declared resources matched to live ones,
             properties changed (on how many resources), check verdicts the changes turned
             from PASS (as declared) to FAIL (live), declared resources gone, live resources
             no stack declares, and declared resources not seen because the emulator does
             not answer the call that reads their type;
  in process where the drift's extra time goes, measured after the runs in this process on
             one live collection of the account (its time is shown for scale only: the
             emulator shares this process): reading the export(s)
             (`checks.sources.state.load_state`), `policies.drift.compare`, and the whole step
             the drift command adds to an audit (`drift_amend`: reading, comparing, redacting
             the drift section), each the median of N calls.

No peer runs: Pulumi's own drift detection (`pulumi refresh --preview-only`, or Pulumi
Deployments' scheduled drift runs) needs the Pulumi CLI and a backend holding the stack, and
neither is on this machine. The audit of the same account is the yardstick instead: the ratio
drift / audit is what comparing with the stack adds to reading the account.

Each command records its run in a history database in the bench's scratch folder
(SAFEGUARD_HISTORY), as it records by default, without touching the working folder's.

    .venv/bin/python bench/drift.py [--runs 3] [--deploys 10]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from audit import (
    REGION,
    REPO,
    SAFEGUARD,
    RequestCounter,
    Row,
    copy_config,
    environment,
    measured,
    progress,
    table,
)
from drift_changes import Expected, Target, make_changes, missing

from checks.sources.aws.emulator import CREDENTIALS, Emulator
from scripts.emulate.baseline import prepare_account
from scripts.emulate.clients import Clients
from scripts.emulate.deploy import deploy
from scripts.emulate.export import write_export
from scripts.emulate.report import DeployReport

AUDIT, DRIFT = "safeguard audit", "safeguard drift"
# The drift summary's figures the bench prints, and how it names them.
DRIFT_FIGURES = {
    "matched": "matched",
    "changed_properties": "changed properties",
    "changed_resources": "changed resources",
    "breaking_changes": "verdicts turned PASS to FAIL",
    "gone": "gone",
    "unmanaged": "unmanaged",
    "not_seen": "not seen (not collectable here)",
}


def as_stack(report: DeployReport, stack: str) -> DeployReport:
    """The deploy as a stack named `stack` would have recorded it. The emulated deploy takes
    its stack name from a stack file (Pulumi.prod.yaml), so every copy is "prod"; in an export
    the stack's name shows only in the URNs, which must differ between stacks."""
    old, new = f"urn:pulumi:{report.stack}::", f"urn:pulumi:{stack}::"

    def renamed(urn: str) -> str:
        return new + urn.removeprefix(old) if urn.startswith(old) else urn

    created = tuple(replace(r, urn=renamed(r.urn)) for r in report.created)
    states = {renamed(urn): state for urn, state in report.states.items()}
    return replace(report, stack=stack, created=created, states=states)


@dataclass
class Account:
    """One state of the emulated account and what was measured on it."""

    name: str
    exports: list[Path]
    audit: Row
    drift: Row
    summary: dict[str, int] = field(default_factory=dict)
    in_process: dict[str, float] = field(default_factory=dict)

    @classmethod
    def named(cls, name: str, exports: list[Path]) -> Account:
        return cls(name, list(exports), Row(name, AUDIT, []), Row(name, DRIFT, []))


def run_command(
    account: Account,
    tool: str,
    endpoint: str,
    scratch: Path,
    counter: RequestCounter,
    counted: bool = True,
) -> dict[str, Any]:
    """One whole run of `tool` on the account; its JSON record. A run not `counted` adds no
    sample."""
    out = scratch / "out"
    command = [str(SAFEGUARD), tool.split()[1]]
    for export in account.exports if tool == DRIFT else ():
        command += ["--state", str(export)]
    command += ["--endpoint-url", endpoint, "--out", str(out), "--force", "--format", "json",
                "--quiet"]  # fmt: skip
    env = dict(environment(), SAFEGUARD_HISTORY=str(scratch / "history.sqlite"))
    sample = measured(command, env, scratch, counter)
    if sample.code not in (0, 1, 3):
        raise SystemExit(f"bench: {tool} exited {sample.code}: {sample.stderr_tail}")
    document = json.loads((out / "safeguard-scan.json").read_text(encoding="utf-8"))
    if not counted:
        return document
    (account.drift if tool == DRIFT else account.audit).record(sample, document)
    progress(f"  {tool} on {account.name}: {sample.seconds:.2f} s (exit {sample.code})")
    return document


def rounds(
    account: Account,
    runs: int,
    endpoint: str,
    scratch: Path,
    counter: RequestCounter,
    expected: dict[str, Expected],
) -> None:
    """`runs` rounds of both commands, the order flipped each round; the drift's summary, and
    a stop at the first drift run that misses a change."""
    for i in range(runs):
        progress(f"round {i + 1}/{runs} on {account.name}")
        for tool in (AUDIT, DRIFT) if i % 2 == 0 else (DRIFT, AUDIT):
            document = run_command(account, tool, endpoint, scratch, counter)
            if tool != DRIFT:
                continue
            account.summary = document["drift"]["summary"]
            lost = missing(document["drift"], expected)
            if lost:
                for line in lost:
                    print(f"bench: the drift missed a change: {line}", file=sys.stderr)
                raise SystemExit(1)


def unchanged(account: Account, endpoint: str, scratch: Path, counter: RequestCounter) -> None:
    """A drift run before any change, not counted (it also warms the file cache for both
    commands): it must find nothing changed, gone or unmanaged, or the bench stops with exit 1,
    for a drift that reports what did not happen measures nothing either."""
    progress("the drift of the deploy before any change (not counted)")
    drift = run_command(account, DRIFT, endpoint, scratch, counter, counted=False)["drift"]
    found = {kind: len(drift[kind]) for kind in ("changed", "gone", "unmanaged") if drift[kind]}
    if found:
        print(f"bench: the drift of the unchanged deploy found {found}", file=sys.stderr)
        raise SystemExit(1)


def median_seconds(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(account: Account, endpoint: str, scratch: Path, runs: int) -> None:
    """The drift's own steps, called here on one live collection of the account (see the
    module doc)."""
    from checks.sources.aws.collectors import all_collectors
    from checks.sources.catalog import build_sources
    from checks.sources.state import load_state
    from policies.drift import DeclaredState, LiveView, compare
    from policies.record import build_record
    from scripts.cli import build_parser
    from scripts.commands.audit import aws_request
    from scripts.commands.drift import drift_amend
    from scripts.commands.pipeline import collect_and_assess, prepare

    files = [str(p) for p in account.exports]
    argv = ["drift", *(a for f in files for a in ("--state", f)), "--endpoint-url", endpoint,
            "--out", str(scratch / "in-process"), "--format", "json", "--no-history",
            "--quiet"]  # fmt: skip
    args = build_parser().parse_args(argv)
    quiet = prepare(args)[0]
    start = time.perf_counter()
    request = aws_request(args, quiet)
    assessment = collect_and_assess(args, build_sources().get("aws"), request, quiet)
    account.in_process["collect and assess (beside the emulator)"] = time.perf_counter() - start

    def read() -> list[DeclaredState]:
        states = []
        for name in files:
            got = load_state(Path(name))
            states.append(DeclaredState(name, got.project, got.stack, tuple(got.resources)))
        return states

    states = read()
    # The live view as `safeguard drift` builds it (scripts/commands/drift.py).
    origin = assessment.source
    live = LiveView(
        inventory=assessment.evaluation.inventory,
        collected_types=frozenset(t for c in all_collectors() for t in c.types),
        findings=assessment.findings,
        accounts=frozenset(origin.get("accounts") or ()),
        regions=frozenset(origin.get("regions") or ()),
    )
    registry = assessment.evaluation.registry
    record = build_record(assessment)

    def whole() -> None:
        with contextlib.redirect_stderr(io.StringIO()):  # its one summary line
            drift_amend(files)(assessment, record)

    account.in_process["read the exports"] = median_seconds(read, runs)
    account.in_process["policies.drift.compare"] = median_seconds(
        lambda: compare(states, live, registry), runs
    )
    account.in_process["the whole drift step"] = median_seconds(whole, runs)


@dataclass
class Results:
    accounts: list[Account]
    changes: dict[str, Expected]
    deploy_seconds: float = 0.0  # the further deploys of the multi-stack account
    load: tuple[float, float] = (0.0, 0.0)


def measure_all(runs: int, deploys: int) -> Results:
    os.environ.update({**CREDENTIALS, "AWS_DEFAULT_REGION": REGION})  # the in-process step
    os.environ.pop("AWS_PROFILE", None)
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="safeguard-drift-bench-") as tmp, Emulator() as emu:
        scratch = Path(tmp)
        counter = RequestCounter.install()
        prepare_account(emu, [REGION])
        progress(f"emulator at {emu.endpoint}; deploying the billing system (prod stack)…")
        report = deploy(REPO, "prod", emu.endpoint)
        exports = [write_export(report, scratch / "prod.json")]
        unchanged(Account.named("the unchanged deploy", exports), emu.endpoint, scratch, counter)
        changes = make_changes(Target(report, Clients(emu.endpoint, REGION)))
        progress(f"{len(changes)} console changes made")
        res = Results([Account.named("billing system (prod)", exports)], changes)
        rounds(res.accounts[0], runs, emu.endpoint, scratch, counter, changes)
        in_process(res.accounts[0], emu.endpoint, scratch, runs)
        if deploys > 1:
            start = time.perf_counter()
            for n in range(2, deploys + 1):
                progress(f"building the {deploys}-stack account: deploy {n}/{deploys}…")
                copy = deploy(REPO, "prod", emu.endpoint, config=copy_config(n))
                exports.append(write_export(as_stack(copy, f"prod{n}"), scratch / f"prod{n}.json"))
            res.deploy_seconds = time.perf_counter() - start
            res.accounts.append(Account.named(f"{deploys} stacks, 1 account", exports))
            rounds(res.accounts[1], runs, emu.endpoint, scratch, counter, changes)
            in_process(res.accounts[1], emu.endpoint, scratch, runs)
    res.load = (before, os.getloadavg()[0])
    return res


def print_results(res: Results, runs: int) -> None:
    moto = importlib.metadata.version("moto")
    print(f"safeguard drift beside safeguard audit on the same emulated account (moto {moto} on "
          "127.0.0.1)")  # fmt: skip
    print(f"median of {runs} runs, alternating; time: wall of the whole command; peak MiB: its")
    print("largest process's peak RSS; API calls: as the run's JSON records them; requests:")
    print("counted at the emulator, retries included. No peer: the Pulumi CLI is not installed,")
    print("so `pulumi refresh --preview-only` cannot run; the audit is the yardstick.")
    print(f"load average (1 min) before and after: {res.load[0]:.1f}, {res.load[1]:.1f} on "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print()
    print("\n".join(table([row for a in res.accounts for row in (a.audit, a.drift)])))
    print()
    print(f"{len(res.changes)} console changes made, each found by every drift run:")
    for what in res.changes:
        print(f"  - {what}")
    for a in res.accounts:
        exports = f"{len(a.exports)} export{'s' if len(a.exports) > 1 else ''}"
        figures = ", ".join(f"{a.summary.get(k, 0)} {v}" for k, v in DRIFT_FIGURES.items())
        print()
        print(f"{a.name}, {exports}: drift {figures}")
        print(
            f"  drift / audit: time {a.drift.seconds / a.audit.seconds:.2f}x "
            f"({a.drift.seconds - a.audit.seconds:+.2f} s), peak memory "
            f"{a.drift.mib / a.audit.mib:.2f}x, requests {a.drift.requests / a.audit.requests:.2f}x"
        )
        steps = ", ".join(f"{k} {v:.3f} s" for k, v in a.in_process.items())
        print(f"  in process: {steps}")
    if res.deploy_seconds:
        print()
        print(f"building the multi-stack account took {res.deploy_seconds:.0f} s "
              f"({len(res.accounts[-1].exports) - 1} further deploys)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, choices=range(1, 51), metavar="1..50")
    parser.add_argument(
        "--deploys",
        type=int,
        default=10,
        choices=range(1, 51),
        metavar="1..50",
        help="stacks deployed into the account for the second measurement (default 10; "
        "1: no second measurement)",
    )
    args = parser.parse_args()
    print_results(measure_all(args.runs, args.deploys), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
