"""The nightly's verdict and summary on hand-built run records (tests/emulator/test_nightly.py
runs it against the emulator), and the options it refuses before reading anything."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policies.exit_codes import ExitCode
from policies.nightly import judge
from reports.nightly_summary import MAX_LINES, summary_lines

REPO = Path(__file__).resolve().parents[2]
GROUP = {"type": "aws:ec2/securityGroup:SecurityGroup", "name": "app", "id": "sg-1", "arn": None}
BUCKET = {"type": "aws:s3/bucket:Bucket", "name": "docs", "id": "docs", "arn": "arn:aws:s3:::docs"}


def finding(fid: str, check: str, severity: str, resource: dict | None, status: str = "FAIL"):
    return {"id": fid, "check_id": check, "title": f"{check} title", "severity": severity,
            "status": status, "resource": resource}  # fmt: skip


def entry(fid: str) -> dict[str, Any]:
    return {"id": fid}


def record(findings: list[dict], trend: dict | None = None, drift: dict | None = None) -> dict:
    doc: dict[str, Any] = {
        "generated_at": "2025-06-02T02:00:00Z",
        "source": {"kind": "aws", "accounts": ["111111111111"], "regions": ["us-east-1"]},
        "summary": {"findings": {"FAIL": 3, "PASS": 40, "WAIVED": 1, "NOT_EVALUATED": 2}},
        "checks": [
            {"id": "sg_open", "title": "No admin port open", "severity": "critical"},
            {"id": "s3_sse", "title": "Bucket encrypted", "severity": "high"},
        ],
        "findings": findings,
    }
    if trend is not None:
        doc["trend"] = trend
    if drift is not None:
        doc["drift"] = drift
    return doc


def trend(**found: list[str]) -> dict[str, Any]:
    categories = ("new", "regressed", "new_check", "persisting", "fixed", "removed")
    counts = {c: len(found.get(c, [])) for c in categories}
    return {
        "previous": {"generated_at": "2025-06-01T02:00:00Z"},
        "counts": {**counts, "resolved": counts["fixed"] + counts["removed"]},
        "findings": {c: [entry(i) for i in found.get(c, [])] for c in categories},
    }


FINDINGS = [
    finding("f1", "sg_open", "critical", GROUP),
    finding("f2", "s3_sse", "high", BUCKET),
    finding("f3", "iam_mfa", "low", None),
]


def test_the_first_night_counts_every_blocking_failure_as_new():
    night = judge(record(FINDINGS), blocking_failures=["f1", "f2"], blocking_unknowns=0)
    assert night.first is True
    assert night.new_failures == 2
    assert [(a.check_id, a.resource, a.why) for a in night.attention] == [
        ("sg_open", "app (sg-1)", ("new",)),
        ("s3_sse", "docs", ("new",)),
    ]
    assert night.exit_code is ExitCode.FAILED


def test_a_later_night_fails_on_new_regressed_and_new_check_failures_only():
    changes = trend(new=["f2"], regressed=["f1"], new_check=["f3"], persisting=["f9"])
    night = judge(record(FINDINGS, changes), ["f1", "f2", "f3", "f9"], 0)
    assert [(a.check_id, a.why) for a in night.attention] == [
        ("sg_open", ("regressed",)),
        ("s3_sse", ("new",)),
        ("iam_mfa", ("new check",)),
    ]
    assert night.attention[2].resource == "the account"
    assert (night.first, night.new_failures, night.exit_code) == (False, 3, ExitCode.FAILED)


def test_persisting_failures_and_failures_that_do_not_block_pass_the_night():
    # f2 is new but below --fail-on (or waived): the gate does not block on it.
    night = judge(record(FINDINGS, trend(new=["f2"], persisting=["f1"])), ["f1"], 0)
    assert (night.attention, night.new_failures, night.exit_code) == ((), 0, ExitCode.OK)


def test_blind_spots_give_exit_3_unless_something_new_fails():
    drift = {"verdicts": [], "not_seen": [{"resource": BUCKET}], "summary": {}}
    quiet = judge(record(FINDINGS, trend(persisting=["f1"]), drift), ["f1"], 2)
    assert (quiet.unseen, quiet.exit_code) == (3, ExitCode.NOT_EVALUATED)
    loud = judge(record(FINDINGS, trend(new=["f1"]), drift), ["f1"], 2)
    assert loud.exit_code is ExitCode.FAILED


def test_drift_that_breaks_a_check_fails_every_night_and_joins_its_finding():
    verdicts = [
        {"check_id": "sg_open", "resource": {**GROUP, "name": "app-sg-logical"},
         "declared": "PASS", "live": "FAIL"},
        {"check_id": "s3_sse", "resource": BUCKET, "declared": "PASS", "live": "FAIL"},
        {"check_id": "s3_sse", "resource": GROUP, "declared": "FAIL", "live": "PASS"},
    ]  # fmt: skip
    drift = {"verdicts": verdicts, "not_seen": []}
    night = judge(record(FINDINGS, trend(new=["f1"], persisting=["f2"]), drift), ["f1", "f2"], 0)
    assert [(a.check_id, a.resource, a.why) for a in night.attention] == [
        ("sg_open", "app (sg-1)", ("new", "drift broke it")),
        ("s3_sse", "docs", ("drift broke it",)),
    ]
    assert (night.new_failures, night.breaking, night.exit_code) == (1, 2, ExitCode.FAILED)
    assert night.attention[1].severity == "high"  # from the check, the finding persisting


def test_two_account_level_failures_of_one_check_are_two_lines():
    # One account-level finding per region: no resource, one check, two ids.
    regions = [finding("fa", "iam_mfa", "low", None), finding("fb", "iam_mfa", "low", None)]
    night = judge(record(regions), ["fa", "fb"], 0)
    assert [(a.check_id, a.resource) for a in night.attention] == [
        ("iam_mfa", "the account"),
        ("iam_mfa", "the account"),
    ]


def test_the_summary_says_what_is_new_most_severe_first():
    doc = record(FINDINGS, trend(new=["f2", "f1"], persisting=["f3"]))
    lines = summary_lines(doc, judge(doc, ["f1", "f2"], 0), Path("out/safeguard-report.html"))
    assert lines == [
        "### HIPAA nightly audit: 2 new failures",
        "Account 111111111111 · us-east-1 · 2025-06-02T02:00:00Z · exit 1  ",
        "Since the last run (2025-06-01T02:00:00Z): 2 new, 0 regressed, 0 under new checks, "
        "0 resolved, 1 persisting.  ",
        "Findings now: 3 FAIL · 40 PASS · 1 WAIVED · 2 NOT_EVALUATED.  ",
        "Full report: `out/safeguard-report.html`  ",
        "Needs attention, most severe first:",
        "- **critical** `sg_open` (sg_open title) on `app (sg-1)`: new",
        "- **high** `s3_sse` (s3_sse title) on `docs`: new",
    ]


def test_a_quiet_night_and_the_first_night_say_so():
    doc = record(FINDINGS, trend(persisting=["f1"]))
    assert summary_lines(doc, judge(doc, ["f1"], 0), Path("r"))[0] == (
        "### HIPAA nightly audit: no new failure"
    )
    first = record([])
    lines = summary_lines(first, judge(first, [], 0), Path("r"))
    assert lines[0] == "### HIPAA nightly audit: first night, no blocking failure"
    assert lines[2] == (
        "No earlier run of this scope in the history: every failure counts as new.  "
    )


def test_the_summary_is_capped_at_a_dozen_lines_with_and_n_more():
    many = [finding(f"f{i:02}", f"check_{i:02}", "medium", {**GROUP, "id": f"sg-{i}"})
            for i in range(30)]  # fmt: skip
    drift = {
        "states": [{"file": "a.json"}, {"file": "b.json"}],
        "verdicts": [],
        "not_seen": [],
        "summary": {"changed_properties": 4, "breaking_changes": 0, "gone": 1,
                    "unmanaged": 2, "not_seen": 0},
    }  # fmt: skip
    doc = record(many, None, drift)
    lines = summary_lines(doc, judge(doc, [f["id"] for f in many], 0), Path("r"))
    assert len(lines) == MAX_LINES
    assert lines[0] == "### HIPAA nightly audit: first night, 30 blocking failures, every one new"
    assert lines[4] == (
        "Drift from 2 stack exports: 4 changed properties (0 breaking a check), 1 gone, "
        "2 unmanaged, 0 not seen.  "
    )
    assert lines[7].startswith("- **medium** `check_00` ")
    assert lines[-1] == "- and 26 more"


def test_names_cannot_break_the_markdown_or_the_lines():
    odd = finding("f1", "sg_open", "critical", {**GROUP, "name": "a`b\nc", "id": "x" * 200})
    doc = record([odd])
    (item,) = [line for line in summary_lines(doc, judge(doc, ["f1"], 0), Path("r"))
               if line.startswith("- ")]  # fmt: skip
    assert "`a'b" in item and "\n" not in item
    assert "x" * 100 not in item and "…" in item


def _nightly(*options: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.cli", "nightly", "--endpoint-url", "http://127.0.0.1:9",
         *options],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(cwd)},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (("--previous", "last"), "--previous: the nightly compares with the last recorded run"),
        (("--no-history",), "--no-history: the nightly records every run"),
        (("--summary", "."), "--summary .: a folder; name a file"),
        (("--state", "missing.json"), "missing.json"),
    ],
)
def test_what_the_nightly_cannot_run_with_is_one_line_and_exit_2(tmp_path, options, says):
    proc = _nightly(*options, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("safeguard: error: ") and says in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert not (tmp_path / ".safeguard").exists()


# -- the systemd timer (docs/systemd), the alternative off GitHub -----------------------------

SYSTEMD = REPO / "docs" / "systemd"


def unit_file(name: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as {section: {key: [values, in order]}} (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in (SYSTEMD / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{name}: {raw!r}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_the_timer_starts_the_service_every_night_and_catches_up_missed_nights():
    timer = unit_file("safeguard-nightly.timer")
    assert set(timer) == {"Unit", "Timer", "Install"}
    assert timer["Timer"]["OnCalendar"] == ["*-*-* 03:23:00 UTC"]
    assert timer["Timer"]["Persistent"] == ["true"]
    assert timer["Timer"]["Unit"] == ["safeguard-nightly.service"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


def test_the_service_runs_safeguard_nightly_as_a_dedicated_user_with_a_read_only_profile():
    service = unit_file("safeguard-nightly.service")
    assert set(service) == {"Unit", "Service"}
    unit = service["Service"]
    assert (unit["Type"], unit["User"], unit["Group"]) == (
        ["oneshot"],
        ["safeguard"],
        ["safeguard"],
    )
    assert unit["StateDirectory"] == ["safeguard"]
    for hardening in ("NoNewPrivileges", "ProtectHome", "PrivateTmp"):
        assert unit[hardening] == ["yes"], hardening
    assert unit["ProtectSystem"] == ["strict"]
    assert "SAFEGUARD_HISTORY=/var/lib/safeguard/history.sqlite" in unit["Environment"]
    (command,) = unit["ExecStart"]
    argv = shlex.split(command)
    assert Path(argv[0]).name == "safeguard" and argv[1] == "nightly"
    # The command line is one the real parser accepts, with the options the README describes.
    from scripts.cli import build_parser
    from scripts.commands import nightly

    args = build_parser().parse_args(argv[1:])
    assert args.handler is nightly.run
    assert (args.aws_profile, args.state, args.force) == (
        "safeguard-audit",
        ["/etc/safeguard/stacks/prod.json"],
        True,
    )
    assert args.summary == "/var/lib/safeguard/nightly-summary.md"
