"""The command's smaller promises, run as a user would: what reaches the terminal is text, an
--out folder holds one run, a program cannot hold the scan, a mistyped stack is named, and
--format takes any list."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checks.text import safe_text
from reports.manifest import MANIFEST_NAME, SIGNATURE_NAME
from reports.renderers import build_renderers
from scripts.output import formats

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = Path(sys.executable).with_name("safeguard")
PREVIEW = REPO / "tests" / "fixtures" / "pulumi" / "preview_billing_update.json"
INSECURE = REPO / "tests" / "programs" / "insecure"
# C0 controls but tab and newline, DEL, C1 controls, bidirectional overrides and isolates.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(*args: str, cwd: Path | None = None, timeout: float = 300):
    return subprocess.run(
        [str(SAFEGUARD), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )


def error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("safeguard: error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def program(directory: Path, body: str, stacks: dict[str, str] | None = None) -> Path:
    """A one-file Pulumi Python program, with the stack files given."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(f"name: {directory.name}\nruntime: python\n")
    (directory / "__main__.py").write_text(body)
    for stack, text in (stacks or {}).items():
        (directory / f"Pulumi.{stack}.yaml").write_text(text)
    return directory


# --- what reaches the terminal -------------------------------------------------------------

_HOSTILE_EXCEPTION = (
    "import pulumi_aws as aws\n"
    'aws.s3.Bucket("b")\n'
    'raise RuntimeError("\\x1b[2J\\x1b[31mboom\\x1b[0m\\x1b]0;owned\\x07 \\x9b31mred'
    '\\x08\\x00\\x7f \\u202eevil\\rhidden")\n'
)


def test_a_programs_escape_sequences_never_reach_the_terminal(tmp_path):
    prog = program(tmp_path / "ansi", _HOSTILE_EXCEPTION)
    proc = run("scan", str(prog), "--out", str(tmp_path / "out"))
    line = error_line(proc)
    assert not CONTROL.search(proc.stderr), repr(proc.stderr)
    assert not CONTROL.search(proc.stdout), repr(proc.stdout)
    assert "\x1b" not in proc.stderr and "[2J" not in proc.stderr and "31m" not in proc.stderr
    # A carriage return ends the first line, as any line break does: only that line is shown.
    assert line.endswith("the program raised RuntimeError: boom red evil")


def test_a_file_name_with_escape_sequences_is_shown_as_text(tmp_path):
    proc = run("scan", "--preview", str(tmp_path / "\x1b[2Jplan\x07.json"), "--out", "o")
    line = error_line(proc)
    assert not CONTROL.search(proc.stderr), repr(proc.stderr)
    assert "plan.json" in line


def test_usage_errors_are_text_too(tmp_path):
    proc = run("scan", str(tmp_path), "\x1b[2J\x1b[31mextra\x07")  # argparse echoes it raw
    assert proc.returncode == 2
    assert not CONTROL.search(proc.stderr), repr(proc.stderr)
    assert "unrecognized arguments: extra" in proc.stderr


@pytest.mark.parametrize(
    ("raw", "kept", "one_line"),
    [
        ("\x1b[2J\x1b[1;31mred\x1b[0m", "red", "red"),  # CSI: erase, colours
        (
            "a\x1b]0;title\x07b\x1b]8;;https://e.example\x1b\\link\x1b]8;;\x1b\\c",
            "ablinkc",
            "ablinkc",
        ),
        ("a\x1bPq#0;2;0;0;0\x1b\\b\x1b7\x1b8\x1bMc", "abc", "abc"),  # DCS, save/restore, RI
        ("a\x9b31mb\x9d0;t\x9cc\x85d", "abcd", "abcd"),  # the 8-bit (C1) forms
        ("a\x00\x07\x08\x7fb\x1b", "ab", "ab"),  # NUL, BEL, BS, DEL, a lone ESC
        ("safe\u202eexe.txt\u2066x\u2069", "safeexe.txtx", "safeexe.txtx"),  # bidi controls
        ("one\r\ntwo\rthree\u2028four", "one\ntwo\nthree\nfour", "one two three four"),
        ("col\tcol\n  next", "col\tcol\n  next", "col col next"),
        ("ünïcödé ✓ 🔴 日本", "ünïcödé ✓ 🔴 日本", "ünïcödé ✓ 🔴 日本"),
    ],
)
def test_safe_text_keeps_the_text_and_nothing_that_acts(raw, kept, one_line):
    assert safe_text(raw) == kept
    assert safe_text(raw, one_line=True) == one_line
    assert safe_text(safe_text(raw)) == kept  # idempotent


# --- one run per --out folder ------------------------------------------------------------


def _listed(out: Path) -> list[str]:
    return [entry["path"] for entry in json.loads((out / "manifest.json").read_text())["files"]]


