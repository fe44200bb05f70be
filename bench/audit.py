"""Whole-command time and peak memory of `safeguard audit`, side by side with Prowler's HIPAA scan.

The account: the embedded AWS (moto on 127.0.0.1, run in this process) made a governed account
(scripts/emulate/baseline.py), with this repository's billing system (prod stack) deployed into
it by scripts/emulate/deploy.py. On it, alternating, N runs each of
  - `safeguard audit --endpoint-url URL --format json`, and, when bench/prowler_env.sh has made
    bench/.prowler-venv,
  - `prowler aws --compliance hipaa_aws --region us-east-1` as shipped (three attempts per API
    call), and with our retry budget against an emulator (two attempts: moto answers operations
    it does not implement with 500, which a client retries with backoff and real AWS would
    answer), the fairer yardstick; and Prowler's start-up alone (loading its HIPAA checks and
    listing them, no API call), which shows where its time goes.
Then the same program is deployed into the same account nine more times (ten deploys: the 10x
account, built once per bench run) and audited N times. Each further deploy is the prod
configuration under its own environment name (which every physical name derives from), VPC
range and domain, with `accountBaseline: false`, the program's switch for a second stack in an
account whose singletons (GuardDuty detector, Config recorder, Security Hub, password policy)
already exist. moto does not enforce CloudTrail's five-trails-per-region quota; a real account
would refuse the sixth trail.

Time is the wall time of the whole command; memory the peak resident set of its largest process
(getrusage RUSAGE_CHILDREN in a fresh wrapper per run, bench/peak_rss.py); the emulator lives
in this process and counts in neither tool's figures. Requests are counted at the emulator for
both tools (retries included); our API calls are what the audit records in its JSON. Target
(issue 10): at most a tenth of Prowler's time and a third of its memory.

    bash bench/prowler_env.sh   # once: Prowler in its own virtualenv
    .venv/bin/python bench/audit.py [--runs 3] [--deploys 10] [--no-prowler]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import prowler_peer

from checks.sources.aws.emulator import CREDENTIALS, Emulator
from scripts.emulate.baseline import prepare_account
from scripts.emulate.deploy import deploy

REPO = Path(__file__).resolve().parents[1]
SAFEGUARD = Path(sys.executable).with_name("safeguard")
PEAK_RSS = Path(__file__).resolve().with_name("peak_rss.py")
REGION = "us-east-1"
TIMEOUT = 1800.0


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


class RequestCounter(logging.Handler):
    """Counts the requests the emulator answers: werkzeug logs one INFO line per request (and
    an ERROR record with the traceback of a 500), which the Emulator silences; here the request
    lines are counted, nothing is printed."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.INFO:
            self.count += 1

    @classmethod
    def install(cls) -> RequestCounter:
        counter = cls()
        logger = logging.getLogger("werkzeug")
        logger.handlers = [counter]
        logger.propagate = False
        logger.setLevel(logging.INFO)
        return counter


@dataclass(frozen=True)
class Sample:
    code: int
    seconds: float
    peak_kib: int
    requests: int
    stderr_tail: str


