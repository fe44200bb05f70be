"""Every YAML file the command reads, broken the ways people and attackers break them:
exit 2, one line naming the file and the problem, never a traceback (issue 9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PREVIEW = REPO / "tests" / "fixtures" / "pulumi" / "preview_first_create.json"
SAFEGUARD = Path(sys.executable).with_name("safeguard")

LATIN1 = b"name: caf\xe9\n"  # what an editor saving Latin-1 writes
LATIN1_PROBLEM = "not UTF-8 text (byte 0xe9 at offset 9)"
DEEP = 5_000
DEEP_FLOW = ("deep: " + "[" * DEEP + "]" * DEEP + "\n").encode()
DEEP_MAPPINGS = ("deep: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n").encode()
DEEP_PROBLEM = "nested more than 100 levels"
CASES = [
    pytest.param(LATIN1, LATIN1_PROBLEM, id="not-utf8"),
    pytest.param(DEEP_FLOW, DEEP_PROBLEM, id="deep-lists"),
    pytest.param(DEEP_MAPPINGS, DEEP_PROBLEM, id="deep-mappings"),
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SAFEGUARD), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
        check=False,
    )


def one_error_line(proc: subprocess.CompletedProcess, path: Path, problem: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"safeguard: error: {path}: {problem}"]


def scan_preview(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    return run("scan", "--preview", str(PREVIEW), "--out", str(tmp_path / "out"), "-q", *options)


def program(tmp_path: Path, project: bytes | None = None, stack: bytes | None = None) -> Path:
    folder = tmp_path / "prog"
    folder.mkdir()
    (folder / "__main__.py").write_text("import pulumi\n")
    (folder / "Pulumi.yaml").write_bytes(project or b"name: prog\nruntime: python\n")
    if stack is not None:
        (folder / "Pulumi.dev.yaml").write_bytes(stack)
    return folder


@pytest.mark.parametrize(("content", "problem"), CASES)
def test_a_broken_project_file(tmp_path, content, problem):
    folder = program(tmp_path, project=b"runtime: python\n" + content)
    proc = run("scan", str(folder), "--out", str(tmp_path / "out"), "-q")
    one_error_line(proc, folder / "Pulumi.yaml", problem.replace("offset 9", "offset 25"))


@pytest.mark.parametrize(("content", "problem"), CASES)
def test_a_broken_stack_file(tmp_path, content, problem):
    folder = program(tmp_path, stack=content)
    proc = run("scan", str(folder), "--out", str(tmp_path / "out"), "-q")
    one_error_line(proc, folder / "Pulumi.dev.yaml", problem)


@pytest.mark.parametrize(
    "option", ["--waivers", "--attestations", "--risk-overrides", "--sla", "--profile"]
)
@pytest.mark.parametrize(("content", "problem"), CASES)
def test_a_broken_policy_file(tmp_path, option, content, problem):
    path = tmp_path / "input.yaml"
    path.write_bytes(content)
    proc = scan_preview(tmp_path, option, str(path))
    one_error_line(proc, path, problem)


def test_a_yaml_alias_bomb_is_refused_not_expanded(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = tmp_path / "sla.yaml"
    path.write_text("\n".join(lines) + "\n")
    proc = scan_preview(tmp_path, "--sla", str(path))
    one_error_line(proc, path, "line 6: aliases expand to more than 1,000,000 values")


def test_a_waiver_file_with_a_self_containing_alias(tmp_path):
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers: &w [*w]\n")
    proc = scan_preview(tmp_path, "--waivers", str(path))
    one_error_line(proc, path, "line 1: an alias refers to a node that contains it")