def test_a_reused_out_folder_is_refused_and_force_replaces_the_earlier_run(tmp_path):
    out = tmp_path / "out"
    first = run("scan", "--preview", str(PREVIEW), "--format", "html,sarif", "--out", str(out))
    assert first.returncode in (0, 1, 3), first.stderr
    assert (out / "safeguard-report.html").is_file()

    line = error_line(run("scan", "--preview", str(PREVIEW), "--format", "json", "--out", str(out)))
    assert f"--out {out}: holds an earlier run's artifacts" in line
    assert "safeguard-report.html" in line and "--force" in line
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "safeguard-report.html",
        "safeguard-scan.sarif",
    ]  # refused before anything was touched

    forced = run(
        "scan", "--preview", str(PREVIEW), "--format", "json", "--out", str(out), "--force"
    )
    assert forced.returncode == first.returncode, forced.stderr
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "safeguard-scan.json"]
    assert _listed(out) == ["safeguard-scan.json"]
    assert run("verify", str(out)).returncode == 0


def test_any_earlier_artifact_manifest_or_signature_alone_makes_a_folder_a_run(tmp_path):
    for name in [r.filename for r in build_renderers().values()] + [MANIFEST_NAME, SIGNATURE_NAME]:
        out = tmp_path / name.replace(".", "_")
        out.mkdir()
        (out / name).write_text("earlier")
        line = error_line(run("scan", "--preview", str(PREVIEW), "--out", str(out)))
        assert f"holds an earlier run's artifacts ({name})" in line


def test_an_empty_or_new_folder_is_fine_and_other_files_are_left_alone(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("scan", "--preview", str(PREVIEW), "--out", str(empty)).returncode != 2
    new = tmp_path / "new" / "deeper"
    assert run("scan", "--preview", str(PREVIEW), "--out", str(new)).returncode != 2

    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "notes.txt").write_text("mine")
    proc = run("scan", "--preview", str(PREVIEW), "--format", "json", "--out", str(shared))
    assert proc.returncode != 2, proc.stderr
    assert (shared / "notes.txt").read_text() == "mine"
    assert f"--out {shared} also holds notes.txt: left alone" in proc.stderr
    forced = run("scan", "--preview", str(PREVIEW), "--out", str(shared), "--force", "-q")
    assert forced.returncode != 2, forced.stderr
    assert (shared / "notes.txt").read_text() == "mine"  # --force removes only run artifacts


