"""The GitHub Action (action.yml) and the repository's workflows, checked as data: triggers,
inputs and outputs, least-privilege permissions, every action pinned to a commit, no secret
needed to scan a pull request, and the workflow's shell step that picks the stacks, run here as
the runner would run it (tests/e2e/test_baseline_cli.py runs the action's scan step)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION_FILE = REPO / "action.yml"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PR_FILE = REPO / ".github" / "workflows" / "pr.yml"
NIGHTLY_FILE = REPO / ".github" / "workflows" / "nightly-audit.yml"
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")
ACTION_INPUTS = {
    "program-dir", "stack", "fail-on", "baseline", "formats", "out-dir", "soft-fail",
    "python-version", "program-requirements",
}  # fmt: skip


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads a bare `on` key as True.
    return workflow.get("on", workflow.get(True))


ACTION, PR, NIGHTLY = load(ACTION_FILE), load(PR_FILE), load(NIGHTLY_FILE)


def step_named(steps: list[dict], name: str) -> dict:
    (step,) = [s for s in steps if s.get("name") == name]
    return step


def all_uses_lines() -> list[tuple[str, str, str]]:
    """(file, action reference, rest of the line) for every `uses:` in the action and workflows."""
    found = []
    for path in [ACTION_FILE, *WORKFLOWS]:
        for line in path.read_text().splitlines():
            if match := USES_LINE.match(line):
                found.append((path.name, match.group(1), match.group(2)))
    return found


def test_there_are_the_workflows_this_test_knows():
    assert [p.name for p in WORKFLOWS] == [
        "mutation.yml",
        "nightly-audit.yml",
        "org-audit.yml",
        "pr.yml",
    ]


def test_every_action_is_pinned_to_a_full_commit_with_its_version_in_a_comment():
    uses = all_uses_lines()
    assert len(uses) == 29
    for name, ref, rest in uses:
        if ref == "./":  # this repository's own action, at the commit being checked out
            assert name == "pr.yml"
            continue
        assert PINNED.match(ref), f"{name}: {ref} is not pinned to a 40-hex commit"
        assert re.match(r"^\s+#\s+v\d+(\.\d+)*$", rest), f"{name}: {ref} has no version comment"


def test_one_action_one_commit_across_files():
    seen: dict[str, set[str]] = {}
    for _, ref, _ in all_uses_lines():
        if "@" in ref:
            action, sha = ref.split("@")
            seen.setdefault(action, set()).add(sha)
    assert {a: len(s) for a, s in seen.items()} == {
        "actions/checkout": 1,
        "actions/setup-python": 1,
        "actions/upload-artifact": 1,
        "actions/download-artifact": 1,
        "github/codeql-action/upload-sarif": 1,
        "actions/github-script": 1,
        "aws-actions/configure-aws-credentials": 1,
        "actions/cache/restore": 1,
        "actions/cache/save": 1,
    }
    assert seen["actions/checkout"] == {"11bd71901bbe5b1630ceea73d27597364c9af683"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_top_level_permissions_are_read_only(path):
    workflow = load(path)
    assert "permissions" in workflow, f"{path.name} leaves the token's permissions to defaults"
    top = workflow["permissions"]
    assert top not in ("write-all", "read-all")
    assert set(top.values()) <= {"read", "none"}
    for name, job in workflow["jobs"].items():
        perms = job.get("permissions", {})
        assert perms not in ("write-all", "read-all"), f"{path.name}:{name}"


def test_each_pull_request_job_has_only_the_permissions_it_uses():
    assert PR["permissions"] == {"contents": "read"}
    assert {name: job["permissions"] for name, job in PR["jobs"].items()} == {
        "changes": {"contents": "read"},
        "scan": {"contents": "read", "security-events": "write"},
        "comment": {"pull-requests": "write"},
    }


def test_the_pull_request_workflow_runs_on_changes_to_the_program_and_the_auditor():
    assert triggers(PR) == {
        "pull_request": {"paths": ["stacks/**", "policies/**", "checks/**", "Pulumi*.yaml"]}
    }


def test_scanning_a_pull_request_needs_no_secret_and_no_cloud_credential():
    text = PR_FILE.read_text() + ACTION_FILE.read_text()
    assert "secrets." not in text
    assert "id-token" not in text
    assert "configure-aws-credentials" not in text
    assert "AWS_" not in text


def test_no_untrusted_value_is_pasted_into_a_shell_script():
    # Values reach scripts through env:, never as ${{ }} inside the script's text.
    for document in (PR, ACTION, NIGHTLY):
        jobs = document.get("jobs") or {"action": {"steps": document["runs"]["steps"]}}
        for job in jobs.values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), step.get("name")


def test_the_scan_job_compares_with_the_base_uploads_and_fails_on_the_gate():
    steps = PR["jobs"]["scan"]["steps"]
    assert PR["jobs"]["scan"]["strategy"]["matrix"]["stack"] == (
        "${{ fromJSON(needs.changes.outputs.stacks) }}"
    )
    baseline = step_named(steps, "Baseline (the stack at the base commit)")
    assert (baseline["uses"], baseline["with"]["formats"]) == ("./", "json")
    scan = step_named(steps, "Scan the pull request")
    assert scan["uses"] == "./"
    assert scan["with"]["baseline"] == "${{ steps.baseline.outputs.json }}"
    assert scan["with"]["soft-fail"] == "true"
    assert "sarif" in scan["with"]["formats"].split(",")
    sarif = step_named(steps, "Upload SARIF to code scanning")
    assert sarif["uses"].startswith("github/codeql-action/upload-sarif@")
    assert sarif["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif }}"
    artifact = step_named(steps, "Keep the report")
    assert artifact["uses"].startswith("actions/upload-artifact@")
    gate = steps[-1]
    assert gate["name"] == "Fail on the gate"
    assert gate["env"] == {"EXIT_CODE": "${{ steps.scan.outputs.exit-code }}"}


def test_the_comment_job_edits_one_comment_found_by_its_marker():
    job = PR["jobs"]["comment"]
    assert job["needs"] == ["changes", "scan"]
    assert job["if"].startswith("always()")
    script = step_named(job["steps"], "Create or update the one comment")
    assert script["uses"].startswith("actions/github-script@")
    body = script["with"]["script"]
    assert "const marker = '<!-- hipaa-safeguard-pr-comment -->';" in body
    assert "github.rest.issues.updateComment" in body
    assert "github.rest.issues.createComment" in body


def test_the_action_is_composite_with_documented_inputs_and_outputs():
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == ACTION_INPUTS
    for name, spec in ACTION["inputs"].items():
        assert spec["description"].strip(), name
        assert spec["required"] is False, name
    assert {k: v["value"] for k, v in ACTION["outputs"].items()} == {
        name: f"${{{{ steps.scan.outputs.{name} }}}}"
        for name in ("exit-code", "report-dir", "json", "markdown", "sarif")
    }
    install = step_named(ACTION["runs"]["steps"], "Install hipaa-safeguard (pinned dependencies)")
    assert '-r "$ACTION_DIR/requirements.lock"' in install["run"]
    assert install["env"]["ACTION_DIR"] == "${{ github.action_path }}"
    uploads = [s for s in ACTION["runs"]["steps"] if "upload" in s.get("uses", "")]
    assert uploads == []  # the action uploads nothing itself


def test_the_readme_documents_every_input_of_the_action():
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## CI\n", 1)[1].split("\n## ", 1)[0]
    for name in ACTION_INPUTS:
        assert f"`{name}`" in section, name
    assert "uses: <owner>/hipaa-safeguard@v1" in section
    assert "id: hipaa-safeguard" in section


def _run_step(script: str, env: dict[str, str], tmp_path: Path) -> tuple[int, dict[str, str]]:
    output = tmp_path / "github_output"
    output.write_text("")
    proc = subprocess.run(
        ["bash", "-e", "-c", script],
        env={**os.environ, **env, "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    pairs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc.returncode, pairs


@pytest.mark.parametrize(
    ("changed", "stacks"),
    [
        (["Pulumi.prod.yaml"], '["prod"]'),
        (["Pulumi.dev.yaml", "README.md"], '["dev"]'),
        (["checks/aws/s3.py"], '["dev","prod"]'),
        (["Pulumi.prod.yaml", "stacks/data.py"], '["dev","prod"]'),
        (["README.md"], "[]"),
    ],
)
def test_the_changed_stacks_are_the_ones_scanned(tmp_path, changed, stacks):
    (tmp_path / "changed.txt").write_text("".join(f"{p}\n" for p in changed))
    script = step_named(PR["jobs"]["changes"]["steps"], "Stacks they touch")["run"]
    code, out = _run_step(script, {}, tmp_path)
    assert (code, out) == (0, {"stacks": stacks})


# -- the nightly audit (.github/workflows/nightly-audit.yml) ---------------------------------


def test_the_nightly_audit_runs_on_a_schedule_and_on_demand():
    assert triggers(NIGHTLY) == {"schedule": [{"cron": "23 3 * * *"}], "workflow_dispatch": None}
    assert NIGHTLY["concurrency"] == {"group": "nightly-audit", "cancel-in-progress": False}


def test_the_nightly_job_may_only_read_the_code_and_ask_for_an_oidc_token():
    assert NIGHTLY["permissions"] == {"contents": "read"}
    assert {name: job["permissions"] for name, job in NIGHTLY["jobs"].items()} == {
        "audit": {"id-token": "write", "contents": "read"}
    }


def test_the_nightly_assumes_the_auditor_role_with_oidc_and_stores_no_key():
    steps = NIGHTLY["jobs"]["audit"]["steps"]
    oidc = step_named(steps, "Assume the auditor role (OIDC)")
    assert oidc["uses"].startswith("aws-actions/configure-aws-credentials@")
    assert oidc["with"] == {
        "role-to-assume": "${{ vars.SAFEGUARD_AUDIT_ROLE_ARN }}",
        "role-session-name": "hipaa-safeguard-nightly",
        "aws-region": "${{ vars.AWS_REGION || 'us-east-1' }}",
    }
    text = NIGHTLY_FILE.read_text()
    assert "secrets." not in text
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text


def test_the_run_history_is_restored_before_and_saved_after_whatever_the_verdict():
    steps = NIGHTLY["jobs"]["audit"]["steps"]
    names = [s.get("name") for s in steps]
    restore = step_named(steps, "Restore the run history")
    save = step_named(steps, "Save the run history")
    order = [
        "Assume the auditor role (OIDC)",
        "Restore the run history",
        "safeguard nightly",
        "Save the run history",
        "Keep the report",
        "Fail on the nightly's verdict",
    ]
    assert [n for n in names if n in order] == order
    assert restore["uses"].startswith("actions/cache/restore@")
    assert save["uses"].startswith("actions/cache/save@")
    assert save["if"].startswith("always()")
    assert restore["with"]["path"] == save["with"]["path"] == ".safeguard"
    # A new key each night; the next night finds the newest by its prefix.
    assert save["with"]["key"] == restore["with"]["key"]
    assert "${{ github.run_id }}" in save["with"]["key"]
    (prefix,) = restore["with"]["restore-keys"].split()
    assert prefix == "safeguard-history-" and save["with"]["key"].startswith(prefix)
    nightly = step_named(steps, "safeguard nightly")["run"]
    assert "--history .safeguard/history.sqlite" in nightly


def test_the_report_is_kept_and_the_job_fails_on_the_nightly_exit_code():
    steps = NIGHTLY["jobs"]["audit"]["steps"]
    artifact = step_named(steps, "Keep the report")
    assert artifact["uses"].startswith("actions/upload-artifact@")
    assert artifact["if"].startswith("always()")
    assert (artifact["with"]["path"], artifact["with"]["retention-days"]) == (
        "safeguard-report",
        90,
    )
    gate = steps[-1]
    assert gate["name"] == "Fail on the nightly's verdict" and gate["if"] == "always()"
    assert gate["env"] == {"EXIT_CODE": "${{ steps.nightly.outputs.exit-code }}"}


@pytest.mark.parametrize(("verdict", "state_files"), [(1, "a.json b.json"), (0, "")])
def test_the_nightly_step_runs_safeguard_nightly_and_passes_its_exit_code_on(
    tmp_path, verdict, state_files
):
    fake = tmp_path / "safeguard"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/args"\nexit {verdict}\n')
    fake.chmod(0o755)
    script = step_named(NIGHTLY["jobs"]["audit"]["steps"], "safeguard nightly")["run"]
    env = {"SAFEGUARD_BIN": str(fake), "STATE_FILES": state_files, "REGIONS": "us-east-1"}
    code, out = _run_step(script, env, tmp_path)
    assert (code, out) == (0, {"exit-code": str(verdict)})
    args = (tmp_path / "args").read_text().splitlines()
    states = [f for s in state_files.split() for f in ("--state", s)]
    assert args == [
        "nightly", "--out", "safeguard-report", "--format", "json,md,html,csv",
        "--history", ".safeguard/history.sqlite", "--summary", f"{tmp_path}/nightly-summary.md",
        *states, "--regions", "us-east-1",
    ]  # fmt: skip


def test_the_final_step_fails_the_job_on_any_code_but_0(tmp_path):
    script = NIGHTLY["jobs"]["audit"]["steps"][-1]["run"]
    results = {c: _run_step(script, {"EXIT_CODE": c}, tmp_path)[0] for c in ("0", "1", "3", "")}
    assert results == {"0": 0, "1": 1, "3": 3, "": 2}
