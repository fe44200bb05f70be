"""The organisation fan-out workflow (.github/workflows/org-audit.yml), checked as data: its
triggers, the jobs and what each may do, pinned actions, OIDC instead of stored keys, and its
shell steps run here as the runner would run them, with a stand-in for `safeguard`."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ORG_FILE = REPO / ".github" / "workflows" / "org-audit.yml"
ORG = yaml.safe_load(ORG_FILE.read_text())
JOBS = ORG["jobs"]
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")


def _step(job: str, name: str) -> dict:
    (step,) = [s for s in JOBS[job]["steps"] if s.get("name") == name]
    return step


def _uses(job: str) -> list[str]:
    return [s["uses"].split("@")[0] for s in JOBS[job]["steps"] if "uses" in s]


def _run(script: str, env: dict[str, str], cwd: Path) -> tuple[int, dict[str, str], str]:
    output = cwd / "github_output"
    output.write_text("")
    summary = cwd / "step_summary"
    summary.write_text("")
    proc = subprocess.run(
        ["bash", "-e", "-c", script],
        env={**os.environ, **env, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
             "RUNNER_TEMP": str(cwd)},
        cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    pairs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc.returncode, pairs, summary.read_text()


def _fake_safeguard(tmp_path: Path, stdout: str, code: int) -> Path:
    fake = tmp_path / "safeguard"
    fake.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/args"\nprintf \'%s\' \'{stdout}\'\n'
        f"exit {code}\n"
    )
    fake.chmod(0o755)
    return fake


def test_it_runs_weekly_and_on_demand_one_at_a_time():
    assert ORG.get("on", ORG.get(True)) == {
        "schedule": [{"cron": "41 4 * * 1"}],
        "workflow_dispatch": None,
    }
    assert ORG["concurrency"] == {"group": "org-audit", "cancel-in-progress": False}


def test_three_jobs_list_then_audit_each_account_then_merge():
    assert list(JOBS) == ["accounts", "audit", "merge"]
    assert JOBS["audit"]["needs"] == "accounts"
    assert JOBS["audit"]["strategy"]["matrix"] == {
        "account": "${{ fromJSON(needs.accounts.outputs.accounts) }}"
    }
    assert JOBS["audit"]["strategy"]["fail-fast"] is False
    assert JOBS["merge"]["needs"] == ["accounts", "audit"]
    # The merge runs when some audits failed: a missing account must fail it, not skip it.
    assert JOBS["merge"]["if"] == "always() && needs.accounts.result == 'success'"


def test_each_job_has_only_the_permissions_it_uses():
    assert ORG["permissions"] == {"contents": "read"}
    assert {name: job["permissions"] for name, job in JOBS.items()} == {
        "accounts": {"id-token": "write", "contents": "read"},
        "audit": {"id-token": "write", "contents": "read"},
        "merge": {"contents": "read"},
    }


def test_every_action_is_pinned_with_its_version_in_a_comment():
    lines = [line for line in ORG_FILE.read_text().splitlines() if "uses:" in line]
    assert len(lines) == 11
    for line in lines:
        ref, _, comment = line.split("uses:", 1)[1].strip().partition("#")
        assert PINNED.match(ref.strip()), line
        assert re.fullmatch(r" v\d+(\.\d+)*", comment), line


def test_aws_is_reached_with_oidc_only_and_the_merge_touches_no_account():
    text = ORG_FILE.read_text()
    assert "secrets." not in text
    assert "aws-access-key-id" not in text
    assert "configure-aws-credentials" not in " ".join(_uses("merge"))
    lister = _step("accounts", "Assume the organisation lister role (OIDC)")["with"]
    assert lister["role-to-assume"] == "${{ vars.SAFEGUARD_ORG_LISTER_ROLE_ARN }}"
    auditor = _step("audit", "Assume the auditor role (OIDC)")["with"]
    assert auditor["role-to-assume"] == "${{ steps.role.outputs.arn }}"


def test_no_value_is_pasted_into_a_shell_script():
    for job in JOBS.values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step.get("name")


def test_each_audit_keeps_its_run_and_the_merge_downloads_them_all():
    keep = _step("audit", "Keep the run")
    assert keep["with"]["name"] == "safeguard-run-${{ matrix.account }}"
    assert keep["with"]["path"] == "run"
    (download,) = [s for s in JOBS["merge"]["steps"] if "download-artifact" in s.get("uses", "")]
    assert download["with"] == {"pattern": "safeguard-run-*", "path": "runs"}


def test_the_accounts_step_lists_with_the_include_and_exclude_lists(tmp_path):
    fake = _fake_safeguard(tmp_path, '["111111111111","222222222222"]', 0)
    script = _step("accounts", "List the ACTIVE accounts")["run"]
    env = {"SAFEGUARD_BIN": str(fake), "INCLUDE": "", "EXCLUDE": "333333333333"}
    code, out, _ = _run(script, env, tmp_path)
    assert (code, out) == (0, {"accounts": '["111111111111","222222222222"]'})
    assert (tmp_path / "args").read_text().splitlines() == [
        "audit", "--org", "--list-accounts", "--org-exclude", "333333333333",
    ]  # fmt: skip


def test_the_role_step_refuses_anything_but_an_account_id(tmp_path):
    script = _step("audit", "The auditor role of this account")["run"]
    code, out, _ = _run(script, {"ACCOUNT": "111111111111", "ROLE_NAME": "auditor"}, tmp_path)
    assert (code, out) == (0, {"arn": "arn:aws:iam::111111111111:role/auditor"})
    code, out, _ = _run(script, {"ACCOUNT": "1; rm -rf /", "ROLE_NAME": "auditor"}, tmp_path)
    assert (code, out) == (2, {})


def test_an_audit_job_fails_only_when_the_account_could_not_be_audited(tmp_path):
    script = _step("audit", "Fail if the account could not be audited")["run"]
    results = {c: _run(script, {"EXIT_CODE": c}, tmp_path)[0] for c in ("0", "1", "2", "3", "")}
    assert results == {"0": 0, "1": 0, "2": 2, "3": 0, "": 2}


def _runs(tmp_path: Path, *accounts: str) -> None:
    for account in accounts:
        folder = tmp_path / "runs" / f"safeguard-run-{account}"
        folder.mkdir(parents=True)
        (folder / "safeguard-scan.json").write_text("{}")


def test_the_merge_step_merges_every_run_and_passes_the_gate_on(tmp_path):
    _runs(tmp_path, "111111111111", "222222222222")
    fake = _fake_safeguard(tmp_path, "", 1)
    script = _step("merge", "safeguard merge")["run"]
    env = {"SAFEGUARD_BIN": str(fake), "ACCOUNTS": '["111111111111","222222222222"]'}
    code, out, summary = _run(script, env, tmp_path)
    assert (code, out, summary) == (0, {"exit-code": "1"}, "")
    assert (tmp_path / "args").read_text().splitlines() == [
        "merge", "runs/safeguard-run-111111111111/", "runs/safeguard-run-222222222222/",
        "--out", "safeguard-org-report", "--format", "json,md,html,csv,sarif",
    ]  # fmt: skip


def test_an_account_without_a_run_fails_the_merge_and_is_named(tmp_path):
    _runs(tmp_path, "111111111111")
    fake = _fake_safeguard(tmp_path, "", 0)
    script = _step("merge", "safeguard merge")["run"]
    env = {"SAFEGUARD_BIN": str(fake), "ACCOUNTS": '["111111111111","222222222222"]'}
    code, out, summary = _run(script, env, tmp_path)
    assert (code, out) == (0, {"exit-code": "2"})
    assert summary == "No run for: 222222222222\n"


def test_the_last_step_fails_the_merge_job_on_any_code_but_0(tmp_path):
    script = JOBS["merge"]["steps"][-1]["run"]
    results = {c: _run(script, {"EXIT_CODE": c}, tmp_path)[0] for c in ("0", "1", "3", "")}
    assert results == {"0": 0, "1": 1, "3": 3, "": 2}
