"""Suggested fixes, run as a user would: `safeguard scan` puts each failure's code change in the
JSON, SARIF (`fixes`) and Markdown (suggestion blocks); `safeguard fix` writes them all as one
diff that `git apply` takes, and `--apply` writes them and scans again.

tests/programs/fixable fails every check the library has an input-level fix for
(`checks/fixes.yaml`) once, on resources written in the styles programs use. After
`safeguard fix --apply`, each of those findings must PASS: a fix that only looks right fails
here. A new entry in the table without a failing resource in that program fails here too.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from checks.fixes import fixable
from policies.source_edit import Replacement, apply

REPO = Path(__file__).resolve().parents[2]
FIXABLE = REPO / "tests" / "programs" / "fixable"
SAFEGUARD = Path(sys.executable).with_name("safeguard")
SARIF_SCHEMA = REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SAFEGUARD), *args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False
    )


def scan(program: Path, out: Path, *more: str) -> dict:
    done = run(
        "scan", ".", "--format", "json,md,sarif", "--out", str(out), "-q", *more, cwd=program
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads((out / "safeguard-scan.json").read_text())


@pytest.fixture(scope="module")
def before(tmp_path_factory) -> tuple[Path, dict]:
    """A copy of the program and its scan, before any fix."""
    program = tmp_path_factory.mktemp("fixable") / "program"
    shutil.copytree(FIXABLE, program)
    return program, scan(program, program.parent / "before")


def _ready(doc: dict) -> dict[str, dict]:
    return {
        f["id"]: f
        for f in doc["findings"]
        if f["status"] == "FAIL" and (f.get("fix") or {}).get("status") == "ready"
    }


def test_the_program_exercises_every_fix_in_the_table(before):
    _, doc = before
    exercised = {
        (f["check_id"], target["type"])
        for f in _ready(doc).values()
        for target in f["fix"]["targets"]
    }
    table = {(check, type_) for check, types in fixable().items() for type_ in types}
    assert exercised == table


def test_apply_makes_every_fixed_finding_pass(before, tmp_path):
    program = tmp_path / "program"
    shutil.copytree(before[0], program, ignore=shutil.ignore_patterns("__pycache__"))
    ready = _ready(before[1])
    done = run("fix", ".", "--apply", cwd=program)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"confirmed: the {len(ready)} fixed finding(s) now pass" in done.stdout
    after = {f["id"]: f for f in scan(program, tmp_path / "after")["findings"]}
    assert {i: after[i]["status"] for i in ready} == dict.fromkeys(ready, "PASS")
    assert not _ready({"findings": list(after.values())})


def test_the_diff_applies_with_git_and_gives_what_apply_writes(before, tmp_path):
    program = tmp_path / "program"
    shutil.copytree(before[0], program, ignore=shutil.ignore_patterns("__pycache__"))
    done = run("fix", ".", "--diff", str(tmp_path / "fix.diff"), "-q", cwd=program)
    assert done.returncode == 0, done.stderr
    diff = (tmp_path / "fix.diff").read_text()
    assert diff.startswith("--- a/__main__.py\n+++ b/__main__.py\n")
    assert "+    storage_encrypted=True,\n" in diff
    assert "-    storage_encrypted=False,\n" in diff
    subprocess.run(["git", "init", "-q", "."], cwd=program, check=True)
    subprocess.run(["git", "apply", str(tmp_path / "fix.diff")], cwd=program, check=True)
    applied = tmp_path / "applied"
    shutil.copytree(before[0], applied, ignore=shutil.ignore_patterns("__pycache__"))
    assert run("fix", ".", "--apply", "-q", cwd=applied).returncode == 0
    assert (program / "__main__.py").read_text() == (applied / "__main__.py").read_text()


def test_each_findings_own_change_stands_alone(before):
    """SARIF applies one result's fix at a time: each must be valid Python by itself."""
    program, doc = before
    text = (program / "__main__.py").read_text()
    for finding in _ready(doc).values():
        replacements = [
            Replacement(
                r["start_line"], r["start_column"], r["end_line"], r["end_column"], r["text"]
            )
            for target in finding["fix"]["targets"]
            for r in target["replacements"]
        ]
        ast.parse(apply(text, replacements))


