"""What the tests of the program worker's process and of lazily loaded packages share."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from checks.sources import pulumi_lazy


def workers_in(folder: Path) -> list[int]:
    """Processes whose working folder is `folder` (a worker runs in its program's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == folder:
                    found.append(int(entry.name))
            except OSError:
                continue  # gone meanwhile, or not ours to read
    return found


@contextmanager
def twin_packages(root: Path, files: dict[str, str], eager: str, lazy: str) -> Iterator[None]:
    """The package tree `files` written twice under `root`, importable as `eager` (loaded as
    Python loads it) and as `lazy` (through `checks.sources.pulumi_lazy`); both are forgotten
    again, with the finder, afterwards."""
    for top in (eager, lazy):
        for name, text in files.items():
            path = root / top / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
    sys.path.insert(0, str(root))
    before = list(sys.meta_path)
    pulumi_lazy.install(lazy)
    try:
        yield
    finally:
        sys.meta_path[:] = before
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n.split(".")[0] in (eager, lazy)]:
            del sys.modules[name]
