"""`safeguard demo`, as the README's first command runs it: the whole loop, in one process."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _statuses(record: Path) -> dict[str, int]:
    findings = json.loads(record.read_text(encoding="utf-8"))["findings"]
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding["status"]] = counts.get(finding["status"], 0) + 1
    return counts


def test_the_demo_deploys_audits_changes_and_catches_every_change(tmp_path):
    out = tmp_path / "demo"
    # A user's shell pointed at a real account: the demo must not follow it anywhere.
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_PROFILE": "production-admin",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_CONFIG_FILE": str(tmp_path / "missing-config"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "demo", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    first, second = out / "1-as-deployed", out / "2-after-console-changes"
    for folder in (first, second):
        assert {"safeguard-report.html", "safeguard-scan.json", "manifest.json"} <= {
            p.name for p in folder.iterdir()
        }
    assert _statuses(first / "safeguard-scan.json").get("FAIL", 0) == 0
    after = json.loads((second / "safeguard-scan.json").read_text(encoding="utf-8"))
    new = {f["check_id"] for f in after["trend"]["findings"]["new"]}
    caught = {"sg_no_internet_admin_ports", "s3_bucket_sse_kms", "cloudtrail_enabled_multi_region"}
    assert caught <= new
    assert "NOT CAUGHT" not in run.stdout
    assert re.search(r"FAIL sg_no_internet_admin_ports: hipaa-billing-prod-app", run.stdout)
    # The emulator it started is gone: its port no longer answers.
    port = int(re.search(r"127\.0\.0\.1:(\d+)", run.stderr).group(1))
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    # Not a terminal: summary lines only, no per-resource deploy chatter, no tracebacks.
    assert "Traceback" not in run.stderr
    assert len(run.stderr.splitlines()) < 30


def test_a_second_demo_into_the_same_folder_needs_force(tmp_path):
    out = tmp_path / "demo" / "1-as-deployed"
    out.mkdir(parents=True)
    (out / "safeguard-scan.json").write_text("{}", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "demo", "--out", str(tmp_path / "demo")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") <= 12 and "--force" in run.stderr
