"""What every browser test needs: Debian's headless `chromium`, required in CI."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI is set but chromium is missing: run scripts/setup-browser.sh")
    pytest.skip("chromium is not installed (scripts/setup-browser.sh installs it)")
