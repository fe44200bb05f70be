"""`--with-checkov`: run checkov, from its own virtualenv, on the inventory as a Terraform plan.

checkov lives in `.venv-checkov` (scripts/setup_checkov.sh): its pins would drag this project's
Pulumi back. It runs offline: `--skip-download` and `BC_SKIP_MAPPING=TRUE` keep it from asking
the vendor's API for policies and severities, and no proxy or API key is passed on.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from checks.checkov_findings import CheckovRun, parse_results
from checks.errors import InputError
from checks.terraform_plan import to_plan

REPO = Path(__file__).resolve().parents[2]
SETUP = "bash scripts/setup_checkov.sh"
# checkov's own run time, plus its start-up (a few seconds for a few hundred resources).
TIMEOUT = 900.0

# What checkov may reach for besides the file: the vendor platform, the package scan, telemetry.
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "CKV_NO_OUTPUT_WAIT": "true",
    "LOG_LEVEL": "WARNING",
}
_DROPPED = ("BC_API_KEY", "PRISMA_API_URL")
_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")


def checkov_executable(root: Path | None = None) -> Path:
    """The checkov of `.venv-checkov`, or an InputError naming the script that creates it."""
    env_dir = Path(os.environ.get("SAFEGUARD_CHECKOV_VENV") or (root or REPO) / ".venv-checkov")
    exe = env_dir / "bin" / "checkov"
    if not exe.is_file():
        raise InputError(
            f"--with-checkov: checkov's environment {env_dir} is missing; create it with `{SETUP}`"
        )
    return exe


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (*_DROPPED, *_PROXIES)}
    env.update(OFFLINE_ENV)
    return env


def run_checkov(plan_file: Path, exe: Path, timeout: float = TIMEOUT) -> dict | list:
    """checkov's JSON report on a plan file (exit 1 only means it found failures)."""
    command = [
        str(exe),
        "-f",
        str(plan_file),
        "--framework",
        "terraform_plan",
        "--skip-download",
        "--output",
        "json",
        "--compact",
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=offline_env(), timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"--with-checkov: checkov ran longer than {timeout:.0f} s") from None
    if done.returncode not in (0, 1):
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise InputError(f"--with-checkov: checkov failed (exit {done.returncode}): {last}")
    try:
        return json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        raise InputError("--with-checkov: checkov's report is not JSON") from None


def checkov_on(resources, exe: Path) -> CheckovRun:
    """checkov's verdicts on `resources`, written to a temporary plan file it reads."""
    plan = to_plan(resources)
    with tempfile.TemporaryDirectory(prefix="safeguard-checkov-") as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(plan.document))
        report = run_checkov(plan_file, exe)
    version, failed, passed = parse_results(report)
    return CheckovRun(version, tuple(failed), tuple(passed), plan)
