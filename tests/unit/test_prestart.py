"""`safeguard scan PROGRAM_DIR` starts the program's worker before it gets ready (so Pulumi's
imports overlap the scan's own), hands it the request when it has one, and stops it when the
run ends before that."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checks.sources import program_process
from scripts.cli import main
from tests.unit.worker_helpers import workers_in

REPO = Path(__file__).resolve().parents[2]
ONE_BUCKET = REPO / "tests" / "programs" / "one_bucket"
SAFEGUARD = Path(sys.executable).with_name("safeguard")


@pytest.fixture
def spawned(monkeypatch):
    """Every worker the run starts, by its arguments."""
    calls: list[list[str]] = []
    spawn = program_process._spawn

    def recording(project, args, stderr, **options):
        calls.append(list(args))
        return spawn(project, args, stderr, **options)

    monkeypatch.setattr(program_process, "_spawn", recording)
    return calls


def test_the_scan_runs_the_program_in_the_worker_it_started_ahead(tmp_path, spawned):
    code = main(["scan", str(ONE_BUCKET), "--out", str(tmp_path / "out"), "-q", "--no-history"])
    assert code == 1  # the bucket fails checks: the program ran to its end
    record = json.loads((tmp_path / "out" / "safeguard-scan.json").read_text())
    assert record["summary"]["resources"] == 2
    assert len(spawned) == 1 and spawned[0][0] == "--wait"
    assert not program_process._AHEAD  # handed over


def test_a_file_scan_starts_no_worker(tmp_path, spawned):
    state = REPO / "tests" / "fixtures" / "pulumi" / "state_v3_billing.json"
    main(["scan", "--state", str(state), "--out", str(tmp_path / "out"), "-q", "--no-history"])
    assert spawned == []


def test_a_folder_that_is_no_project_starts_nothing(tmp_path, spawned):
    assert main(["scan", str(tmp_path), "--out", str(tmp_path / "out"), "-q"]) == 2
    assert spawned == [] and not program_process._AHEAD


def test_a_run_that_ends_before_the_program_leaves_no_worker_nor_folder(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ONE_BUCKET, project)
    scratch, out = tmp_path / "tmp", tmp_path / "out"
    scratch.mkdir()
    out.mkdir()
    (out / "safeguard-scan.json").write_text("{}")  # an earlier run's: refused without --force
    done = subprocess.run(
        [str(SAFEGUARD), "scan", str(project), "--out", str(out), "-q", "--no-history"],
        capture_output=True, text=True, env={**os.environ, "TMPDIR": str(scratch)}, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "holds an earlier run's artifacts" in done.stderr
    assert workers_in(project.resolve()) == []
    assert list(scratch.iterdir()) == []


def _worker(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "checks.sources.program_worker", *args],
        capture_output=True, text=True, cwd=REPO, check=False, **options,
    )  # fmt: skip


def test_a_worker_told_nothing_exits_quietly():
    read, write = os.pipe()
    os.close(write)
    done = _worker("--wait", str(read), pass_fds=(read,))
    os.close(read)
    assert (done.returncode, done.stderr) == (0, "")


def test_a_waiting_worker_runs_the_request_it_is_sent(tmp_path):
    bench = REPO / "bench"
    sys.path.insert(0, str(bench))
    try:
        from worker_speed import request_for
    finally:
        sys.path.remove(str(bench))
    request, result = tmp_path / "request.json", tmp_path / "result.json"
    request.write_text(json.dumps(request_for(ONE_BUCKET)))
    read, write = os.pipe()
    os.write(write, json.dumps([str(request), str(result)]).encode())
    os.close(write)
    done = _worker("--wait", str(read), pass_fds=(read,))
    os.close(read)
    assert done.returncode == 0, done.stderr
    recorded = json.loads(result.read_text())
    assert recorded["error"] is None and len(recorded["resources"]) == 2
