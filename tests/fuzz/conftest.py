"""The fuzz tests' scratch folder, with the clock pinned so waivers and attestations hold."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzz.hostile import EPOCH


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    with tempfile.TemporaryDirectory(prefix="safeguard-fuzz-") as folder:
        yield Path(folder)
    if before is None:
        del os.environ["SOURCE_DATE_EPOCH"]
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before
