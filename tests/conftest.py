"""Every test process, and every `safeguard` subprocess it starts (they inherit the
environment), records its runs in a history of its own: no test writes .safeguard/ into the
repository or into whatever folder it runs from."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# scripts.commands.history.HISTORY_ENV, named here so that collecting any test imports nothing
HISTORY_ENV = "SAFEGUARD_HISTORY"


@pytest.fixture(scope="session", autouse=True)
def private_run_history(tmp_path_factory) -> Iterator[None]:
    before = os.environ.get(HISTORY_ENV)
    os.environ[HISTORY_ENV] = str(tmp_path_factory.mktemp("history") / "history.sqlite")
    yield
    if before is None:
        os.environ.pop(HISTORY_ENV, None)
    else:
        os.environ[HISTORY_ENV] = before
