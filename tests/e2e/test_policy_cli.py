"""The policy side of the command: waivers, profiles, `safeguard checks` and `framework`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.e2e.test_scan_cli import PROGRAMS, _artifact_texts, run

INSECURE_DB_URN = "urn:pulumi:dev::insecure::aws:rds/instance:Instance::patients-db"


def _waivers(tmp_path: Path, expires: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n"
        "  - id: W-TEST-1\n"
        "    check: rds_instance_deletion_protection\n"
        f'    resources: ["{INSECURE_DB_URN}"]\n'
        "    type: risk_acceptance\n"
        "    justification: Test fixture database, rebuilt nightly.\n"
        "    approver: Dana Lee, Security Official\n"
        "    approved: 2026-01-01\n"
        f"    expires: {expires}\n"
    )
    return path


def test_waived_finding_stays_visible_in_every_output(tmp_path):
    out = tmp_path / "out"
    proc = run(
        "scan",
        str(PROGRAMS / "insecure"),
        "--waivers",
        str(_waivers(tmp_path, "2099-01-01")),
        "--out",
        str(out),
        env={"SOURCE_DATE_EPOCH": "1790000000"},
    )
    assert proc.returncode == 1, proc.stderr  # other failures still block
    doc = json.loads((out / "safeguard-scan.json").read_text())
    waived = [f for f in doc["findings"] if f["status"] == "WAIVED"]
    assert [(f["check_id"], f["waiver_id"]) for f in waived] == [
        ("rds_instance_deletion_protection", "W-TEST-1")
    ]
    assert doc["waivers"][0]["status"] == "active"
    assert doc["waivers"][0]["covers_findings"] == [waived[0]["id"]]
    md = (out / "safeguard-scan.md").read_text()
    assert "### Waived (still visible)" in md and "W-TEST-1" in md


def test_expired_waiver_fails_the_gate_even_under_a_lenient_threshold(tmp_path):
    out = tmp_path / "out"
    proc = run(
        "scan",
        str(PROGRAMS / "insecure"),
        "--waivers",
        str(_waivers(tmp_path, "2026-02-01")),
        "--fail-on",
        "critical",
        "--format",
        "json,md",
        "--out",
        str(out),
        env={"SOURCE_DATE_EPOCH": "1790000000"},
    )
    assert proc.returncode == 1
    doc = json.loads((out / "safeguard-scan.json").read_text())
    assert doc["waivers"][0]["status"] == "expired"
    assert len(doc["gate"]["reopened_by_expired_waivers"]) == 1
    assert "Expired waivers reopen their findings" in (out / "safeguard-scan.md").read_text()


def test_malformed_waiver_file_is_exit_2_with_file_and_line(tmp_path):
    bad = tmp_path / "waivers.yaml"
    bad.write_text("waivers:\n  - id: W-1\n    check: rds_instance_deletion_protection\n")
    proc = run("scan", str(PROGRAMS / "insecure"), "--waivers", str(bad), "--out", str(tmp_path))
    assert proc.returncode == 2
    assert f"{bad}: line 2: waiver W-1 is missing" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_profile_is_exit_2(tmp_path):
    proc = run("scan", "--profile", "lenient", "--out", str(tmp_path))
    assert proc.returncode == 2
    assert "no such profile" in proc.stderr


def test_checks_command_lists_every_check_with_its_metadata():
    proc = run("checks")
    assert proc.returncode == 0
    line = next(x for x in proc.stdout.splitlines() if x.startswith("rds_storage_encrypted_cmk"))
    assert "high" in line and "RDS-01" in line and "rds-storage-encrypted" in line
    assert "164.312(a)(2)(iv)" in line


def test_framework_command_accounts_for_every_specification():
    proc = run("framework")
    assert proc.returncode == 0
    rows = [x for x in proc.stdout.splitlines() if x.startswith("164.3")]
    assert len(rows) == 68
    assert any(r.startswith("164.310(a)(2)(ii)") and "inherited" in r for r in rows)
    assert "Nothing here is a claim of compliance" in proc.stdout


def test_all_formats_a_manifest_and_verify(tmp_path):
    out = tmp_path / "run"
    proc = run("scan", str(PROGRAMS / "insecure"), "--format", "all", "--out", str(out), "-q")
    assert proc.returncode == 1, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "manifest.json",
        "safeguard-findings.csv",
        "safeguard-report.html",
        "safeguard-report.pdf",
        "safeguard-scan.json",
        "safeguard-scan.junit.xml",
        "safeguard-scan.md",
        "safeguard-scan.ocsf.jsonl",
        "safeguard-scan.sarif",
    ]
    assert run("verify", str(out)).returncode == 0
    tampered = out / "safeguard-findings.csv"
    tampered.write_text(tampered.read_text().replace("FAIL", "PASS"))
    proc = run("verify", str(out))
    assert proc.returncode == 1
    assert "safeguard-findings.csv" in proc.stderr
    assert run("verify", str(tmp_path)).returncode == 2  # no manifest there


def test_report_rerenders_a_stored_run_to_the_same_bytes(tmp_path):
    env = {"SOURCE_DATE_EPOCH": "1790000000"}
    first = tmp_path / "first"
    run("scan", str(PROGRAMS / "insecure"), "--format", "all", "--out", str(first), "-q", env=env)
    again = tmp_path / "again"
    proc = run("report", str(first / "safeguard-scan.json"), "--out", str(again))
    assert proc.returncode == 0, proc.stderr
    for name in ("safeguard-scan.sarif", "safeguard-scan.md", "safeguard-findings.csv"):
        assert (again / name).read_bytes() == (first / name).read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    proc = run("report", str(bad), "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and f"{bad}: not valid JSON: line 1" in proc.stderr


FIXTURES = PROGRAMS.parent / "fixtures" / "pulumi"


def test_state_file_with_plaintext_secrets_leaks_nothing(tmp_path):
    out = tmp_path / "run"
    proc = run(
        "scan",
        "--state",
        str(FIXTURES / "state_v4_billing_show_secrets.json"),
        "--format",
        "all",
        "--out",
        str(out),
    )
    assert proc.returncode in (1, 3), proc.stderr
    for text in [proc.stdout, proc.stderr, *_artifact_texts(out)]:
        assert "S3cr3t-Billing-Passw0rd!" not in text
    doc = json.loads((out / "safeguard-scan.json").read_text())
    assert doc["source"]["kind"] == "state"
    assert any("pending" in e["reason"] for e in doc["source"]["excluded"])


def test_preview_unknowns_are_not_evaluated_never_pass(tmp_path):
    proc = run(
        "scan", "--preview", str(FIXTURES / "preview_billing_update.json"), "--out", str(tmp_path)
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads((tmp_path / "safeguard-scan.json").read_text())
    cmk = [f for f in doc["findings"] if f["check_id"] == "rds_storage_encrypted_cmk"]
    assert [f["status"] for f in cmk] == ["NOT_EVALUATED"]
    assert "not known" in cmk[0]["message"]


def test_bad_state_files_are_exit_2_with_the_file_named(tmp_path):
    for name, problem in (
        ("state_v5_unsupported.json", "unsupported deployment version 5 (supported: 3, 4)"),
        ("state_malformed.json", "not valid JSON: line 44"),
    ):
        proc = run("scan", "--state", str(FIXTURES / name), "--out", str(tmp_path))
        assert proc.returncode == 2
        assert f"{FIXTURES / name}: {problem}" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_previous_run_adds_a_trend_and_a_different_scope_is_refused(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run("scan", str(PROGRAMS / "insecure"), "--out", str(first), "-q").returncode == 1
    proc = run(
        "scan",
        str(PROGRAMS / "insecure"),
        "--previous",
        str(first / "safeguard-scan.json"),
        "--format",
        "json,html",
        "--out",
        str(second),
        "-q",
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads((second / "safeguard-scan.json").read_text())
    assert doc["trend"]["counts"]["persisting"] == doc["summary"]["findings"]["FAIL"]
    assert doc["risks"] and all(r["risk_id"].startswith("R-") for r in doc["risks"])
    assert "Trend" in (second / "safeguard-report.html").read_text()

    other = run("scan", "--out", str(tmp_path / "x"), "--previous", str(first), "-q")
    assert other.returncode == 2
    assert "safeguard: error:" in other.stderr and "Traceback" not in other.stderr


def test_html_and_pdf_formats_from_the_command(tmp_path):
    proc = run(
        "scan", str(PROGRAMS / "insecure"), "--format", "html,pdf", "--out", str(tmp_path), "-q"
    )
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "safeguard-report.pdf").read_bytes()[:5] == b"%PDF-"
    html = (tmp_path / "safeguard-report.html").read_text()
    assert "Executive summary" in html and "<svg" in html


def _git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "Safeguard Test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Safeguard Test", "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": "2026-09-21T00:00:00Z", "GIT_COMMITTER_DATE": "2026-09-21T00:00:00Z",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }  # fmt: skip
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True, text=True, env={**os.environ, **env}, check=True, timeout=60,
    )  # fmt: skip
    return proc.stdout.strip()


def test_sla_file_sets_due_dates_and_the_program_commit_is_recorded(tmp_path):
    # The program in a repository of its own, committed: the scan must record that commit.
    program = tmp_path / "program"
    shutil.copytree(PROGRAMS / "insecure", program)
    _git(program, "init", "-q", "-b", "main")
    _git(program, "add", "-A")
    _git(program, "commit", "-q", "-m", "the program under scan")
    sha = _git(program, "rev-parse", "HEAD")
    sla = tmp_path / "sla.yaml"
    sla.write_text("high: 14\n")
    env = {"SOURCE_DATE_EPOCH": "1790000000"}  # 2026-09-21
    proc = run("scan", str(program), "--sla", str(sla), "--out", str(tmp_path / "o"), env=env)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads((tmp_path / "o" / "safeguard-scan.json").read_text())
    high = [r for r in doc["risks"] if r["risk"] == "high"]
    assert high and {(r["sla_days"], r["due_date"]) for r in high} == {(14, "2026-10-05")}
    assert doc["source"]["commit"] == {"sha": sha, "uncommitted_changes": False}
    # A change not committed yet is said so, against the same commit.
    (program / "__main__.py").write_text((program / "__main__.py").read_text() + "\n# edited\n")
    again = run("scan", str(program), "--out", str(tmp_path / "o2"), "--format", "json", env=env)
    assert again.returncode == 1, again.stderr
    doc = json.loads((tmp_path / "o2" / "safeguard-scan.json").read_text())
    assert doc["source"]["commit"] == {"sha": sha, "uncommitted_changes": True}