def test_sarif_carries_the_fixes_and_stays_valid(before):
    program, doc = before
    log = json.loads((program.parent / "before" / "safeguard-scan.sarif").read_text())
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    run_ = log["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    fixed = {
        r["partialFingerprints"]["hipaaSafeguardFindingId/v1"]: r["fixes"]
        for r in run_["results"]
        if "fixes" in r
    }
    assert set(fixed) == set(_ready(doc))
    db = next(
        fixes
        for finding_id, fixes in fixed.items()
        if doc_finding(doc, finding_id)["check_id"] == "rds_storage_encrypted_cmk"
        and doc_finding(doc, finding_id)["resource"]["name"] == "patients-db"
    )
    (change,) = db[0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "__main__.py"
    (replacement,) = change["replacements"]
    assert replacement["insertedContent"]["text"] == "True"
    assert replacement["deletedRegion"] == {
        "startLine": 18,
        "startColumn": 23,
        "endLine": 18,
        "endColumn": 28,
    }


def doc_finding(doc: dict, finding_id: str) -> dict:
    return next(f for f in doc["findings"] if f["id"] == finding_id)


def test_markdown_shows_suggestion_blocks(before):
    program, _ = before
    md = (program.parent / "before" / "safeguard-scan.md").read_text()
    assert "Suggested fixes (41 ready)" in md
    assert "  ```suggestion\n      storage_encrypted=True,\n  ```" in md
    assert "`exports-acl`" in md  # a bucket finding fixed on the resource split off it


COMPUTED = """
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
aws.ebs.Volume("scratch", availability_zone="us-east-1a", size=10,
               encrypted=config.get_bool("encrypt") or False)
aws.kms.Key("plain-key", description="hunter2-rotation-off", enable_key_rotation=False)
"""


def _program(tmp_path: Path, source: str) -> Path:
    program = tmp_path / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: computed\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (program / "__main__.py").write_text(source)
    return program


def test_a_computed_value_is_left_to_the_author_and_said_why(tmp_path):
    program = _program(tmp_path, COMPUTED)
    doc = scan(program, tmp_path / "out")
    (volume,) = [f for f in doc["findings"] if f["check_id"] == "ebs_volume_encrypted"]
    assert volume["fix"]["status"] == "manual"
    assert volume["fix"]["why"].startswith("encrypted is computed (config.get_bool(")
    done = run("fix", ".", cwd=program)
    assert done.returncode == 0, done.stderr
    assert "no automatic edit for ebs_volume_encrypted on scratch: encrypted is computed" in (
        done.stderr
    )
    assert '+aws.kms.Key("plain-key"' in done.stdout  # the key's fix is still written
    changed = [line for line in done.stdout.splitlines() if line.startswith(("-", "+"))]
    assert not [line for line in changed if "get_bool" in line]


def test_check_narrows_the_fix_to_those_checks(tmp_path):
    program = _program(tmp_path, COMPUTED)
    done = run("fix", ".", "--check", "ebs_*", cwd=program)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # the only ebs fix is manual; the key's is not asked for


def test_a_diff_that_would_print_a_secret_is_refused(tmp_path):
    program = _program(tmp_path, COMPUTED)
    done = run("fix", ".", "--secret", "token=hunter2-rotation-off", cwd=program)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines()[-1] == (
        "safeguard: error: .: the diff would show a secret value (an input the program marks "
        "secret, a password, or a --secret value); use --apply without --diff to write the "
        "fixes without showing them"
    )
    assert "hunter2" not in done.stderr


PASSWORD = "Hunter2-plaintext-pw"
DB_WITH_PASSWORD = f"""
import pulumi_aws as aws

aws.rds.Instance("db", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
                 username="app", password="{PASSWORD}", storage_encrypted=False)
"""


def test_a_password_beside_the_fix_never_reaches_a_report_or_the_terminal(tmp_path):
    program = _program(tmp_path, DB_WITH_PASSWORD)
    out = tmp_path / "out"
    doc = scan(program, out)
    for artifact in out.iterdir():
        assert PASSWORD not in artifact.read_text(errors="replace"), artifact.name
    (fix,) = [f["fix"] for f in doc["findings"] if f["check_id"] == "rds_storage_encrypted_cmk"]
    (target,) = fix["targets"]
    assert "suggestion" not in target
    # Encryption on is this input's part; the customer-managed key is another resource's.
    assert fix["status"] == "partial"
    assert (
        fix["still_fails"] == "storage is encrypted with the AWS-managed key (aws/rds), not a CMK"
    )
    assert target["suggestion_withheld"].startswith("the declaring lines hold a secret value")
    assert "the declaring lines hold a secret value" in (out / "safeguard-scan.md").read_text()
    refused = run("fix", ".", cwd=program)
    assert refused.returncode == 2 and PASSWORD not in refused.stdout + refused.stderr
    applied = run("fix", ".", "--apply", "--check", "rds_storage_encrypted_cmk", cwd=program)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert PASSWORD not in applied.stdout + applied.stderr
    assert "partial fix for rds_storage_encrypted_cmk on db: with it the check still fails" in (
        applied.stderr
    )
    assert "1 partial fix(es) written" in applied.stdout
    assert (
        f'password="{PASSWORD}", storage_encrypted=True)' in (program / "__main__.py").read_text()
    )