def measured(command: list[str], env: dict[str, str], scratch: Path, counter: RequestCounter):
    """Run `command` under bench/peak_rss.py in its own process group; stop the group after."""
    stderr_file = scratch / "stderr.txt"
    before = counter.count
    proc = subprocess.Popen(
        [sys.executable, str(PEAK_RSS), str(stderr_file), *command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"bench: {command[0]} did not finish within {TIMEOUT:g} s") from None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever the command left behind
        proc.wait()
    result = json.loads(out)
    lines = stderr_file.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    tail = lines[-1] if lines else ""
    return Sample(
        result["code"], result["seconds"], result["peak_kib"], counter.count - before, tail
    )


def environment() -> dict[str, str]:
    """No AWS setting of the caller's reaches either tool: only the emulator's credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CREDENTIALS, AWS_DEFAULT_REGION=REGION)
    return env


@dataclass
class Row:
    account: str
    tool: str
    samples: list[Sample]
    resources: int = 0
    api_calls: int | None = None
    findings: str = ""

    def record(self, sample: Sample, document: dict[str, Any]) -> None:
        """One of our runs: its sample, and what its run document counted."""
        self.samples.append(sample)
        self.resources = document["inventory"]["resources"]
        self.api_calls = document["inventory"]["api_calls"]
        counts = document["summary"]["findings"]
        self.findings = ", ".join(f"{n} {s}" for s, n in counts.items() if n)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def mib(self) -> float:
        return statistics.median(s.peak_kib for s in self.samples) / 1024

    @property
    def requests(self) -> float:
        return statistics.median(s.requests for s in self.samples)


def ours(emu: Emulator, scratch: Path, counter: RequestCounter, row: Row) -> dict[str, Any]:
    out = scratch / "safeguard"
    command = [
        str(SAFEGUARD), "audit", "--endpoint-url", emu.endpoint,
        "--out", str(out), "--force", "--format", "json", "--quiet",
    ]  # fmt: skip
    sample = measured(command, environment(), scratch, counter)
    if sample.code not in (0, 1, 3):
        raise SystemExit(f"bench: safeguard audit exited {sample.code}: {sample.stderr_tail}")
    document = json.loads((out / "safeguard-scan.json").read_text(encoding="utf-8"))
    row.record(sample, document)
    progress(f"  {row.tool} on {row.account}: {sample.seconds:.2f} s, {row.resources} resources")
    return document


def prowler(
    emu: Emulator, scratch: Path, counter: RequestCounter, row: Row, attempts: int
) -> prowler_peer.ProwlerRun | str:
    """One Prowler run; its findings, or why it could not run."""
    out = scratch / f"prowler-{attempts}-{len(row.samples)}"
    out.mkdir()
    command = prowler_peer.command(prowler_peer.PROWLER, REGION, out, attempts)
    env = dict(environment(), AWS_ENDPOINT_URL=emu.endpoint)
    sample = measured(command, env, scratch, counter)
    if sample.code not in (0, 3):  # 3: some check failed
        return f"exit {sample.code}: {sample.stderr_tail or 'no error line'}"
    run = prowler_peer.read_run(out)
    row.samples.append(sample)
    row.resources = run.resources
    row.findings = ", ".join(f"{n} {s}" for s, n in sorted(run.counts().items()))
    progress(f"  {row.tool} on {row.account}: {sample.seconds:.2f} s")
    return run


def prowler_startup(scratch: Path, counter: RequestCounter, row: Row) -> None:
    command = prowler_peer.startup_command(prowler_peer.PROWLER)
    sample = measured(command, environment(), scratch, counter)
    if sample.code == 0:
        row.samples.append(sample)
        progress(f"  {row.tool}: {sample.seconds:.2f} s")


def copy_config(n: int) -> dict[str, str]:
    """The prod configuration for the n-th deploy into the same account (see the module doc)."""
    return {
        "environment": f"prod{n}",
        "accountBaseline": "false",
        "vpcCidr": f"10.{39 + n}.0.0/16",
        "domainName": f"billing{n}.example.com",
    }


def table(rows: list[Row]) -> list[str]:
    """One line per tool and account; requests per resource are per resource of the account
    (our inventory's count), the same denominator for both tools."""
    inventory = {r.account: r.resources for r in rows if r.api_calls is not None}
    head = (
        f"{'account':<24} {'tool':<26} {'resources':>9} {'time s':>7} {'peak MiB':>8} "
        f"{'API calls':>9} {'requests':>8} {'req/resource':>12}"
    )
    lines = [head]
    for r in rows:
        calls = "-" if r.api_calls is None else str(r.api_calls)
        per = f"{r.requests / inventory[r.account]:.2f}" if r.account in inventory else "-"
        lines.append(
            f"{r.account:<24} {r.tool:<26} {r.resources or '-':>9} {r.seconds:>7.2f} "
            f"{r.mib:>8.1f} {calls:>9} {r.requests:>8.0f} {per:>12}"
        )
    return lines


def ratios(ours_row: Row, peer: Row) -> str:
    time_ratio, memory_ratio = ours_row.seconds / peer.seconds, ours_row.mib / peer.mib
    verdict = "met" if time_ratio <= 0.1 and memory_ratio <= 1 / 3 else "NOT met"
    return (
        f"safeguard audit / {peer.tool}: time {time_ratio:.3f} (target <= 0.1), "
        f"memory {memory_ratio:.2f} (target <= 0.33): {verdict}"
    )


@dataclass
class Results:
    ours_a: Row  # the billing system
    peers: dict[int, Row]  # Prowler on it, by attempts per call
    startup: Row  # Prowler's start-up alone
    ours_b: Row  # the account of ten deploys
    document: dict[str, Any] = field(default_factory=dict)  # our last record of the billing system
    peer_run: prowler_peer.ProwlerRun | None = None  # Prowler's first run, as shipped
    why_not: str | None = None  # why Prowler was not run, or stopped
    load: tuple[float, float] = (0.0, 0.0)  # the machine's load average before and after


def measure_all(runs: int, deploys: int, why_not: str | None) -> Results:
    billing = "billing system (prod)"
    res = Results(
        ours_a=Row(billing, "safeguard audit", []),
        peers={
            prowler_peer.SHIPPED_ATTEMPTS: Row(billing, "prowler, as shipped", []),
            prowler_peer.OUR_EMULATOR_ATTEMPTS: Row(billing, "prowler, our retry budget", []),
        },
        startup=Row("none (no API call)", "prowler start-up only", []),
        ours_b=Row(f"{deploys} deploys, 1 account", "safeguard audit", []),
        why_not=why_not,
    )
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="safeguard-bench-") as tmp, Emulator() as emu:
        scratch = Path(tmp)
        counter = RequestCounter.install()
        prepare_account(emu, [REGION])
        progress(f"emulator at {emu.endpoint}; deploying the billing system (prod stack)…")
        deploy(REPO, "prod", emu.endpoint)
        for i in range(runs):  # alternate, so drift on the machine hits every tool alike
            progress(f"run {i + 1}/{runs} on the billing system")
            res.document = ours(emu, scratch, counter, res.ours_a)
            for attempts, row in res.peers.items():
                if res.why_not is None:
                    result = prowler(emu, scratch, counter, row, attempts)
                    if isinstance(result, str):
                        res.why_not = result
                    elif res.peer_run is None:
                        res.peer_run = result
            if res.why_not is None:
                prowler_startup(scratch, counter, res.startup)
        for n in range(2, deploys + 1):
            progress(f"building the {deploys}x account: deploy {n}/{deploys}…")
            deploy(REPO, "prod", emu.endpoint, config=copy_config(n))
        for i in range(runs):
            progress(f"run {i + 1}/{runs} on the {deploys}x account")
            ours(emu, scratch, counter, res.ours_b)
    res.load = (before, os.getloadavg()[0])
    return res


def print_results(res: Results, runs: int) -> None:
    a, b = res.ours_a, res.ours_b
    peer_ran = res.why_not is None and res.peer_run is not None
    shown = [*res.peers.values(), res.startup] if peer_ran else []
    moto = importlib.metadata.version("moto")
    peer = f"Prowler {res.peer_run.version}" if res.peer_run else "Prowler"
    tools = f"safeguard audit and {peer}" if peer_ran else "safeguard audit"
    print(f"{tools} on the same emulated account (moto {moto} on 127.0.0.1)")
    print(f"median of {runs} runs; time: wall of the whole command; peak MiB: its largest")
    print("process's peak RSS (getrusage RUSAGE_CHILDREN per run); API calls: as our JSON records")
    print("them; requests: counted at the emulator, retries included, and per resource of the")
    print("account as our inventory counts them; Prowler's resources: those its findings name")
    print(f"load average (1 min) before and after: {res.load[0]:.1f}, {res.load[1]:.1f} on "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print()
    print("\n".join(table([a, *(r for r in shown if r.samples), b])))
    print()
    print(f"findings, safeguard audit on {a.account}: {a.findings}")
    print(f"findings, safeguard audit on {b.account}: {b.findings}")
    print(
        f"{b.account}: {b.resources / a.resources:.1f}x the resources, "
        f"{b.seconds / a.seconds:.1f}x the time, {b.mib / a.mib:.1f}x the peak memory of the "
        "billing system"
    )
    if not peer_ran or res.peer_run is None:
        print(f"Prowler: not run ({res.why_not})")
        return
    for row in res.peers.values():
        print(f"findings, {row.tool}: {row.findings}")
    gaps = len(res.document["source"]["not_collected"])
    print(
        f"Prowler reported on {len({f.check for f in res.peer_run.findings})} checks and logged "
        f"{res.peer_run.logged_errors} ERROR lines (calls that failed, then skipped); we recorded "
        f"{gaps} collection gaps, each a NOT_EVALUATED finding with its reason"
    )
    for row in res.peers.values():
        print(ratios(a, row))
    if res.startup.samples:
        print(f"Prowler's start-up alone takes {res.startup.seconds / a.seconds:.1f}x our audit")
    print()
    print("\n".join(prowler_peer.comparison(res.peer_run, res.document)))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--deploys", type=int, default=10, choices=range(2, 51), metavar="2..50")
    parser.add_argument("--no-prowler", action="store_true", help="measure our audit only")
    args = parser.parse_args()
    why_not = None
    if args.no_prowler:
        why_not = "--no-prowler"
    elif not prowler_peer.PROWLER.exists():
        why_not = "bench/.prowler-venv not found (make it with: bash bench/prowler_env.sh)"
    print_results(measure_all(args.runs, args.deploys, why_not), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
