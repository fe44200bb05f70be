"""The pre-commit hook in a temporary git repository: a failing change is blocked, a passing one
is allowed, and a commit that touches no Python or Pulumi*.yaml file skips the scan.

pre-commit itself is not among the project's pinned test dependencies (and a `language: python`
hook would make it build an environment from the network), so the repository's git pre-commit
hook here is a small stand-in that does what pre-commit does for our hook, read from the parsed
`.pre-commit-config.yaml`: a `repo: local` hook copied from our `.pre-commit-hooks.yaml`, its
`files` regex searched in each staged path, `exclude` honoured, and, when anything matches, its
`entry` split as a shell would plus its `args`, with no file names (`pass_filenames: false`).
Nothing matching prints "Skipped" and lets the commit through, as pre-commit does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
# A developer's own git settings (signing, a global hooks folder) must not change the outcome.
SAFE_GIT = ("-c", "commit.gpgsign=false", "-c", "core.hooksPath=.git/hooks")
BIN = Path(sys.executable).parent  # where `safeguard` is installed
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())

PULUMI_YAML = "name: tiny\nruntime: python\n"
STACK_YAML = "config:\n  aws:region: us-east-1\n"
PROGRAM = """import pulumi_aws as aws

aws.kms.Key("records-key", enable_key_rotation={rotate}, deletion_window_in_days=30)
"""

# What pre-commit does for one hook of a local repo, said in Python: the stand-in git hook.
RUNNER = """#!{python}
import re, shlex, subprocess, sys
import yaml

config = yaml.safe_load(open(".pre-commit-config.yaml"))
staged = subprocess.run(
    ["git", "diff", "--staged", "--name-only", "--no-ext-diff", "--diff-filter=ACMRTUXB"],
    capture_output=True, text=True, check=True,
).stdout.splitlines()
failed = False
for repo in config["repos"]:
    for hook in repo["hooks"]:
        files = re.compile(hook.get("files", ""))
        exclude = re.compile(hook.get("exclude", "^$"))
        chosen = [p for p in staged if files.search(p) and not exclude.search(p)]
        if not chosen:
            print(hook["name"] + " (no files to check) Skipped")
            continue
        command = shlex.split(hook["entry"]) + list(hook.get("args", []))
        if hook.get("pass_filenames", True):
            command += chosen
        code = subprocess.run(command).returncode
        print(hook["name"] + (" Failed" if code else " Passed"))
        failed = failed or bool(code)
sys.exit(1 if failed else 0)
"""


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *SAFE_GIT, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
    )


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository with a tiny Pulumi program (nothing committed yet) and our hook as a
    local pre-commit hook: each test starts from its own."""
    root = tmp_path / "precommit"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "Pulumi.yaml").write_text(PULUMI_YAML)
    (root / "Pulumi.dev.yaml").write_text(STACK_YAML)
    (root / "__main__.py").write_text(PROGRAM.format(rotate=True))
    (root / ".gitignore").write_text(".safeguard/\n__pycache__/\n")
    (hook,) = HOOKS
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    runner = root / ".git" / "hooks" / "pre-commit"
    runner.write_text(RUNNER.format(python=sys.executable))
    runner.chmod(0o755)
    return root


def test_the_published_hook_is_the_one_the_issue_describes():
    assert HOOKS == [
        {
            "id": "hipaa-safeguard",
            "name": "hipaa-safeguard (HIPAA checks of the Pulumi program)",
            "description": "Scan a Pulumi Python program under mocks and fail on the HIPAA gate.",
            "entry": "safeguard scan",
            "language": "python",
            "files": r"(\.py|(^|/)Pulumi[^/]*\.ya?ml)$",
            "pass_filenames": False,
            "require_serial": True,
            "args": [".", "--format", "md", "--out", ".safeguard/pre-commit", "--force", "--quiet"],
        }
    ]


def test_a_passing_program_is_committed(repo):
    git(repo, "add", "-A")
    proc = git(repo, "commit", "-q", "-m", "a key that rotates", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "hipaa-safeguard (HIPAA checks of the Pulumi program) Passed" in proc.stderr
    assert git(repo, "log", "--format=%s").stdout.splitlines() == ["a key that rotates"]
    assert (repo / ".safeguard" / "pre-commit" / "safeguard-scan.md").is_file()


def test_a_failing_change_is_blocked(repo):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "a key that rotates")
    before = head(repo)
    (repo / "__main__.py").write_text(PROGRAM.format(rotate=False))
    git(repo, "add", "__main__.py")
    proc = git(repo, "commit", "-q", "-m", "stop rotating the key", check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "hipaa-safeguard (HIPAA checks of the Pulumi program) Failed" in proc.stderr
    assert head(repo) == before
    summary = (repo / ".safeguard" / "pre-commit" / "safeguard-scan.md").read_text()
    assert "`kms_key_rotation_enabled`" in summary
    assert "❌ **1 blocking failure(s)**" in summary


def test_a_commit_touching_no_program_file_skips_the_scan(repo):
    # Commit the failing program past the hook, so a scan, had it run, would fail.
    (repo / "__main__.py").write_text(PROGRAM.format(rotate=False))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "failing program, hook bypassed")
    (repo / "README.md").write_text("Notes about the stack.\n")
    git(repo, "add", "README.md")
    proc = git(repo, "commit", "-q", "-m", "notes only", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr.strip() == (  # git shows a hook's output on stderr
        "hipaa-safeguard (HIPAA checks of the Pulumi program) (no files to check) Skipped"
    )
    assert git(repo, "log", "-1", "--format=%s").stdout.strip() == "notes only"


def test_the_files_pattern_matches_program_files_only():
    files = __import__("re").compile(HOOKS[0]["files"])
    matched = [
        p
        for p in (
            "__main__.py", "infra/components/bucket.py", "Pulumi.yaml", "infra/Pulumi.prod.yaml",
            "README.md", "docs/Pulumi-notes.txt", "setup.cfg", "MyPulumi.yaml",
        )
        if files.search(p)
    ]  # fmt: skip
    assert matched == [
        "__main__.py", "infra/components/bucket.py", "Pulumi.yaml", "infra/Pulumi.prod.yaml"
    ]  # fmt: skip