def test_report_refuses_a_folder_holding_a_run_unless_forced(tmp_path):
    first, out = tmp_path / "first", tmp_path / "out"
    assert run("scan", "--preview", str(PREVIEW), "--out", str(first), "-q").returncode != 2
    rendered = run("report", str(first), "--format", "html", "--out", str(out))
    assert rendered.returncode == 0, rendered.stderr
    line = error_line(run("report", str(first), "--format", "csv", "--out", str(out)))
    assert "holds an earlier run's artifacts (manifest.json, safeguard-report.html)" in line
    forced = run("report", str(first), "--format", "csv", "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "safeguard-findings.csv"]


# --- a program cannot hold the scan --------------------------------------------------------


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for its parent to reap it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone(pids: list[int], within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while any(_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_hanging_program_is_stopped_at_the_timeout(tmp_path):
    pids = tmp_path / "pids"
    body = (
        "import os, subprocess, time\n"
        "import pulumi_aws as aws\n"
        'aws.s3.Bucket("b")\n'
        'child = subprocess.Popen(["sleep", "300"])\n'
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
        "time.sleep(300)\n"
    )
    prog = program(tmp_path / "hangs", body)
    start = time.monotonic()
    proc = run("scan", str(prog), "--timeout", "3", "--out", str(tmp_path / "out"), timeout=120)
    elapsed = time.monotonic() - start
    line = error_line(proc)
    assert line.endswith(f"{prog}: the program did not finish within 3 s (--timeout)")
    assert elapsed < 60
    assert not (tmp_path / "out").exists()
    assert _gone([int(pid) for pid in pids.read_text().split()])  # the worker and its child


def test_children_a_program_leaves_running_do_not_hold_the_scan(tmp_path):
    pids = tmp_path / "pids"
    body = (
        "import os, subprocess, time\n"
        "import pulumi_aws as aws\n"
        'aws.s3.Bucket("b")\n'
        'spawned = subprocess.Popen(["sleep", "300"])\n'
        "forked = os.fork()\n"
        "if forked == 0:\n"
        "    time.sleep(300)\n"
        "    os._exit(0)\n"
        f"open({str(pids)!r}, 'w').write(f'{{spawned.pid}} {{forked}}')\n"
    )
    prog = program(tmp_path / "forks", body)
    start = time.monotonic()
    proc = run("scan", str(prog), "--out", str(tmp_path / "out"), "-q", timeout=240)
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, proc.stderr  # the bucket's failures: the scan ran to its end
    assert elapsed < 60
    assert _gone([int(pid) for pid in pids.read_text().split()])


def test_timeout_must_be_a_positive_number_of_seconds():
    for bad in ("0", "-5", "soon", "inf", "nan"):
        proc = run("scan", "--timeout", bad)
        assert proc.returncode == 2, (bad, proc.stderr)
        assert re.search(r"--timeout: .*(positive|not a) number of seconds", proc.stderr), bad


# --- stacks --------------------------------------------------------------------------------

_BUCKET = 'import pulumi_aws as aws\naws.s3.Bucket("b")\n'


def test_an_unknown_stack_names_the_stacks_that_exist(tmp_path):
    prog = program(tmp_path / "proj", _BUCKET, {"dev": "config: {}\n", "prod": "config: {}\n"})
    line = error_line(run("scan", str(prog), "--stack", "nope", "--out", str(tmp_path / "o")))
    assert f"{prog / 'Pulumi.nope.yaml'}: no such stack file" in line
    assert "the stacks here are dev, prod" in line
    assert not (tmp_path / "o").exists()


def test_with_several_stacks_and_no_dev_the_stack_must_be_chosen(tmp_path):
    prog = program(tmp_path / "proj", _BUCKET, {"staging": "", "prod": ""})
    line = error_line(run("scan", str(prog), "--out", str(tmp_path / "o")))
    assert "no stack 'dev'" in line and "the stacks here are prod, staging" in line


def test_a_fully_qualified_stack_reads_its_own_stack_file(tmp_path):
    prog = program(
        tmp_path / "proj",
        _BUCKET,
        {"dev": "config: {}\n", "prod": "config:\n  aws:region: eu-west-1\n"},
    )
    out = tmp_path / "o"
    proc = run(
        "scan", str(prog), "--stack", "acme/proj/prod", "--format", "json", "--out", str(out)
    )
    assert proc.returncode in (0, 1, 3), proc.stderr
    source = json.loads((out / "safeguard-scan.json").read_text())["source"]
    assert (source["stack"], source["stack_file"], source["region"]) == (
        "prod",
        "Pulumi.prod.yaml",
        "eu-west-1",
    )


@pytest.mark.parametrize("name", ["../prod", "a b", "dev;rm", ""])
def test_a_stack_name_is_a_name(tmp_path, name):
    prog = program(tmp_path / "proj", _BUCKET, {"dev": ""})
    proc = run("scan", str(prog), "--stack", name, "--out", str(tmp_path / "o"))
    if name:
        assert "not a stack name" in error_line(proc)
    else:
        assert proc.returncode in (0, 1, 3), proc.stderr  # empty: the default stack


def test_a_project_with_no_stack_file_runs_without_configuration_and_says_so(tmp_path):
    prog = program(tmp_path / "bare", _BUCKET)
    out = tmp_path / "o"
    proc = run("scan", str(prog), "--stack", "qa", "--format", "json", "--out", str(out))
    assert proc.returncode in (0, 1, 3), proc.stderr
    assert f"note: {prog} has no Pulumi.<stack>.yaml" in proc.stderr
    assert "runs as stack qa with no stack configuration" in proc.stderr
    source = json.loads((out / "safeguard-scan.json").read_text())["source"]
    assert (source["stack"], source["stack_file"]) == ("qa", None)


# --- --format --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "chosen"),
    [
        ("all,json", "all"),
        ("json,all", "all"),
        ("md, all ,md", "all"),
        ("json,json", ["json"]),
        ("md,json,md,json", ["md", "json"]),
        ("sarif,,csv,", ["sarif", "csv"]),
    ],
)
def test_all_anywhere_means_every_format_and_duplicates_collapse(spec, chosen):
    renderers = build_renderers()
    assert formats(spec, renderers) == (list(renderers) if chosen == "all" else chosen)


def test_format_lists_with_all_or_duplicates_run(tmp_path):
    out = tmp_path / "o"
    proc = run("scan", "--preview", str(PREVIEW), "--format", "json,md,json", "--out", str(out))
    assert proc.returncode != 2, proc.stderr
    assert _listed(out) == ["safeguard-scan.json", "safeguard-scan.md"]
    every = tmp_path / "every"
    proc = run("report", str(out), "--format", "json,all", "--out", str(every))
    assert proc.returncode == 0, proc.stderr
    assert sorted(_listed(every)) == sorted(r.filename for r in build_renderers().values())


def test_an_unknown_format_is_still_refused_beside_all(tmp_path):
    line = error_line(run("scan", "--format", "all,pdfx", "--out", str(tmp_path)))
    assert "unknown format(s) pdfx" in line


def test_progress_and_written_lines_stay_on_their_lines(tmp_path):
    out = tmp_path / "a\x1b[31mb"
    proc = run("scan", "--preview", str(PREVIEW), "--format", "json", "--out", str(out))
    assert proc.returncode != 2, proc.stderr
    assert not CONTROL.search(proc.stdout + proc.stderr), repr(proc.stdout + proc.stderr)
    assert f"Report written: {tmp_path / 'ab' / 'safeguard-scan.json'}" in proc.stdout
    assert os.path.isdir(out)  # the folder is named as given; only its display is made safe
