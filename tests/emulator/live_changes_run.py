"""The console-changes scenario, run in a process of its own: `python -m
tests.emulator.live_changes_run OUT` starts an emulator, gives the account the governed baseline,
deploys the billing stack (prod), audits it with `safeguard audit`, makes every change of
`CHANGES` through boto3 and audits again. It writes OUT/before/ and OUT/after/ (the audits'
JSON reports) and OUT/scenario.json (each audit's exit code and time, the deploy's outcome, and
what each change expects the second audit to find).

Its own process, because moto's backends belong to the process, not to an emulator: every
emulator of a test process shares them, and each test's `aws` fixture empties them. Here no
other test can empty the account mid-scenario, and the scenario empties no other test's.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from checks.sources.aws.emulator import CREDENTIALS, Emulator
from scripts.emulate.baseline import prepare_account
from scripts.emulate.clients import Clients
from scripts.emulate.deploy import deploy
from tests.emulator import changes_identity, changes_network
from tests.emulator.console_account import REGION, Account, Change

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = Path(sys.executable).with_name("safeguard")
CHANGES: tuple[Change, ...] = changes_network.CHANGES + changes_identity.CHANGES
# Environment settings that could point the audit anywhere but the emulator.
ELSEWHERE = ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ELSEWHERE}
    return {**env, **CREDENTIALS, "AWS_DEFAULT_REGION": REGION}


def audit(endpoint: str, out: Path) -> dict[str, Any]:
    """`safeguard audit` of the emulated account, as a user runs it: its exit code, stderr and
    time (the JSON report is in `out`)."""
    started = time.monotonic()
    proc = subprocess.run(
        [str(SAFEGUARD), "audit", "--endpoint-url", endpoint, "--out", str(out), "--force",
         "--format", "json", "--quiet"],
        env=environment(), capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    return {"exit_code": proc.returncode, "stderr": proc.stderr,
            "seconds": time.monotonic() - started}  # fmt: skip


def run(out: Path) -> dict[str, Any]:
    # AdministratorAccess (and the stack's AWS managed policies) exist only when loaded.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    with Emulator() as emu:
        started = time.monotonic()
        prepare_account(emu, [REGION])
        report = deploy(REPO, "prod", emu.endpoint)
        deployed = time.monotonic() - started
        before = audit(emu.endpoint, out / "before")
        account = Account(emu, report, Clients(emu.endpoint, REGION))
        started = time.monotonic()
        expected = {c.what: [dataclasses.asdict(x) for x in c.make(account)] for c in CHANGES}
        changed = time.monotonic() - started
        after = audit(emu.endpoint, out / "after")
    scenario = {
        "deploy": {"summary": report.summary(), "failure": dict(report.failure or {}) or None},
        "audits": {"before": before, "after": after},
        "expected": expected,
        "seconds": {"deploy": deployed, "audit before": before["seconds"],
                    "changes": changed, "audit after": after["seconds"]},
    }  # fmt: skip
    (out / "scenario.json").write_text(json.dumps(scenario, indent=1), encoding="utf-8")
    return scenario


if __name__ == "__main__":
    run(Path(sys.argv[1]))
