"""A hostile pass over the day's program-scan speedups: the lazily loaded `pulumi_aws` service
packages (`checks.sources.pulumi_lazy`), the worker started ahead of its request
(`checks.sources.program_process`, `checks.sources.program.prestart`).

Each test states what plain Python (an eagerly loaded package, a scan with no worker started
ahead) does, and expects the same."""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
import types
from pathlib import Path

import pytest

from checks.sources import program_process
from scripts.cli import main
from tests.unit.worker_helpers import twin_packages, workers_in

REPO = Path(__file__).resolve().parents[2]
ONE_BUCKET = REPO / "tests" / "programs" / "one_bucket"

# A service package as pulumi_aws generates them, cut down to two modules.
TREE = {
    "_utilities.py": "",
    "__init__.py": "",
    "svc/__init__.py": """\
        import builtins as _builtins
        from .. import _utilities
        import typing
        from .widget import *
        from .gadget import *
        from . import outputs
        """,
    "svc/widget.py": "__all__ = ['Widget']\nclass Widget: pass\n",
    "svc/gadget.py": "__all__ = ['Gadget']\nclass Gadget: pass\n",
    "svc/outputs.py": "class Out: pass\n",
}


@pytest.fixture
def twins(tmp_path):
    """(eager, lazy): the same package loaded as Python loads it and through the lazy finder."""
    with twin_packages(tmp_path, TREE, "eager23", "lazy23"):
        yield importlib.import_module("eager23.svc"), importlib.import_module("lazy23.svc")


def _each(twins, step) -> tuple[object, object]:
    """What `step` gives on the eager package and on the lazy one."""
    return tuple(step(package) for package in twins)


def test_a_name_set_to_none_reads_back_as_none(twins):
    def step(svc):
        svc.Gadget  # noqa: B018 - the package's first touch
        svc.Widget = None  # a program switching a class off
        return svc.Widget

    assert _each(twins, step) == (None, None)


def test_a_deleted_name_stays_deleted(twins):
    def step(svc):
        svc.Widget  # noqa: B018 - loaded, then taken away
        del svc.Widget
        return hasattr(svc, "Widget")

    assert _each(twins, step) == (False, False)


def test_a_name_not_yet_asked_for_can_be_deleted(twins):
    def step(svc):
        svc.Gadget  # noqa: B018 - the package touched, Widget not yet loaded
        try:
            del svc.Widget
        except AttributeError as exc:
            return f"del raised: {exc}"
        return hasattr(svc, "Widget")

    assert _each(twins, step) == (False, False)


def test_reload_restores_a_patched_name(twins):
    def step(svc):
        svc.Widget  # noqa: B018
        svc.Widget = "patched"
        reloaded = importlib.reload(svc)
        return reloaded.Widget.__qualname__ if isinstance(reloaded.Widget, type) else "patched"

    assert _each(twins, step) == ("Widget", "Widget")


def test_a_touched_package_is_a_module_and_a_plain_one_once_whole(twins):
    """Until the lazy package is whole its type is a subclass of the module type (a difference
    the module's docstring names); once whole it is the plain module type, as the eager one."""

    def step(svc):
        svc.Widget  # noqa: B018
        touched = isinstance(svc, types.ModuleType)
        dir(svc)
        return touched, type(svc) is types.ModuleType

    assert _each(twins, step) == ((True, True), (True, True))


# The same through the program worker, plain Pulumi against the accelerated run: what the
# program sees decides what it registers.
PATCHING_PROGRAM = """\
import pulumi_aws as aws

aws.ec2.Subnet  # the package's first touch
aws.ec2.Vpc = None  # the program switches a class off
aws.ec2.Instance  # loaded, then taken away
del aws.ec2.Instance
aws.s3.Bucket(
    "marker",
    tags={"vpc": repr(aws.ec2.Vpc), "instance": str(hasattr(aws.ec2, "Instance"))},
)
"""


@pytest.fixture(scope="module")
def worker_speed():
    """bench/worker_speed.py's helpers (the worker run plain or accelerated)."""
    sys.path.insert(0, str(REPO / "bench"))
    before = {n: sys.modules.pop(n) for n in ("worker_speed", "scan") if n in sys.modules}
    try:
        yield importlib.import_module("worker_speed")
    finally:
        sys.path.remove(str(REPO / "bench"))
        for n in ("worker_speed", "scan"):
            sys.modules.pop(n, None)
        sys.modules.update(before)


def test_a_patched_pulumi_aws_package_records_as_under_plain_pulumi(tmp_path, worker_speed):
    (tmp_path / "Pulumi.yaml").write_text("name: patching\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(PATCHING_PROGRAM)
    request = worker_speed.request_for(tmp_path)
    tags = {}
    for plain in (True, False):
        _, result = worker_speed.run_worker(request, plain=plain)
        assert result["error"] is None
        tags[plain] = [r["props"]["tags"] for r in result["resources"]]
    assert tags[True] == [{"vpc": "None", "instance": "False"}]  # plain Pulumi
    assert tags[False] == tags[True]


# --- the worker started ahead -------------------------------------------------------------


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A temporary folder of the test's own, and no worker left behind whatever happens."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    try:
        yield folder
    finally:
        program_process.stop_unused()


def test_a_scan_that_returns_early_leaves_no_worker_nor_folder_behind(tmp_path, scratch):
    """`main` returns to its caller (a test suite, a wrapper script): what the run started
    must be gone by then, not only when the interpreter exits."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (project / name).write_text((ONE_BUCKET / name).read_text())
    out = tmp_path / "out"
    out.mkdir()
    (out / "safeguard-scan.json").write_text("{}")  # an earlier run's: refused without --force
    assert main(["scan", str(project), "--out", str(out), "-q", "--no-history"]) == 2
    left = (workers_in(project.resolve()), sorted(p.name for p in scratch.iterdir()))
    assert left == ([], [])


def test_a_second_scan_in_the_same_process_runs_with_the_environment_it_was_given(
    tmp_path, scratch, monkeypatch
):
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: needs-env\nruntime: python\n")
    (project / "__main__.py").write_text(
        "import os\nimport pulumi_aws as aws\n\n"
        "aws.s3.Bucket('tier', tags={'tier': os.environ['HOSTILE23_TIER']})\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "safeguard-scan.json").write_text("{}")
    monkeypatch.delenv("HOSTILE23_TIER", raising=False)
    assert main(["scan", str(project), "--out", str(out), "-q", "--no-history"]) == 2
    monkeypatch.setenv("HOSTILE23_TIER", "gold")  # the caller fixes both, and runs again
    args = ["scan", str(project), "--out", str(out), "-q", "--no-history", "--force"]
    assert main([*args, "--format", "json"]) in (0, 1)  # the program ran to its end
    record = json.loads((out / "safeguard-scan.json").read_text())
    assert record["summary"]["resources"] == 1


def test_a_program_folder_name_too_long_is_one_error_line(tmp_path, capsys):
    code = main(["scan", "p" * 300, "--out", str(tmp_path / "out"), "-q", "--no-history"])
    err = capsys.readouterr().err
    assert (code, err.count("\n"), err.startswith("safeguard: error: ")) == (2, 1, True)
